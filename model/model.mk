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

# model/pan-check runs a verifier and judges it (see there).
PAN_CHECK := PAN_FLAGS="$(SPIN_DEPTH)" model/pan-check

check-spin: $(B)/model/ok/pan
	@$(PAN_CHECK) ok $(B)/model/ok coherence.pml
	$(MAKE) check-spin-bug

# A seeded bug must be caught: pan stops at the first error, writes a
# trail, and the trail is replayed (its last steps shown).
check-spin-bug: $(addsuffix /pan,$(addprefix $(B)/model/,$(SPIN_BUGS)))
	@for bug in $(SPIN_BUGS); do \
		$(PAN_CHECK) bug $(B)/model/$$bug coherence.pml \
			$(SPIN) $(SPIN_DEFS) -D$$bug -t -p coherence.pml || \
			exit 1; \
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
	@$(PAN_CHECK) ok $(B)/model/msi-ok msi.pml
	@for bug in $(SPIN_MSI_BUGS); do \
		$(PAN_CHECK) bug $(B)/model/msi-$$bug msi.pml \
			./pan -r $(SPIN_DEPTH) || exit 1; \
	done
