#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# guest_abi_layout.py SRC OUT — OUT (layout.h) from SRC (guest_abi_layout.c),
# for t_guest_abi (tests/Makefile runs it).
#
# SRC is compiled -S against every uapi version the guest-ABI tables are
# generated from (userlib/abi/abi-gen.py's VERSIONS: 6.1, 6.12, 7.3), in
# each of the generator's four configurations (i386 and arm, 32-bit and
# 64-bit time_t/off_t), with the generator's own compilers and flags
# (abi-gen.py's cflags(): -nostdinc, the compiler's include dir, the
# version's headers and asm dir, its drm/ dir, the cross glibc headers).
# The trees are the generator's: fetched by its fetch_version() into
# ${EMUCOMPAT_CACHE:-~/.cache/emucompat}/abi/ when not there yet (a private
# apt-get update of bookworm, trixie and trixie-backports, then the pinned
# linux-libc-dev debs, dpkg -x; nothing is compiled or analysed), under a
# lock there so that concurrent builds fetch once.
#
# Each "->GL" line of an assembly becomes a row (see guest_abi_layout.c):
#   static const struct gl_row gl_<arch>_<time>_<version>[]
# and the list of versions:
#   static const struct gl_uapi gl_uapi[] = { { "6.1", { i386 t32, t64 },
#                                               { arm t32, t64 } }, ...
# (struct gl_row and struct gl_uapi are t_guest_abi.c's).

import concurrent.futures
import fcntl
import importlib.util
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "..", "userlib", "abi", "abi-gen.py")
GL_CFLAGS = ["-O2", "-D_GNU_SOURCE", "-Wall", "-Werror"]
GL_RE = re.compile(r'^\s*\.ascii\s*"->GL ([CMN]) (\S+) [$#]*(-?\d+) [$#]*(\d+) [$#]*(\d+)"', re.M)
MIN_CMDS = 50  # a compile that yields fewer commands than this is broken


def die(msg):
    sys.exit(f"guest_abi_layout.py: {msg}")


def main():
    if len(sys.argv) != 3:
        die("usage: guest_abi_layout.py SRC OUT")
    src, out = sys.argv[1:]
    spec = importlib.util.spec_from_file_location("abi_gen", GEN)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)

    os.makedirs(gen.CACHE, exist_ok=True)
    with open(os.path.join(gen.CACHE, ".fetch.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        opts, trees = None, []
        for v in gen.VERSIONS:
            inc, drm, opts = gen.fetch_version(v, opts)
            trees.append((v["name"], inc, drm))

    jobs = [(vname, inc, drm, arch, t) for vname, inc, drm in trees
            for arch in gen.ARCHES for t in gen.TIMES]

    def compile_one(job):
        vname, inc, drm, arch, t = job
        cc = gen.ARCHES[arch]["cc"]
        flags = [f for f in gen.cflags(inc, drm, arch, t) if f != "-w"]
        return subprocess.run([cc, *GL_CFLAGS, *flags, "-S", "-o", "-", src],
                              capture_output=True, text=True)

    with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
        results = list(pool.map(compile_one, jobs))

    text = ["/* generated from tests/guest/guest_abi_layout.c by "
            "tests/guest/guest_abi_layout.py: do not edit */"]
    for (vname, inc, drm, arch, t), r in zip(jobs, results):
        vid = vname.replace(".", "_")
        if r.returncode:
            sys.stderr.write(r.stderr)
            die(f"{gen.ARCHES[arch]['cc']} against uapi {vname} ({arch}, {t}) failed")
        rows = GL_RE.findall(r.stdout)
        ncmds = sum(k == "C" for k, *_ in rows)
        if ncmds < MIN_CMDS:
            die(f"uapi {vname} ({arch}, {t}): only {ncmds} commands")
        text.append(f"static const struct gl_row gl_{arch}_{t}_{vid}[] = {{")
        text += [f"\t{{ '{k}', \"{n}\", (uint32_t)({a}), {s}, {al} }},"
                 for k, n, a, s, al in rows]
        text += ["\t{ 0, NULL, 0, 0, 0 }", "};"]
    ids = [(vname, vname.replace(".", "_")) for vname, _, _ in trees]
    text.append("static const struct gl_uapi gl_uapi[] = {")
    text += [f"\t{{ \"{vn}\", {{ gl_i386_t32_{vid}, gl_i386_t64_{vid} }}, "
             f"{{ gl_arm_t32_{vid}, gl_arm_t64_{vid} }} }}," for vn, vid in ids]
    text += ["\t{ NULL, { NULL, NULL }, { NULL, NULL } }", "};"]
    with open(out + ".tmp", "w") as f:
        f.write("\n".join(text) + "\n")
    os.rename(out + ".tmp", out)


if __name__ == "__main__":
    main()
