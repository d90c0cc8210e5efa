#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# t_qemu_user_v4l2c.sh — QEMU linux-user vs native 32-bit programs, group "v4l2c"
# (see qemu_user.sh beside it).
exec "$(dirname "$0")/qemu_user.sh" v4l2c
