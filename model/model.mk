# SPDX-License-Identifier: GPL-2.0
#
# model/: the Promela model of the coherence protocol (model/coherence.pml,
# Documentation/coherence.rst), checked by spin in "make check-host".
#
#   make check-spin       exhaustive safety run (assertions: single writer,
#                         no stale read, no lost write; invalid end states:
#                         deadlock, a request never completed), which must
#                         report "errors: 0"; then every seeded bug
#                         (SPIN_BUGS) must make spin report an error trail.
#   make check-spin-bug   only the seeded-bug runs, trails replayed.
#   make check-spin-msi   the same for model/msi.pml, the protocol the
#                         module runs, whose decisions are the module's
#                         own kmod/proto/msi_rules.h compiled into pan
#                         (embedded C): "errors: 0" over every state,
#                         then each of SPIN_MSI_BUGS must be caught.
#
# Everything spin and pan generate stays under build/model/.  COLLAPSE
# compression keeps the search exact (HC4 hash compaction halves memory but
# may miss states): 3.1 million states, 520 MB, 10 s of CPU (pan -DSAFETY).

SPIN ?= spin
# Operations per node (read miss, write, eviction); 3 is beyond 2 minutes.
SPIN_OPS ?= 2
SPIN_CAP ?= 4
SPIN_DEFS := -DOPS=$(SPIN_OPS) -DCAP=$(SPIN_CAP)
SPIN_CFLAGS := -O2 -w -DSAFETY -DCOLLAPSE
# A seeded bug is found in milliseconds: save the optimiser's time.
SPIN_BUG_CFLAGS := -O0 -w -DSAFETY
SPIN_DEPTH := -m20000
SPIN_BUGS := BUG_SKIP_INV BUG_DROP_EVICT

HOST_CHECKS += check-spin check-spin-msi

# test_coherence.c includes the protocol's .c file, not only its header.
$(B)/tests/test_coherence: kmod/proto/coherence.c

.PHONY: check-spin check-spin-bug

# build/model/<variant>/pan: spin -a on a copy of the model, so that a
# trail written there replays with "spin -t -p coherence.pml" in that
# directory.
$(B)/model/ok/pan: model/coherence.pml model/model.mk
	@mkdir -p $(@D)
	cp model/coherence.pml $(@D)/coherence.pml
	cd $(@D) && $(SPIN) $(SPIN_DEFS) -a coherence.pml
	cd $(@D) && $(CC) $(SPIN_CFLAGS) -o pan pan.c

$(B)/model/BUG_%/pan: model/coherence.pml model/model.mk
	@mkdir -p $(@D)
	cp model/coherence.pml $(@D)/coherence.pml
	cd $(@D) && $(SPIN) $(SPIN_DEFS) -DBUG_$* -a coherence.pml
	cd $(@D) && $(CC) $(SPIN_BUG_CFLAGS) -o pan pan.c

check-spin: $(B)/model/ok/pan
	@cd $(B)/model/ok && rm -f coherence.pml.trail && \
		./pan $(SPIN_DEPTH) >pan.log 2>&1; \
		cat pan.log
	@if ! grep -q 'errors: 0$$' $(B)/model/ok/pan.log || \
	    grep -qE 'max search depth too small|out of memory|Search not completed' \
		$(B)/model/ok/pan.log || \
	    [ -e $(B)/model/ok/coherence.pml.trail ]; then \
		echo "check-spin: FAIL: spin found an error in model/coherence.pml" >&2; \
		exit 1; \
	fi
	@echo "check-spin: model/coherence.pml: errors: 0"
	$(MAKE) check-spin-bug

# A seeded bug must be caught: pan stops at the first error, writes a
# trail, and the trail is replayed (its last steps shown).
check-spin-bug: $(addsuffix /pan,$(addprefix $(B)/model/,$(SPIN_BUGS)))
	@for bug in $(SPIN_BUGS); do \
		dir=$(B)/model/$$bug; \
		rm -f $$dir/coherence.pml.trail; \
		(cd $$dir && ./pan $(SPIN_DEPTH) >pan.log 2>&1); \
		grep -E '^pan:|errors:' $$dir/pan.log; \
		if grep -q 'errors: 0$$' $$dir/pan.log || \
		   [ ! -e $$dir/coherence.pml.trail ]; then \
			echo "check-spin-bug: FAIL: $$bug not caught" >&2; \
			exit 1; \
		fi; \
		(cd $$dir && $(SPIN) $(SPIN_DEFS) -D$$bug -t -p coherence.pml \
			>trail.txt 2>&1); \
		grep -E 'assertion violated|spin: ' $$dir/trail.txt | head -n 3; \
		echo "check-spin-bug: $$bug caught, trail in $$dir/trail.txt"; \
	done

# ---- model/msi.pml: the module's protocol, on its own rules ----------------
#
# 3 nodes, 2 frames, SPIN_MSI_OPS accesses per node: 7.5 million states,
# 510 MB, 15 s (SPIN_MSI_OPS=2).  Embedded C cannot be simulated by spin,
# so a trail replays with "./pan -r" in the run's directory.

SPIN_MSI_OPS ?= 2
SPIN_MSI_DEFS := -DOPS=$(SPIN_MSI_OPS)
SPIN_MSI_INC := -I. -I$(CURDIR)/include/uapi -I$(CURDIR)/kmod/proto
SPIN_MSI_BUGS := BUG_SKIP_INV BUG_NO_REFETCH BUG_NO_BUSY_WAIT
SPIN_MSI_SRCS := model/msi.pml model/msi_rules_spin.h model/model.mk \
	kmod/proto/msi_rules.h kmod/proto/wire.h kmod/proto/types.h \
	include/uapi/linux/ssihv.h

.PHONY: check-spin-msi

$(B)/model/msi-ok/pan: $(SPIN_MSI_SRCS)
	@mkdir -p $(@D)
	cp model/msi.pml model/msi_rules_spin.h $(@D)/
	cd $(@D) && $(SPIN) $(SPIN_MSI_DEFS) -a msi.pml
	cd $(@D) && $(CC) $(SPIN_CFLAGS) $(SPIN_MSI_INC) -o pan pan.c

$(B)/model/msi-BUG_%/pan: $(SPIN_MSI_SRCS)
	@mkdir -p $(@D)
	cp model/msi.pml model/msi_rules_spin.h $(@D)/
	cd $(@D) && $(SPIN) $(SPIN_MSI_DEFS) -DBUG_$* -a msi.pml
	cd $(@D) && $(CC) $(SPIN_BUG_CFLAGS) $(SPIN_MSI_INC) -o pan pan.c

check-spin-msi: $(B)/model/msi-ok/pan \
		$(addsuffix /pan,$(addprefix $(B)/model/msi-,$(SPIN_MSI_BUGS)))
	@cd $(B)/model/msi-ok && rm -f msi.pml.trail && \
		./pan $(SPIN_DEPTH) >pan.log 2>&1; \
		cat pan.log
	@if ! grep -q 'errors: 0$$' $(B)/model/msi-ok/pan.log || \
	    grep -qE 'max search depth too small|out of memory|Search not completed' \
		$(B)/model/msi-ok/pan.log || \
	    [ -e $(B)/model/msi-ok/msi.pml.trail ]; then \
		echo "check-spin-msi: FAIL: spin found an error in model/msi.pml" >&2; \
		exit 1; \
	fi
	@echo "check-spin-msi: model/msi.pml: errors: 0"
	@for bug in $(SPIN_MSI_BUGS); do \
		dir=$(B)/model/msi-$$bug; \
		rm -f $$dir/msi.pml.trail; \
		(cd $$dir && ./pan $(SPIN_DEPTH) >pan.log 2>&1); \
		grep -E '^pan:|errors:' $$dir/pan.log; \
		if grep -q 'errors: 0$$' $$dir/pan.log || \
		   [ ! -e $$dir/msi.pml.trail ]; then \
			echo "check-spin-msi: FAIL: $$bug not caught" >&2; \
			exit 1; \
		fi; \
		(cd $$dir && ./pan -r $(SPIN_DEPTH) >trail.txt 2>&1); \
		echo "check-spin-msi: $$bug caught, trail in $$dir/trail.txt"; \
	done
