/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_VIRTIO_H
#define SSI_VMM_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>

#include "pci.h"

#define VIRTIO_MAX_QUEUES	4
#define VIRTIO_QUEUE_MAX_SIZE	256
#define VIRTIO_NO_VECTOR	0xffff

struct vmm;
struct virtio_pci;

/* One split virtqueue, as the driver set it up. */
struct virtqueue {
	uint16_t size;
	uint16_t msix_vector;
	bool enabled;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;	/* next avail ring entry to take */
};

/* A descriptor chain: the driver's buffers in order, readable first. */
struct vq_chain {
	uint16_t head;
	unsigned int nr_out, nr_in;	/* device-readable, device-writable */
	struct iovec out[VIRTIO_QUEUE_MAX_SIZE];
	struct iovec in[VIRTIO_QUEUE_MAX_SIZE];
};

/* What a device type (block, later net...) plugs into the transport. */
struct virtio_device_ops {
	uint16_t device_id;		/* virtio device type, e.g. 2 = block */
	uint16_t pci_class;
	uint64_t features;
	unsigned int nr_queues;
	unsigned int config_len;
	/* Device config space, read under the transport's lock. */
	void (*read_config)(struct virtio_pci *vp, unsigned int offset,
			    uint8_t *data, unsigned int size);
	/* The driver kicked queue q; called with the transport's lock held. */
	void (*queue_notify)(struct virtio_pci *vp, unsigned int q);
};

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct virtio_pci {
	struct pci_device pci;
	struct vmm *vmm;
	const struct virtio_device_ops *ops;
	void *opaque;
	pthread_mutex_t lock;

	uint32_t device_feature_select, driver_feature_select;
	uint64_t driver_features;
	uint8_t status, config_generation, isr;
	uint16_t queue_select, config_msix_vector;
	struct virtqueue vqs[VIRTIO_MAX_QUEUES];

	struct msix_entry msix[VIRTIO_MAX_QUEUES + 1];
	uint64_t msix_pending;
};

int virtio_pci_init(struct virtio_pci *vp, struct vmm *vmm,
		    const struct virtio_device_ops *ops, void *opaque);

/* virtqueue.c: 1 with a chain, 0 when the queue is empty, -1 if broken. */
int vq_pop(struct virtio_pci *vp, struct virtqueue *vq,
	   struct vq_chain *chain);
void vq_push(struct virtqueue *vq, uint16_t head, uint32_t written);
/* Interrupts the driver for vq unless it asked not to be. */
void vq_interrupt(struct virtio_pci *vp, struct virtqueue *vq);

/* virtio_pci.c */
void virtio_pci_signal(struct virtio_pci *vp, uint16_t vector);
void virtio_pci_set_broken(struct virtio_pci *vp);

#endif /* SSI_VMM_VIRTIO_H */
