#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# t_qemu_user_misc.sh — QEMU linux-user vs native 32-bit programs, group "misc"
# (see qemu_user.sh beside it).
exec "$(dirname "$0")/qemu_user.sh" misc
