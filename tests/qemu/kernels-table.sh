#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels-table.sh [LOGDIR] — the README's "Supported kernels" table, in
# Markdown, from the KERNEL.result files the last run.sh runs left in LOGDIR
# (default: $EMUCOMPAT_LOGDIR or /tmp/emucompat-logs).
#   make check-all && tests/qemu/kernels-table.sh
set -euo pipefail

logdir=${1:-${EMUCOMPAT_LOGDIR:-/tmp/emucompat-logs}}
here=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
results=("$logdir"/*.result)
[ ${#results[@]} -gt 0 ] || { echo "kernels-table: no *.result in $logdir" >&2; exit 1; }

echo "| kernel | Debian package version | arch | passed | failed | skipped | verdict | date |"
echo "|---|---|---|---|---|---|---|---|"
for r in "${results[@]}"; do
	unset kernel debver passed failed skipped verdict mode
	# shellcheck disable=SC1090
	. <(grep -E '^(kernel|debver|passed|failed|skipped|verdict|mode)=' "$r" | sed 's/=\(.*\)/="\1"/')
	[ "${mode:-suite}" = suite ] || continue
	arch=$(awk -v k="$kernel" '$1 == k { print $2 }' "$here/kernels.conf")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$kernel" "$debver" \
		"${arch:-?}" "$passed" "$failed" "$skipped" "$verdict" \
		"$(date -u -r "$r" +%Y-%m-%d)"
done
