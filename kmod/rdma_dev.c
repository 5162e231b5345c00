// SPDX-License-Identifier: GPL-2.0
/*
 * RDMA devices and the transport's start and stop.
 *
 * rdma_cm picks the device that owns a peer's address, so the transport
 * needs no device of its own choosing; the ib_client tracks which devices
 * exist (for the log and for removal) and, when one goes away, tears down
 * every connection on it before ib_core continues: clients are removed in
 * reverse order of registration, so this runs before rdma_cm's own removal.
 * The module works without any RDMA device: nodes then stay down.
 */
#include <linux/module.h>
#include <rdma/ib_verbs.h>

#include "rdma.h"
#include "ssihv.h"

static atomic_t ssihv_nr_devices;
static bool ssihv_rdma_started;

static int ssihv_ib_add(struct ib_device *dev)
{
	atomic_inc(&ssihv_nr_devices);
	pr_info("ssihv: RDMA device %s added\n", dev_name(&dev->dev));
	return 0;
}

static void ssihv_ib_remove(struct ib_device *dev, void *client_data)
{
	pr_info("ssihv: RDMA device %s removed\n", dev_name(&dev->dev));
	ssihv_conn_fail_device(dev);
	atomic_dec(&ssihv_nr_devices);
}

static struct ib_client ssihv_ib_client = {
	.name	= "ssihv",
	.add	= ssihv_ib_add,
	.remove	= ssihv_ib_remove,
};

int ssihv_rdma_init(void)
{
	int ret;

	ret = ssihv_page_pool_init();
	if (ret)
		return ret;
	ret = ssihv_conn_init();
	if (ret)
		goto err_pool;
	ret = ssihv_node_init();
	if (ret)
		goto err_conn;
	ret = ib_register_client(&ssihv_ib_client);
	if (ret)
		goto err_node;
	ret = ssihv_conn_listen();
	if (ret)
		pr_warn("ssihv: no rdma_cm listener on port %u (%d): only outgoing connections\n",
			ssihv_rdma_port, ret);
	ssihv_rdma_started = true;
	return 0;

err_node:
	ssihv_node_exit();
err_conn:
	ssihv_conn_exit();
err_pool:
	ssihv_page_pool_exit();
	return ret;
}

void ssihv_rdma_exit(void)
{
	if (!ssihv_rdma_started)
		return;
	ssihv_conn_stop_listen();
	ssihv_node_exit();
	ib_unregister_client(&ssihv_ib_client);
	ssihv_conn_exit();
	ssihv_page_pool_exit();
}
