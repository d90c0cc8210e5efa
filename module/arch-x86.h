/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 part of struct ec_compat_window (arch-x86.c): the compat flag needs
 * nothing besides the saved flag.
 */
#ifndef _EMUCOMPAT_ARCH_X86_H
#define _EMUCOMPAT_ARCH_X86_H

/**
 * struct ec_arch_window - x86-64 compat window state (none)
 */
struct ec_arch_window {
};

#endif /* _EMUCOMPAT_ARCH_X86_H */
