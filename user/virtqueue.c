// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues (virtio 1.x, 2.7): taking descriptor chains from the
 * available ring and returning them on the used ring.
 *
 * The rings live in guest memory and the driver writes them concurrently,
 * so each index is read once, with acquire ordering against the entries it
 * publishes, and every descriptor is checked before use: a bad index,
 * address or loop marks the device broken instead of trusting the guest.
 * No indirect descriptors and no event index are offered, which keeps
 * this simple.
 */
#include "virtio.h"
#include "vmm.h"

static uint16_t load_acquire16(const uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

int vq_pop(struct virtio_pci *vp, struct virtqueue *vq,
	   struct vq_chain *chain)
{
	uint16_t avail_idx = load_acquire16(&vq->avail->idx);
	unsigned int count = 0;
	uint16_t i;

	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		goto broken;
	if (avail_idx == vq->last_avail)
		return 0;
	chain->head = vq->avail->ring[vq->last_avail % vq->size];
	vq->last_avail++;
	chain->nr_out = 0;
	chain->nr_in = 0;

	i = chain->head;
	for (;;) {
		struct vring_desc d;
		void *hva;

		if (i >= vq->size || ++count > vq->size)
			goto broken;
		d = vq->desc[i];
		if (d.flags & VRING_DESC_F_INDIRECT)
			goto broken;
		hva = gpa_to_hva(vp->vmm, d.addr, d.len);
		if (!hva)
			goto broken;
		if (d.flags & VRING_DESC_F_WRITE) {
			chain->in[chain->nr_in].iov_base = hva;
			chain->in[chain->nr_in++].iov_len = d.len;
		} else {
			/* Readable buffers must all come first. */
			if (chain->nr_in)
				goto broken;
			chain->out[chain->nr_out].iov_base = hva;
			chain->out[chain->nr_out++].iov_len = d.len;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		i = d.next;
	}
	return 1;
broken:
	virtio_pci_set_broken(vp);
	return -1;
}

void vq_push(struct virtqueue *vq, uint16_t head, uint32_t written)
{
	uint16_t idx = vq->used->idx;
	struct vring_used_elem *e = &vq->used->ring[idx % vq->size];

	e->id = head;
	e->len = written;
	/* The entry must be visible before the index that publishes it. */
	__atomic_store_n(&vq->used->idx, (uint16_t)(idx + 1),
			 __ATOMIC_RELEASE);
}

void vq_interrupt(struct virtio_pci *vp, struct virtqueue *vq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->avail->flags & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	virtio_pci_signal(vp, vq->msix_vector);
}
