// SPDX-License-Identifier: GPL-2.0
/*
 * ssihv.ko: guest memory for SSI-HV, a single-system-image hypervisor.
 *
 * Module entry points only; each subsystem lives in its own file.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/ssihv.h>

#include "ssihv.h"

static int __init ssihv_init(void)
{
	int ret;

	ret = ssihv_config_check();
	if (ret)
		return ret;
	ssihv_config_init();

	ret = ssihv_chardev_init();
	if (ret)
		return ret;

	ret = ssihv_rdma_init();
	if (ret)
		goto err_chardev;

	ret = ssihv_genl_init();
	if (ret)
		goto err_rdma;

	pr_info("ssihv: version %s loaded\n", SSIHV_MODULE_VERSION);
	return 0;

err_rdma:
	ssihv_rdma_exit();
err_chardev:
	ssihv_chardev_exit();
	return ret;
}

static void __exit ssihv_exit(void)
{
	/* Netlink first: no new requests may reach a half-torn module. */
	ssihv_genl_exit();
	ssihv_rdma_exit();
	ssihv_chardev_exit();
	pr_info("ssihv: unloaded\n");
}

module_init(ssihv_init);
module_exit(ssihv_exit);

MODULE_DESCRIPTION("SSI-HV guest memory and cluster transport");
MODULE_AUTHOR("SSI-HV developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SSIHV_MODULE_VERSION);
MODULE_ALIAS_GENL_FAMILY(SSIHV_GENL_NAME);
