// SPDX-License-Identifier: GPL-2.0
/*
 * slit.c - System Locality Information Table (ACPI 6.3 5.2.17): the full
 * node-to-node distance matrix, row = from, 10 = local.
 */
#include "table.h"

#define SLIT_REVISION	1

int ssi_acpi_build_slit(const struct ssi_topo *t, struct ssi_blob *out)
{
	unsigned int i, j;

	acpi_table_begin(out, "SLIT", SLIT_REVISION, &t->acpi);
	blob_put_u64(out, t->nr_nodes);
	for (i = 0; i < t->nr_nodes; i++)
		for (j = 0; j < t->nr_nodes; j++)
			blob_put_u8(out, t->distance[i][j]);
	return acpi_table_finish(out);
}
