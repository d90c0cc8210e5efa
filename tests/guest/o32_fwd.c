// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * o32_fwd - a real 32-bit caller for t_forwarder.
 *
 *	o32_fwd FD,CMD,SIZE,FILL,PIPE0
 *
 * issues the real ioctl(2) of this 32-bit ABI, ioctl(FD, CMD, buf), on the
 * inherited descriptor FD, with buf a SIZE-byte buffer (0: arg 0) filled
 * with the byte FILL beforehand; with PIPE0 = 1 it first puts a pipe
 * holding 3 bytes at descriptor 0.  Prints one line:
 *
 *	ret=R errno=E bytes=HEX		(E is 0 when R >= 0)
 *
 * Numbers are C literals (0x... accepted).  t_forwarder compares the line
 * with what emucompat_ioctl32() gives for the same request, and uses it to
 * see what a 32-bit process gets on a forwarding descriptor.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if UINTPTR_MAX != 0xffffffffu
#error "o32_fwd is a 32-bit caller: build it for i686 or armhf"
#endif

#define MAXBUF 4096

int main(int argc, char **argv)
{
	static unsigned char buf[MAXBUF];
	unsigned long v[5], fd, cmd, size, fill, pipe0;
	char *s, *end;
	int p[2], e = 0, n = 0;
	long r;
	size_t i;

	s = argc == 2 ? argv[1] : "";
	while (n < 5 && *s) {
		v[n++] = strtoul(s, &end, 0);
		if (end == s || (*end && *end != ','))
			break;
		s = *end ? end + 1 : end;
	}
	if (n != 5 || *s || v[2] > MAXBUF) {
		fprintf(stderr, "usage: o32_fwd FD,CMD,SIZE,FILL,PIPE0\n");
		return 2;
	}
	fd = v[0];
	cmd = v[1];
	size = v[2];
	fill = v[3];
	pipe0 = v[4];
	if (pipe0) {
		if (pipe(p) || write(p[1], "abc", 3) != 3 || dup2(p[0], 0) < 0) {
			printf("setup failed: %s\n", strerror(errno));
			return 1;
		}
	}
	memset(buf, (int)fill, sizeof(buf));
	errno = 0;
	r = ioctl((int)fd, (unsigned int)cmd, size ? (void *)buf : NULL);
	if (r < 0)
		e = errno;
	printf("ret=%ld errno=%d bytes=", r, e);
	for (i = 0; i < size; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}
