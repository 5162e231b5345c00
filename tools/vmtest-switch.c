// SPDX-License-Identifier: GPL-2.0
/*
 * vmtest-switch: a learning Ethernet switch between qemu VMs on 127.0.0.1.
 *
 * qemu's "-netdev dgram" backend is point to point: one UDP socket talks
 * to one remote address.  To join more than two VMs without multicast
 * (which would send traffic beyond loopback), every VM points its netdev
 * at its own port of this switch, which forwards each frame to the port
 * that last sent from the destination MAC, or floods it when the MAC is
 * unknown or multicast.
 *
 * Port layout for N VMs and base port B: the switch listens on 127.0.0.1
 * B+i for VM i, and VM i listens on B+N+i.  Only datagrams from
 * 127.0.0.1:B+N+i are accepted on port i.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS	64
#define MAX_MACS	256
#define ETH_ALEN	6
#define FRAME_MAX	65536

struct mac_entry {
	uint8_t mac[ETH_ALEN];
	int port;
};

static struct mac_entry macs[MAX_MACS];
static int nr_macs;

static int mac_lookup(const uint8_t *mac)
{
	for (int i = 0; i < nr_macs; i++)
		if (!memcmp(macs[i].mac, mac, ETH_ALEN))
			return macs[i].port;
	return -1;
}

static void mac_learn(const uint8_t *mac, int port)
{
	if (mac[0] & 1)		/* a multicast source is bogus: ignore */
		return;
	for (int i = 0; i < nr_macs; i++) {
		if (!memcmp(macs[i].mac, mac, ETH_ALEN)) {
			macs[i].port = port;
			return;
		}
	}
	if (nr_macs < MAX_MACS) {
		memcpy(macs[nr_macs].mac, mac, ETH_ALEN);
		macs[nr_macs++].port = port;
	}
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	return sa;
}

static int parse_int(const char *s, int min, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "vmtest-switch: bad number '%s' (%d..%d)\n",
			s, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static uint8_t frame[FRAME_MAX];
	struct pollfd pfd[MAX_PORTS];
	int base, nports, lifetime;
	time_t deadline;

	if (argc != 4) {
		fprintf(stderr,
			"usage: vmtest-switch BASE_PORT NR_PORTS LIFETIME_S\n");
		return 2;
	}
	nports = parse_int(argv[2], 2, MAX_PORTS);
	base = parse_int(argv[1], 1024, 65535 - 2 * nports);
	lifetime = parse_int(argv[3], 1, 86400);
	deadline = time(NULL) + lifetime;

	for (int i = 0; i < nports; i++) {
		struct sockaddr_in sa = loopback(base + i);

		pfd[i].fd = socket(AF_INET, SOCK_DGRAM, 0);
		pfd[i].events = POLLIN;
		if (pfd[i].fd < 0 ||
		    bind(pfd[i].fd, (struct sockaddr *)&sa, sizeof(sa))) {
			fprintf(stderr, "vmtest-switch: port %d: %s\n",
				base + i, strerror(errno));
			return 3;	/* the caller retries another base */
		}
	}
	/* Tell the caller every port is bound. */
	printf("ready\n");
	fflush(stdout);

	while (time(NULL) < deadline) {
		int n = poll(pfd, nports, 1000);

		if (n < 0 && errno != EINTR)
			return 1;
		for (int i = 0; n > 0 && i < nports; i++) {
			struct sockaddr_in from;
			socklen_t flen = sizeof(from);
			ssize_t len;
			int dst;

			if (!(pfd[i].revents & POLLIN))
				continue;
			len = recvfrom(pfd[i].fd, frame, sizeof(frame), 0,
				       (struct sockaddr *)&from, &flen);
			if (len < 2 * ETH_ALEN)
				continue;
			/* Only VM i may use port i. */
			if (from.sin_addr.s_addr != htonl(INADDR_LOOPBACK) ||
			    ntohs(from.sin_port) != base + nports + i)
				continue;
			mac_learn(frame + ETH_ALEN, i);
			dst = (frame[0] & 1) ? -1 : mac_lookup(frame);
			for (int j = 0; j < nports; j++) {
				struct sockaddr_in to =
					loopback(base + nports + j);

				if (j == i || (dst >= 0 && j != dst))
					continue;
				sendto(pfd[j].fd, frame, len, 0,
				       (struct sockaddr *)&to, sizeof(to));
			}
		}
	}
	return 0;
}
