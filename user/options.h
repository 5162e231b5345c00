/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_OPTIONS_H
#define SSI_VMM_OPTIONS_H

#include <stdio.h>

#include "vmm.h"

enum options_result {
	OPTIONS_OK,
	OPTIONS_HELP,	/* --help: usage printed, exit 0 */
	OPTIONS_ERROR,	/* one line printed to err, exit non-zero */
};

enum options_result options_parse(int argc, char **argv,
				  struct vmm_config *cfg, FILE *err);
void options_usage(FILE *out);

#endif /* SSI_VMM_OPTIONS_H */
