# SPDX-License-Identifier: GPL-2.0
#
# acpi/: the ACPI table library (libssiacpi.a, for ssi-vmm too), the
# ssi-acpi command, its cmocka tests and the iasl disassembly check.

ACPI_LIB_SRCS := $(filter-out acpi/ssi-acpi.c,$(wildcard acpi/*.c))
ACPI_LIB_OBJS := $(patsubst acpi/%.c,$(B)/acpi/%.o,$(ACPI_LIB_SRCS))
ACPI_HDRS := $(wildcard acpi/*.h)
ACPI_LIB := $(B)/libssiacpi.a
ACPI_CFLAGS := $(USER_CFLAGS) -Iacpi
ACPI_LIBS := $(ACPI_LIB) $(shell pkg-config --libs inih 2>/dev/null || echo -linih)
ACPI_TESTS := $(patsubst acpi/tests/%.c,$(B)/tests/%,\
	$(wildcard acpi/tests/acpi_test_*.c))

# iasl_compare.py needs python3 (acpica-tools and libinih-dev are listed
# in the top Makefile already).
DEB_PACKAGES += python3

USER_BINS += $(B)/ssi-acpi
HOSTTEST_BINS += $(ACPI_TESTS)
HOST_CHECKS += check-acpi-iasl

$(B)/acpi/%.o: acpi/%.c $(ACPI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ACPI_CFLAGS) -c -o $@ $<

$(ACPI_LIB): $(ACPI_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/ssi-acpi: acpi/ssi-acpi.c $(ACPI_LIB) $(ACPI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ACPI_CFLAGS) -o $@ $< $(ACPI_LIBS)

$(ACPI_TESTS): $(B)/tests/%: acpi/tests/%.c acpi/tests/acpi_test_util.h \
		$(ACPI_LIB) $(ACPI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ACPI_CFLAGS) -o $@ $< $(ACPI_LIBS) $(CMOCKA_LIBS)

.PHONY: check-acpi-iasl
check-acpi-iasl: $(B)/ssi-acpi
	acpi/tests/iasl-check.sh $(B)/ssi-acpi
