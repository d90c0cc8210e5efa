/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 part of struct ec_compat_window (arch-arm64.c).
 */
#ifndef _EMUCOMPAT_ARCH_ARM64_H
#define _EMUCOMPAT_ARCH_ARM64_H

#include <linux/preempt.h>

#if !IS_ENABLED(CONFIG_PREEMPT_NOTIFIERS)
#error "emucompat on arm64 needs CONFIG_PREEMPT_NOTIFIERS (selected by KVM)"
#endif

/**
 * struct ec_arch_window - arm64 compat window state
 * @pn: drops the compat flag while the task is scheduled out
 */
struct ec_arch_window {
	struct preempt_notifier pn;
};

#endif /* _EMUCOMPAT_ARCH_ARM64_H */
