/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's MSI rules for the verifier spin generates from
 * model/msi.pml.  Included from the model's c_decl, through this file so
 * that spin's preprocessor does not see (and expand) "linux" in the
 * header names.
 */
#ifndef _SSIHV_MODEL_MSI_RULES_SPIN_H
#define _SSIHV_MODEL_MSI_RULES_SPIN_H

#include <linux/ssihv.h>
#include "msi_rules.h"

#endif /* _SSIHV_MODEL_MSI_RULES_SPIN_H */
