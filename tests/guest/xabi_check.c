// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * xabi_check.c - compile-time proof of the hand-written layouts of
 * lib/common_xabi.h.  Never linked: tests/Makefile compiles it
 * -fsyntax-only with a 32-bit compiler, XA_ABI being that compiler's ABI,
 * against that compiler's own uapi headers (sizes, key offsets, command
 * numbers):
 *   - the FOREIGN cross compiler (arm-linux-gnueabihf-gcc for x86_64 builds,
 *     i686-linux-gnu-gcc for arm64 builds): the layout t_xabi issues through
 *     the translation is the one that ABI's compiler produces;
 *   - the oracle's compiler (the kernel's compat ABI);
 * each once with the default 32-bit time_t and once with -D_TIME_BITS=64
 * -D_FILE_OFFSET_BITS=64 (struct v4l2_event's timestamp).  t_xabi is built
 * only after these checks passed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "common_xabi.h"

#if !XA_IS32
#error "xabi_check.c: compile it with a 32-bit compiler (i686 or armhf)"
#endif

#define XA_ABI XA_KERNEL_ABI
#define XA_CHECK_UAPI
#include "common_xabi.h"
