// SPDX-License-Identifier: GPL-2.0
/*
 * virtio over PCI, the modern (virtio 1.x) interface only, with MSI-X.
 *
 * PCI rather than MMIO because it is what every guest has drivers for
 * (Windows' virtio drivers know nothing else) and what later devices need
 * anyway.  Everything lives in one 16K memory BAR:
 *
 *   0x0000 common configuration    0x3000 notify, 4 bytes per queue
 *   0x1000 ISR status              0x3800 MSI-X table
 *   0x2000 device configuration    0x3c00 MSI-X pending bits
 *
 * Only MSI-X interrupts are delivered (KVM_SIGNAL_MSI); the device has no
 * INTx pin.  Queue notifications are handled synchronously in the vCPU
 * thread that wrote the notify register.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>

#include "virtio.h"
#include "vmm.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040	/* + virtio device id */
#define VIRTIO_PCI_SUBSYS_ID	0x1100

#define BAR_SIZE		0x4000
#define COMMON_OFF		0x0000
#define COMMON_LEN		0x0038
#define ISR_OFF			0x1000
#define DEVICE_OFF		0x2000
#define NOTIFY_OFF		0x3000
#define NOTIFY_MULTIPLIER	4
#define MSIX_TABLE_OFF		0x3800
#define MSIX_PBA_OFF		0x3c00

#define CAP_MSIX		0x40
#define CAP_COMMON		0x50
#define CAP_NOTIFY		0x60
#define CAP_ISR			0x78
#define CAP_DEVICE		0x88

#define MSIX_ENTRY_MASKED	1u
#define ISR_QUEUE		1u	/* bit 0: a used ring changed */

static unsigned int nr_vectors(struct virtio_pci *vp)
{
	return vp->ops->nr_queues + 1;
}

static void add_virtio_cap(struct virtio_pci *vp, unsigned int at,
			   unsigned int next, uint8_t type, uint32_t offset,
			   uint32_t length, unsigned int cap_len)
{
	struct pci_device *pci = &vp->pci;

	pci->cfg[at] = PCI_CAP_ID_VNDR;
	pci->cfg[at + 1] = next;
	pci->cfg[at + 2] = cap_len;
	pci->cfg[at + 3] = type;
	pci->cfg[at + 4] = 0;		/* BAR 0 */
	pci_cfg_put32(pci, at + 8, offset);
	pci_cfg_put32(pci, at + 12, length);
}

static void kvm_signal_msi(struct virtio_pci *vp, unsigned int vector)
{
	struct msix_entry *e = &vp->msix[vector];
	struct kvm_msi msi = {
		.address_lo = e->addr_lo,
		.address_hi = e->addr_hi,
		.data = e->data,
	};

	if (ioctl(vp->vmm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		perror("ssi-vmm: KVM_SIGNAL_MSI");
}

static bool msix_masked(struct virtio_pci *vp, unsigned int vector)
{
	uint16_t flags = pci_cfg_get16(&vp->pci, CAP_MSIX + PCI_MSIX_FLAGS);

	return !(flags & PCI_MSIX_FLAGS_ENABLE) ||
	       (flags & PCI_MSIX_FLAGS_MASKALL) ||
	       (vp->msix[vector].ctrl & MSIX_ENTRY_MASKED);
}

/* Called with vp->lock held. */
void virtio_pci_signal(struct virtio_pci *vp, uint16_t vector)
{
	vp->isr |= ISR_QUEUE;
	if (vector >= nr_vectors(vp))
		return;		/* no vector: we have no INTx to fall back to */
	if (msix_masked(vp, vector)) {
		vp->msix_pending |= 1ULL << vector;
		return;
	}
	kvm_signal_msi(vp, vector);
}

/* Deliver what became unmasked. */
static void msix_flush_pending(struct virtio_pci *vp)
{
	unsigned int v;

	for (v = 0; v < nr_vectors(vp); v++) {
		if ((vp->msix_pending & (1ULL << v)) && !msix_masked(vp, v)) {
			vp->msix_pending &= ~(1ULL << v);
			kvm_signal_msi(vp, v);
		}
	}
}

void virtio_pci_set_broken(struct virtio_pci *vp)
{
	if (!(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		fprintf(stderr, "ssi-vmm: virtio device %u: driver broke the queue rules; device needs reset\n",
			vp->ops->device_id);
	vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
}

static void virtio_reset(struct virtio_pci *vp)
{
	unsigned int q;

	vp->device_feature_select = 0;
	vp->driver_feature_select = 0;
	vp->driver_features = 0;
	vp->status = 0;
	vp->isr = 0;
	vp->queue_select = 0;
	vp->config_msix_vector = VIRTIO_NO_VECTOR;
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		memset(&vp->vqs[q], 0, sizeof(vp->vqs[q]));
		vp->vqs[q].size = VIRTIO_QUEUE_MAX_SIZE;
		vp->vqs[q].msix_vector = VIRTIO_NO_VECTOR;
	}
}

static struct virtqueue *selected_vq(struct virtio_pci *vp)
{
	if (vp->queue_select >= vp->ops->nr_queues)
		return NULL;
	return &vp->vqs[vp->queue_select];
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t features_word(uint64_t features, uint32_t select)
{
	return select < 2 ? (uint32_t)(features >> (32 * select)) : 0;
}

/* The common configuration structure as the driver reads it. */
static void common_image(struct virtio_pci *vp, uint8_t img[COMMON_LEN])
{
	struct virtqueue *vq = selected_vq(vp);

	memset(img, 0, COMMON_LEN);
	put32(img + 0x00, vp->device_feature_select);
	put32(img + 0x04, features_word(vp->ops->features,
					vp->device_feature_select));
	put32(img + 0x08, vp->driver_feature_select);
	put32(img + 0x0c, features_word(vp->driver_features,
					vp->driver_feature_select));
	put16(img + 0x10, vp->config_msix_vector);
	put16(img + 0x12, vp->ops->nr_queues);
	img[0x14] = vp->status;
	img[0x15] = vp->config_generation;
	put16(img + 0x16, vp->queue_select);
	if (!vq)
		return;		/* a queue that does not exist has size 0 */
	put16(img + 0x18, vq->size);
	put16(img + 0x1a, vq->msix_vector);
	put16(img + 0x1c, vq->enabled);
	put16(img + 0x1e, vp->queue_select);	/* notify offset = index */
	put32(img + 0x20, vq->desc_gpa);
	put32(img + 0x24, vq->desc_gpa >> 32);
	put32(img + 0x28, vq->avail_gpa);
	put32(img + 0x2c, vq->avail_gpa >> 32);
	put32(img + 0x30, vq->used_gpa);
	put32(img + 0x34, vq->used_gpa >> 32);
}

static void set_low_high(uint64_t *v, unsigned int half, uint32_t val)
{
	if (half)
		*v = (*v & 0xffffffffULL) | (uint64_t)val << 32;
	else
		*v = (*v & ~0xffffffffULL) | val;
}

static void queue_enable(struct virtio_pci *vp, struct virtqueue *vq)
{
	struct vmm *vmm = vp->vmm;
	uint16_t n = vq->size;

	vq->desc = gpa_to_hva(vmm, vq->desc_gpa, 16ULL * n);
	vq->avail = gpa_to_hva(vmm, vq->avail_gpa, 6 + 2ULL * n);
	vq->used = gpa_to_hva(vmm, vq->used_gpa, 6 + 8ULL * n);
	if (!n || (n & (n - 1)) || !vq->desc || !vq->avail || !vq->used) {
		virtio_pci_set_broken(vp);
		return;
	}
	vq->last_avail = 0;
	vq->enabled = true;
}

static void common_write(struct virtio_pci *vp, unsigned int off,
			 uint32_t val)
{
	struct virtqueue *vq = selected_vq(vp);

	switch (off) {
	case 0x00:
		vp->device_feature_select = val;
		return;
	case 0x08:
		vp->driver_feature_select = val;
		return;
	case 0x0c:
		/* The driver may only accept what we offer. */
		if (vp->driver_feature_select < 2)
			set_low_high(&vp->driver_features,
				     vp->driver_feature_select,
				     val & (uint32_t)(vp->ops->features >>
					      (32 * vp->driver_feature_select)));
		return;
	case 0x10:
		vp->config_msix_vector = val < nr_vectors(vp) ? val :
					 VIRTIO_NO_VECTOR;
		return;
	case 0x14:
		if (!val) {
			virtio_reset(vp);
			return;
		}
		if ((val & VIRTIO_CONFIG_S_FEATURES_OK) &&
		    !(vp->driver_features & (1ULL << VIRTIO_F_VERSION_1)))
			val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
		vp->status = val | (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET);
		return;
	case 0x16:
		vp->queue_select = val;
		return;
	}
	if (!vq || vq->enabled)
		return;		/* queue fields are fixed once enabled */
	switch (off) {
	case 0x18:
		if (val && val <= VIRTIO_QUEUE_MAX_SIZE)
			vq->size = val;
		return;
	case 0x1a:
		vq->msix_vector = val < nr_vectors(vp) ? val :
				  VIRTIO_NO_VECTOR;
		return;
	case 0x1c:
		if (val == 1)
			queue_enable(vp, vq);
		return;
	case 0x20:
	case 0x24:
		set_low_high(&vq->desc_gpa, off == 0x24, val);
		return;
	case 0x28:
	case 0x2c:
		set_low_high(&vq->avail_gpa, off == 0x2c, val);
		return;
	case 0x30:
	case 0x34:
		set_low_high(&vq->used_gpa, off == 0x34, val);
		return;
	}
}

static void msix_table_access(struct virtio_pci *vp, unsigned int off,
			      uint8_t *data, unsigned int size, bool is_write)
{
	unsigned int vector = off / 16, word = (off % 16) / 4;
	uint32_t *field;

	if (vector >= nr_vectors(vp) || size != 4) {
		if (!is_write)
			memset(data, 0, size);
		return;
	}
	field = &vp->msix[vector].addr_lo + word;
	if (is_write) {
		memcpy(field, data, 4);
		msix_flush_pending(vp);
	} else {
		memcpy(data, field, 4);
	}
}

static void virtio_bar_io(void *opaque, uint64_t off, uint8_t *data,
			  unsigned int size, bool is_write)
{
	struct virtio_pci *vp = opaque;
	uint32_t val = 0;

	pthread_mutex_lock(&vp->lock);
	if (off < COMMON_OFF + COMMON_LEN) {
		if (is_write) {
			memcpy(&val, data, size > 4 ? 4 : size);
			common_write(vp, off, val);
		} else {
			uint8_t img[COMMON_LEN];

			common_image(vp, img);
			memset(data, 0, size);
			memcpy(data, img + off, off + size > COMMON_LEN ?
			       COMMON_LEN - off : size);
		}
	} else if (off == ISR_OFF) {
		if (!is_write) {
			memset(data, 0, size);
			data[0] = vp->isr;
			vp->isr = 0;	/* reading ISR acknowledges it */
		}
	} else if (off >= DEVICE_OFF && off < DEVICE_OFF + vp->ops->config_len) {
		if (!is_write)
			vp->ops->read_config(vp, off - DEVICE_OFF, data, size);
	} else if (off >= NOTIFY_OFF &&
		   off < NOTIFY_OFF + NOTIFY_MULTIPLIER * vp->ops->nr_queues) {
		unsigned int q = (off - NOTIFY_OFF) / NOTIFY_MULTIPLIER;

		if (is_write && vp->vqs[q].enabled &&
		    (vp->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
		    !(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET))
			vp->ops->queue_notify(vp, q);
	} else if (off >= MSIX_TABLE_OFF && off < MSIX_PBA_OFF) {
		msix_table_access(vp, off - MSIX_TABLE_OFF, data, size,
				  is_write);
	} else if (off >= MSIX_PBA_OFF && !is_write) {
		uint64_t pending = off == MSIX_PBA_OFF ? vp->msix_pending : 0;

		memcpy(data, &pending, size > 8 ? 8 : size);
	} else if (!is_write) {
		memset(data, 0, size);
	}
	pthread_mutex_unlock(&vp->lock);
}

/* MSI-X enable/mask changed in config space. */
static void virtio_cfg_written(struct pci_device *pci, unsigned int off,
			       unsigned int size)
{
	struct virtio_pci *vp = (struct virtio_pci *)pci;
	uint16_t flags;

	if (off + size <= CAP_MSIX + PCI_MSIX_FLAGS ||
	    off >= CAP_MSIX + PCI_MSIX_FLAGS + 2)
		return;
	pthread_mutex_lock(&vp->lock);
	flags = pci_cfg_get16(pci, CAP_MSIX + PCI_MSIX_FLAGS);
	flags = (flags & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)) |
		(nr_vectors(vp) - 1);		/* table size is read-only */
	pci_cfg_put16(pci, CAP_MSIX + PCI_MSIX_FLAGS, flags);
	msix_flush_pending(vp);
	pthread_mutex_unlock(&vp->lock);
}

int virtio_pci_init(struct virtio_pci *vp, struct vmm *vmm,
		    const struct virtio_device_ops *ops, void *opaque)
{
	struct pci_device *pci = &vp->pci;
	unsigned int v;

	memset(vp, 0, sizeof(*vp));
	vp->vmm = vmm;
	vp->ops = ops;
	vp->opaque = opaque;
	pthread_mutex_init(&vp->lock, NULL);
	virtio_reset(vp);
	for (v = 0; v < nr_vectors(vp); v++)
		vp->msix[v].ctrl = MSIX_ENTRY_MASKED;

	pci_cfg_put16(pci, PCI_VENDOR_ID, VIRTIO_PCI_VENDOR);
	pci_cfg_put16(pci, PCI_DEVICE_ID,
		      VIRTIO_PCI_DEVICE_BASE + ops->device_id);
	pci->cfg[PCI_REVISION_ID] = 1;		/* modern only */
	pci_cfg_put16(pci, PCI_CLASS_DEVICE, ops->pci_class);
	pci_cfg_put16(pci, PCI_SUBSYSTEM_VENDOR_ID, VIRTIO_PCI_VENDOR);
	pci_cfg_put16(pci, PCI_SUBSYSTEM_ID, VIRTIO_PCI_SUBSYS_ID);
	pci->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	pci_cfg_put16(pci, PCI_STATUS, PCI_STATUS_CAP_LIST);
	pci->cfg[PCI_CAPABILITY_LIST] = CAP_MSIX;

	pci->cfg[CAP_MSIX] = PCI_CAP_ID_MSIX;
	pci->cfg[CAP_MSIX + 1] = CAP_COMMON;
	pci_cfg_put16(pci, CAP_MSIX + PCI_MSIX_FLAGS, nr_vectors(vp) - 1);
	pci_cfg_put32(pci, CAP_MSIX + PCI_MSIX_TABLE, MSIX_TABLE_OFF);
	pci_cfg_put32(pci, CAP_MSIX + PCI_MSIX_PBA, MSIX_PBA_OFF);

	add_virtio_cap(vp, CAP_COMMON, CAP_NOTIFY, VIRTIO_PCI_CAP_COMMON_CFG,
		       COMMON_OFF, COMMON_LEN, 16);
	add_virtio_cap(vp, CAP_NOTIFY, CAP_ISR, VIRTIO_PCI_CAP_NOTIFY_CFG,
		       NOTIFY_OFF, NOTIFY_MULTIPLIER * ops->nr_queues, 20);
	pci_cfg_put32(pci, CAP_NOTIFY + 16, NOTIFY_MULTIPLIER);
	add_virtio_cap(vp, CAP_ISR, CAP_DEVICE, VIRTIO_PCI_CAP_ISR_CFG,
		       ISR_OFF, 4, 16);
	add_virtio_cap(vp, CAP_DEVICE, 0, VIRTIO_PCI_CAP_DEVICE_CFG,
		       DEVICE_OFF, ops->config_len, 16);

	pci->bar_size[0] = BAR_SIZE;
	pci->bar_fn[0] = virtio_bar_io;
	pci->opaque = vp;
	pci->cfg_written = virtio_cfg_written;
	return pci_register(pci);
}
