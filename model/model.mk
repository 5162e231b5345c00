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

HOST_CHECKS += check-spin

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
