// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk backed by a disk image file or block device (--disk
 * IMG[,ro]).  One request queue; requests are served synchronously with
 * preadv/pwritev straight into guest memory from the vCPU thread that
 * kicked the queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include "devices.h"
#include "virtio.h"
#include "vmm.h"

#define SECTOR_SIZE		512
#define BLK_SEG_MAX		(VIRTIO_QUEUE_MAX_SIZE - 2)
#define PCI_CLASS_STORAGE_OTHER	0x0180

struct virtio_blk {
	struct virtio_pci vp;
	int fd;
	bool read_only;
	uint64_t capacity;		/* in sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	struct vq_chain chain;
};

/* Copies len bytes starting at byte skip of an iovec array into buf. */
static size_t iov_read(const struct iovec *iov, unsigned int nr, size_t skip,
		       void *buf, size_t len)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < nr && done < len; i++) {
		size_t n = iov[i].iov_len;

		if (skip >= n) {
			skip -= n;
			continue;
		}
		n -= skip;
		if (n > len - done)
			n = len - done;
		memcpy((char *)buf + done, (char *)iov[i].iov_base + skip, n);
		done += n;
		skip = 0;
	}
	return done;
}

/* The part [skip, skip + len) of an iovec array, as a new iovec array. */
static unsigned int iov_slice(const struct iovec *iov, unsigned int nr,
			      size_t skip, size_t len, struct iovec *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr && len; i++) {
		size_t l = iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l -= skip;
		if (l > len)
			l = len;
		out[n].iov_base = (char *)iov[i].iov_base + skip;
		out[n++].iov_len = l;
		len -= l;
		skip = 0;
	}
	return n;
}

static size_t iov_total(const struct iovec *iov, unsigned int nr)
{
	size_t sum = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		sum += iov[i].iov_len;
	return sum;
}

/* Transfers all of iov at offset, retrying short transfers. */
static int blk_rw(struct virtio_blk *blk, struct iovec *iov, unsigned int nr,
		  off_t offset, bool write)
{
	while (nr) {
		ssize_t n = write ? pwritev(blk->fd, iov, nr, offset) :
				    preadv(blk->fd, iov, nr, offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		offset += n;
		while (nr && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			nr--;
		}
		if (nr) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

/* Serves one request; returns the bytes written into the driver's buffers. */
static uint32_t blk_request(struct virtio_blk *blk, struct vq_chain *c)
{
	static struct iovec data[VIRTIO_QUEUE_MAX_SIZE];
	struct virtio_blk_outhdr hdr;
	size_t in_len = iov_total(c->in, c->nr_in), len;
	uint8_t status = VIRTIO_BLK_S_OK;
	unsigned int nr;
	uint64_t end;

	if (iov_read(c->out, c->nr_out, 0, &hdr, sizeof(hdr)) != sizeof(hdr) ||
	    !in_len)
		return 0;	/* no room for a status: nothing to report */
	in_len--;		/* the last writable byte is the status */

	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (hdr.type == VIRTIO_BLK_T_IN) {
			len = in_len;
			nr = iov_slice(c->in, c->nr_in, 0, len, data);
		} else {
			len = iov_total(c->out, c->nr_out) - sizeof(hdr);
			nr = iov_slice(c->out, c->nr_out, sizeof(hdr), len,
				       data);
			in_len = 0;
		}
		end = hdr.sector + len / SECTOR_SIZE;
		if (len % SECTOR_SIZE || end < hdr.sector ||
		    end > blk->capacity) {
			status = VIRTIO_BLK_S_IOERR;
		} else if (hdr.type == VIRTIO_BLK_T_OUT && blk->read_only) {
			status = VIRTIO_BLK_S_IOERR;
		} else if (blk_rw(blk, data, nr, hdr.sector * SECTOR_SIZE,
				  hdr.type == VIRTIO_BLK_T_OUT) < 0) {
			status = VIRTIO_BLK_S_IOERR;
		}
		break;
	case VIRTIO_BLK_T_FLUSH:
		in_len = 0;
		if (fdatasync(blk->fd) < 0)
			status = VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID:
		len = in_len < sizeof(blk->serial) ? in_len :
						     sizeof(blk->serial);
		nr = iov_slice(c->in, c->nr_in, 0, len, data);
		for (size_t done = 0, i = 0; i < nr; i++) {
			memcpy(data[i].iov_base, blk->serial + done,
			       data[i].iov_len);
			done += data[i].iov_len;
		}
		in_len = len;
		break;
	default:
		in_len = 0;
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	/* The status byte is the last byte of the writable buffers. */
	nr = iov_slice(c->in, c->nr_in, iov_total(c->in, c->nr_in) - 1, 1,
		       data);
	*(uint8_t *)data[0].iov_base = status;
	return in_len + 1;
}

static void blk_queue_notify(struct virtio_pci *vp, unsigned int q)
{
	struct virtio_blk *blk = vp->opaque;
	struct virtqueue *vq = &vp->vqs[q];
	bool served = false;

	while (vq_pop(vp, vq, &blk->chain) == 1) {
		vq_push(vq, blk->chain.head, blk_request(blk, &blk->chain));
		served = true;
	}
	if (served)
		vq_interrupt(vp, vq);
}

static void blk_read_config(struct virtio_pci *vp, unsigned int off,
			    uint8_t *data, unsigned int size)
{
	struct virtio_blk *blk = vp->opaque;
	struct virtio_blk_config cfg = {
		.capacity = blk->capacity,
		.seg_max = BLK_SEG_MAX,
		.blk_size = SECTOR_SIZE,
	};

	memset(data, 0, size);
	if (off < sizeof(cfg))
		memcpy(data, (uint8_t *)&cfg + off,
		       off + size > sizeof(cfg) ? sizeof(cfg) - off : size);
}

static const struct virtio_device_ops blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.pci_class = PCI_CLASS_STORAGE_OTHER,
	.features = 1ULL << VIRTIO_F_VERSION_1 |
		    1ULL << VIRTIO_BLK_F_SEG_MAX |
		    1ULL << VIRTIO_BLK_F_BLK_SIZE |
		    1ULL << VIRTIO_BLK_F_FLUSH,
	.nr_queues = 1,
	.config_len = sizeof(struct virtio_blk_config),
	.read_config = blk_read_config,
	.queue_notify = blk_queue_notify,
};

static const struct virtio_device_ops blk_ro_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.pci_class = PCI_CLASS_STORAGE_OTHER,
	.features = 1ULL << VIRTIO_F_VERSION_1 |
		    1ULL << VIRTIO_BLK_F_SEG_MAX |
		    1ULL << VIRTIO_BLK_F_BLK_SIZE |
		    1ULL << VIRTIO_BLK_F_FLUSH |
		    1ULL << VIRTIO_BLK_F_RO,
	.nr_queues = 1,
	.config_len = sizeof(struct virtio_blk_config),
	.read_config = blk_read_config,
	.queue_notify = blk_queue_notify,
};

/* spec is "PATH" or "PATH,ro". */
int virtio_blk_init(struct vmm *vmm, const char *spec)
{
	static unsigned int nr_disks;
	struct virtio_blk *blk;
	uint64_t bytes;
	struct stat st;
	char *path;
	size_t len;

	blk = calloc(1, sizeof(*blk));
	path = strdup(spec);
	if (!blk || !path)
		return -1;
	len = strlen(path);
	if (len > 3 && !strcmp(path + len - 3, ",ro")) {
		path[len - 3] = '\0';
		blk->read_only = true;
	}
	blk->fd = open(path, (blk->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (blk->fd < 0) {
		fprintf(stderr, "ssi-vmm: cannot open disk %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (fstat(blk->fd, &st) < 0) {
		fprintf(stderr, "ssi-vmm: disk %s: %s\n", path, strerror(errno));
		return -1;
	}
	bytes = st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(blk->fd, BLKGETSIZE64, &bytes) < 0) {
		fprintf(stderr, "ssi-vmm: disk %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "ssi-vmm: disk %s is not a file or block device\n",
			path);
		return -1;
	}
	if (bytes < SECTOR_SIZE || bytes % SECTOR_SIZE) {
		fprintf(stderr, "ssi-vmm: disk %s: size %llu is not a non-zero multiple of 512\n",
			path, (unsigned long long)bytes);
		return -1;
	}
	blk->capacity = bytes / SECTOR_SIZE;
	snprintf(blk->serial, sizeof(blk->serial), "ssi-vmm-disk%u",
		 nr_disks++);
	free(path);
	if (virtio_pci_init(&blk->vp, vmm,
			    blk->read_only ? &blk_ro_ops : &blk_ops, blk) < 0) {
		fprintf(stderr, "ssi-vmm: no room on the PCI bus for disk %s\n",
			spec);
		return -1;
	}
	return 0;
}
