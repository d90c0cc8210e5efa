// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * q32_hello - the smallest useful static 32-bit program (i386 and armhf,
 * tests/Makefile's q32_* rule): what tests/bench/b_qemu.c starts, natively
 * and under stock and patched QEMU linux-user, to time the start-up.  It
 * prints one line, so a run that did not really start is told apart.
 */
#include <stdio.h>

int main(void)
{
	puts("hello from a 32-bit process");
	return 0;
}
