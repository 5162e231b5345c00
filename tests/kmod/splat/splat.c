// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to make the kernel complain, so that the VM
 * test bed's splat detector can be shown to work: loading it with
 * kind=warn hits WARN_ON(1).  Never built into anything shipped.
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/string.h>

static char *kind = "warn";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "what to trigger at load: warn");

static int __init splat_init(void)
{
	if (!strcmp(kind, "warn"))
		WARN_ON(1);
	return 0;
}

static void __exit splat_exit(void)
{
}

module_init(splat_init);
module_exit(splat_exit);
MODULE_DESCRIPTION("SSI-HV test bed: deliberately trigger kernel splats");
MODULE_LICENSE("GPL");
