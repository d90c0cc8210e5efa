// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * box32-getopt - an i386 program that parses its arguments with
 * getopt_long() and reads optarg, as amixer, v4l2-ctl and most command-line
 * programs do; built as a PIE, it reaches optarg through its GOT
 * (R_386_GLOB_DAT).  Prints what it parsed and the permuted argv.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	static int flag;
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "flag", no_argument, &flag, 7 },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c, idx = -1;

	while ((c = getopt_long(argc, argv, "n:vx:", opts, &idx)) != -1) {
		if (c == 0)
			printf("long option %s (index %d): flag=%d\n", opts[idx].name, idx, flag);
		else if (c == '?')
			printf("unknown option (optopt=%d)\n", optopt);
		else
			printf("option %c: optarg=%s optind=%d\n", c, optarg ? optarg : "(null)", optind);
	}
	for (c = optind; c < argc; c++)
		printf("operand %d: %s\n", c - optind, argv[c]);
	return 0;
}
