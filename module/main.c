// SPDX-License-Identifier: GPL-2.0
/*
 * emucompat — compat ioctls and ranged mappings for binary translators.
 *
 * Module init and exit only: each part that owns global state is set up
 * in order and torn down in reverse.  The device comes last, so nothing
 * can call in before the rest is ready.
 */
#include <linux/module.h>
#include "emucompat.h"

static int __init ec_mod_init(void)
{
	int ret;

	ret = ec_arch_init();
	if (ret)
		goto err_arch;
	ret = ec_va_limits_init();
	if (ret)
		goto err_va_limits;
	ret = ec_device_init();
	if (ret)
		goto err_device;

	pr_info(KBUILD_MODNAME ": version " EC_VERSION " loaded (api %d%s)\n",
		EMUCOMPAT_API_VERSION,
		EC_NEEDS_PIVOT ? ", stack pivot for compat_alloc_user_space" : "");
	return 0;

err_device:
	ec_va_limits_exit();
err_va_limits:
	ec_arch_exit();
err_arch:
	return ret;
}

static void __exit ec_mod_exit(void)
{
	ec_device_exit();
	ec_va_limits_exit();
	ec_arch_exit();
}

module_init(ec_mod_init);
module_exit(ec_mod_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("emucompat developers");
MODULE_DESCRIPTION("Compat ioctls and ranged mappings for binary translators");
MODULE_VERSION(EC_VERSION);
