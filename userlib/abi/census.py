#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# census.py — an independent count of the ioctl commands whose number differs
# between i386 and AArch32, to check abi-gen.py's REPORT.md against.
#
#   census.py [--out FILE]     (default: userlib/abi/CENSUS.md)
#
# Method, other than abi-gen.py's at every step but the download (it reuses
# abi-gen.py's unpacked, pinned headers of each version):
#  - candidates: every object-like `#define NAME body` of a header whose body
#    text mentions _IO (_IO, _IOR, _IOW, _IOWR, DRM_IOWR, ...), found with a
#    regular expression on the header's text (no preprocessor, no macro
#    reachability, function-like macros left out);
#  - numbers: each cross compiler compiles `const unsigned int ec_N = NAME;`
#    per candidate to assembly (-S, no debug info), the values are read from
#    the `.long` directives; a line that does not compile is dropped (the
#    header alone, then after <sys/types.h> <sys/socket.h> <linux/types.h>);
#  - the census: per version, the names whose number differs between the two
#    compilers (default time_t), then the union over the versions;
#  - the comparison: against the commands of REPORT.md's "Differing commands
#    by header" whose i386 and arm numbers differ.
# Run by hand after `make abi` (it is not part of make check-abi); its output
# is committed as userlib/abi/CENSUS.md.

import argparse
import collections
import importlib.util
import multiprocessing
import os
import pickle
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(HERE))
spec = importlib.util.spec_from_file_location("abigen", os.path.join(HERE, "abi-gen.py"))
G = importlib.util.module_from_spec(spec)
spec.loader.exec_module(G)

DEF_RE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)[ \t]+(.*(?:\\\n.*)*)", re.M)
LONG_RE = re.compile(r"^(ec_\d+):\s*\n\s*\.(?:long|word|4byte)\s+(-?\d+)", re.M)
ERR_RE = re.compile(r"^[^:]*probe\.c:(\d+):\d+: (?:fatal )?error: ", re.M)
PREFIXES = [[], ["sys/types.h", "sys/socket.h", "linux/types.h"]]


def candidates(path):
    with open(path, errors="replace") as f:
        text = f.read()
    return sorted({m.group(1) for m in DEF_RE.finditer(text) if "_IO" in m.group(2)})


def numbers(task):
    """(version, header, arch, inc, drm, names) -> (version, header, arch, {name: number})"""
    vn, header, arch, inc, drm, names = task
    a = G.ARCHES[arch]
    flags = G.cflags(inc, drm, arch, "t32")
    out = {}
    with tempfile.TemporaryDirectory(prefix="ec-census-") as tmp:
        src, asm = os.path.join(tmp, "probe.c"), os.path.join(tmp, "probe.s")
        for prefix in PREFIXES:
            left = list(names)
            for _ in range(30):
                lines = [f"#include <{p}>" for p in prefix] + [f"#include <{header}>"]
                first = len(lines) + 1
                lines += [f"const unsigned int ec_{i} = ({n});" for i, n in enumerate(left)]
                with open(src, "w") as f:
                    f.write("\n".join(lines) + "\n")
                r = subprocess.run([a["cc"], *flags, "-S", "-O0", "-o", asm, src],
                                   capture_output=True, text=True, env=G.C_ENV)
                if r.returncode == 0:
                    with open(asm) as f:
                        for m in LONG_RE.finditer(f.read()):
                            out[left[int(m.group(1)[3:])]] = int(m.group(2)) & 0xffffffff
                    return vn, header, arch, out
                bad = {int(m.group(1)) - first for m in ERR_RE.finditer(r.stderr)}
                bad = {b for b in bad if 0 <= b < len(left)}
                if not bad:
                    break
                left = [n for i, n in enumerate(left) if i not in bad]
    return vn, header, arch, out


def report_numbers():
    """{name: (i386 num, arm num)} from REPORT.md's differing-commands tables."""
    got = {}
    row = re.compile(r"^\| ([A-Za-z_0-9]+)(?: \(([\d.]+) size\))? \| [^|]+ \| (\w+) \| (0x[0-9a-f]+) \d+ \| "
                     r"(0x[0-9a-f]+) \d+ \|")
    with open(os.path.join(HERE, "REPORT.md")) as f:
        for line in f:
            m = row.match(line)
            if m:
                got.setdefault(m.group(1), set()).add((int(m.group(4), 16), int(m.group(5), 16),
                                                       m.group(3)))
    return got


def report_dropped():
    """{name: reason} of REPORT.md's dropped commands."""
    out = {}
    with open(os.path.join(HERE, "REPORT.md")) as f:
        text = f.read()
    sec = text.split("### Commands dropped", 1)[-1].split("\n### ", 1)[0]
    for m in re.finditer(r"^- [^:]+: ([A-Z0-9_, ]+) \([^)]*\): (.*)$", sec, re.M):
        for n in m.group(1).split(", "):
            out[n] = m.group(2)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "CENSUS.md"))
    ap.add_argument("--numbers", help="a pickle of the numbers: written, or read if present "
                    "(to compare again after `make abi` without compiling)")
    args = ap.parse_args()
    tasks, opts, vers = [], None, []
    for v in G.VERSIONS:
        inc, drm, opts = G.fetch_version(v, opts)
        headers = G.list_headers(inc, drm)
        vers.append(v["name"])
        for h in headers:
            for a in G.ARCHES:
                p = G.header_path(inc, drm, a, h)
                if os.path.exists(p):
                    names = candidates(p)
                    if names:
                        tasks.append((v["name"], h, a, inc, drm, names))
    G.log(f"census: {len(tasks)} header/arch pairs with candidates")
    nums = collections.defaultdict(dict)   # (version, header) -> {arch: {name: num}}
    cands = collections.Counter()
    for t in tasks:
        cands[t[0]] += len(t[5]) if t[2] == "i386" else 0
    if args.numbers and os.path.exists(args.numbers):
        with open(args.numbers, "rb") as f:
            nums = pickle.load(f)
    else:
        with multiprocessing.Pool(os.cpu_count()) as pool:
            for vn, h, a, out in pool.imap_unordered(numbers, tasks, chunksize=8):
                nums[(vn, h)][a] = out
        if args.numbers:
            with open(args.numbers, "wb") as f:
                pickle.dump(dict(nums), f)
    differ = collections.defaultdict(dict)  # name -> {version: (i386, arm, header)}
    valued = collections.Counter()
    allcands = {n for t in tasks for n in t[5]}
    havenum, same = set(), set()
    for (vn, h), d in sorted(nums.items()):
        i, r = d.get("i386", {}), d.get("arm", {})
        for n in sorted(set(i) & set(r)):
            valued[vn] += 1
            havenum.add(n)
            if i[n] != r[n]:
                differ[n][vn] = (i[n], r[n], h)
            else:
                same.add(n)
    rep = report_numbers()
    repdiff = {n for n, s in rep.items() if any(a != b for a, b, _ in s)}
    t64only = {n for n, s in rep.items() if all(t == "t64" for _, _, t in s)}
    dropped = report_dropped()
    o = []
    w = o.append
    w("<!-- Generated by userlib/abi/census.py (by hand, after `make abi`). -->\n")
    w("# An independent census of the commands whose number differs\n\n")
    w("Method: see the header comment of `userlib/abi/census.py` (regular expressions\n"
      "on the header text, numbers from the cross compilers' assembly; no DWARF, no\n"
      "macro reachability).  Default time_t (t32).\n\n")
    w("| | " + " | ".join(vers) + " |\n|---|" + "---|" * len(vers) + "\n")
    w("| candidate macros (i386) | " + " | ".join(str(cands[v]) for v in vers) + " |\n")
    w("| with a number for both ABIs | " + " | ".join(str(valued[v]) for v in vers) + " |\n")
    w("| numbers differ | " + " | ".join(
        str(sum(v in d for d in differ.values())) for v in vers) + " |\n\n")
    w(f"Union over the versions: {len(differ)} names whose number differs.  REPORT.md's\n"
      f"differing commands with a differing number: {len(repdiff)}.\n\n")
    only_c = sorted(set(differ) - repdiff)
    only_r = sorted(repdiff - set(differ))
    w(f"## In the census, not in REPORT.md with a differing number ({len(only_c)})\n\n")
    for n in only_c:
        vs = differ[n]
        v0 = next(iter(vs.values()))
        why = ("UNEXPLAINED: REPORT.md has it with one number for both ABIs" if n in rep else
               f"dropped by abi-gen.py: {dropped[n]}" if n in dropped else
               "UNEXPLAINED: abi-gen.py does not list it")
        w(f"- {n} ({v0[2]}; {', '.join(vs)}): {v0[0]:#010x} / {v0[1]:#010x}: {why}\n")
    if not only_c:
        w("None.\n")
    w(f"\n## In REPORT.md, not in the census ({len(only_r)})\n\n")
    for n in only_r:
        why = ("not an object-like `#define` whose text mentions _IO (function-like, or "
               "its number built by other macros)" if n not in allcands else
               "the census gets no number for both ABIs (its header does not compile "
               "alone or after its three prerequisites, or the line fails; abi-gen.py "
               "retries with six prerequisites and with the declaring header)"
               if n not in havenum else
               "differs with 64-bit time_t only (REPORT.md: t64); the census compiles "
               "the default time_t" if n in t64only else
               "UNEXPLAINED: the census finds the same number for both ABIs")
        w(f"- {n}: {why}\n")
    if not only_r:
        w("None.\n")
    with open(args.out, "w") as f:
        f.write("".join(o))
    G.log(f"wrote {os.path.relpath(args.out, TREE)}")


if __name__ == "__main__":
    main()
