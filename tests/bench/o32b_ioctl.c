// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * o32b_ioctl - the 32-bit side of b_ioctl: a real static i386 (amd64
 * guests) or armhf (arm64 guests) process issuing the same ioctls in a
 * loop, through the kernel's own compat syscall path.  It times itself.
 *
 *   o32b_ioctl NULLFD PTYFD SOCKFD RTCFD CTLFD  (descriptors inherited from
 *                                          b_ioctl; RTCFD -1 without /dev/rtc0,
 *                                          CTLFD -1 without /dev/snd/controlC0)
 *
 * Reads commands on stdin, one per line, answers one line each on stdout:
 *   "OP ITERS"  ->  "NS RET ERRNO"   NS: nanoseconds for ITERS calls,
 *                                    RET/ERRNO of the last call
 *   "q"         ->  exits
 * OP is null (TCGETS on /dev/null: ENOTTY), tcgets (pty), ifconf
 * (SIOCGIFCONF, UDP socket), ifflags (SIOCGIFFLAGS "lo", UDP socket),
 * rtc (RTC_IRQP_READ on /dev/rtc0: an unsigned long, 4 bytes here),
 * elemread (SNDRV_CTL_IOCTL_ELEM_READ of numid 1 on the ALSA control device).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <asm/termbits.h>
#include <linux/rtc.h>
#include <sound/asound.h>

#include "bench.h"

#if __SIZEOF_POINTER__ != 4
#error "o32b_ioctl is the 32-bit oracle"
#endif

int main(int argc, char **argv)
{
	int nullfd, ptyfd, sockfd, rtcfd, ctlfd;
	static struct snd_ctl_elem_value elem;
	unsigned long freq;
	char line[128], op[32];
	struct ifreq ifr_conf[8];
	struct ifconf ifc;
	struct ifreq ifr;
	struct termios tio;	/* the kernel's struct termios (asm/termbits.h) */

	if (argc != 6)
		return 2;
	nullfd = atoi(argv[1]);
	ptyfd = atoi(argv[2]);
	sockfd = atoi(argv[3]);
	rtcfd = atoi(argv[4]);
	ctlfd = atoi(argv[5]);
	elem.id.numid = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	memset(ifr_conf, 0, sizeof(ifr_conf));
	ifc.ifc_len = sizeof(ifr_conf);
	ifc.ifc_req = ifr_conf;

	while (fgets(line, sizeof(line), stdin)) {
		long iters, i;
		uint64_t t0, t1;
		int ret = 0, err = 0;

		if (line[0] == 'q')
			break;
		if (sscanf(line, "%31s %ld", op, &iters) != 2)
			return 2;
		errno = 0;
		if (!strcmp(op, "null")) {
			t0 = b_now();
			for (i = 0; i < iters; i++)
				ret = ioctl(nullfd, TCGETS, &tio);
			t1 = b_now();
		} else if (!strcmp(op, "tcgets")) {
			t0 = b_now();
			for (i = 0; i < iters; i++)
				ret = ioctl(ptyfd, TCGETS, &tio);
			t1 = b_now();
		} else if (!strcmp(op, "ifconf")) {
			t0 = b_now();
			for (i = 0; i < iters; i++)
				ret = ioctl(sockfd, SIOCGIFCONF, &ifc);
			t1 = b_now();
		} else if (!strcmp(op, "ifflags")) {
			t0 = b_now();
			for (i = 0; i < iters; i++)
				ret = ioctl(sockfd, SIOCGIFFLAGS, &ifr);
			t1 = b_now();
		} else if (!strcmp(op, "rtc")) {
			t0 = b_now();
			for (i = 0; i < iters; i++)
				ret = ioctl(rtcfd, RTC_IRQP_READ, &freq);
			t1 = b_now();
		} else if (!strcmp(op, "elemread")) {
			t0 = b_now();
			for (i = 0; i < iters; i++)
				ret = ioctl(ctlfd, SNDRV_CTL_IOCTL_ELEM_READ, &elem);
			t1 = b_now();
		} else {
			return 2;
		}
		err = ret < 0 ? errno : 0;
		printf("%llu %d %d\n", (unsigned long long)(t1 - t0), ret, err);
	}
	return 0;
}
