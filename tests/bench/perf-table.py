#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""perf-table.py -- the Performance table of docs/performance.md from
committed bench runs.

    tests/bench/perf-table.py            rewrite the block in docs/performance.md
    tests/bench/perf-table.py --check    exit 1 if docs/performance.md differs
    tests/bench/perf-table.py --save KERNEL [DIR]
                                         copy DIR/results.csv (default
                                         build/bench/KERNEL, bench.sh's
                                         output) and the report's header
                                         into tests/bench/results/ (then
                                         run it without arguments)

Input: tests/bench/results/KERNEL.csv (bench.sh's results.csv, the
B_CSV_HEADER rows) and KERNEL.meta (the report's "Guest:"/"Host:" lines).
Output: the markdown between "<!-- BEGIN perf-table -->" and
"<!-- END perf-table -->" in docs/performance.md.  Every number is read from the
CSV; the targets are issue 13's.
"""
import csv
import os
import shutil
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RES = os.path.join(TOP, "tests", "bench", "results")
DOC_REL = os.path.join("docs", "performance.md")
DOC = os.path.join(TOP, DOC_REL)
BEGIN, END = "<!-- BEGIN perf-table -->", "<!-- END perf-table -->"

# (row as b_ioctl names it, label, target ratio or None)
IOCTL_ROWS = [
    ("null (/dev/null; ENOTTY)", "no handler (`TCGETS` on `/dev/null`, `ENOTTY`)", 1.10),
    ("TCGETS (pty)", "`TCGETS` on a pty", 1.10),
    ("RTC_IRQP_READ (rtc0)", "`RTC_IRQP_READ` (rtc_dev_compat_ioctl)", 1.10),
    ("SIOCGIFCONF (UDP socket)", "`SIOCGIFCONF` (translated `ifconf`)", 1.10),
    ("SIOCGIFFLAGS", "`SIOCGIFFLAGS`", None),
    ("SNDRV_CTL_IOCTL_ELEM_READ (controlC0)", "`SNDRV_CTL_IOCTL_ELEM_READ`", None),
]


def load(kernel):
    rows = {}
    with open(os.path.join(RES, kernel + ".csv"), newline="") as f:
        for r in csv.DictReader(f):
            rows[(r["section"], r["bench"], r["row"], r["variant"])] = r
    meta = []
    path = os.path.join(RES, kernel + ".meta")
    if os.path.exists(path):
        with open(path) as f:
            meta = [line.rstrip("\n") for line in f if line.strip()]
    return rows, meta


def us(r):
    return "%.2f us" % (float(r["median"]) / 1000.0)


def ratio(r):
    return "%.2fx (%.2f-%.2f)" % (float(r["ratio_median"]), float(r["ratio_q1"]),
                                  float(r["ratio_q3"]))


def verdict(value, target):
    if target is None:
        return ""
    return "met" if value <= target else "**missed**"


def table(kernels):
    out = ["| kernel | benchmark | baseline | emucompat | ratio (median, IQR) | "
           "before: request path | target | |",
           "|---|---|---|---|---|---|---|---|"]
    for k in kernels:
        rows, _ = load(k)
        for key, label, target in IOCTL_ROWS:
            o32 = rows.get(("1", "ioctl", key, "o32"))
            emu = rows.get(("1", "ioctl", key, "emu"))
            req = rows.get(("1", "ioctl", key, "emu-req"))
            if not (o32 and emu and req):
                continue
            out.append("| %s | compat ioctl %s, per call | real 32-bit process %s | "
                       "`emucompat_ioctl32` %s | %s | %s: %s | %s | %s |" % (
                           k, label, us(o32), us(emu), ratio(emu), us(req), ratio(req),
                           "<= %.2fx" % target if target else "",
                           verdict(float(emu["ratio_median"]), target)))
        foreign = rows.get(("1b", "ioctl-abi", IOCTL_ROWS[-1][0], "foreign"))
        if foreign:
            out.append("| %s | the same, other guest ABI (translated) | real 32-bit process | "
                       "%s | %s | | | |" % (k, us(foreign), ratio(foreign)))
        for pages, target in (("1", 1.25), ("16", 1.10)):
            plain = rows.get(("2", "mmap", "pages=%s n=100" % pages, "plain"))
            emu = rows.get(("2", "mmap", "pages=%s n=100" % pages, "emu"))
            p60 = rows.get(("2", "mmap", "pages=%s n=60000" % pages, "plain"))
            e60 = rows.get(("2", "mmap", "pages=%s n=60000" % pages, "emu"))
            if not (plain and emu):
                continue
            out.append("| %s | ranged mmap, %s page%s, 100 mappings | plain `mmap` %s | "
                       "`emucompat_mmap_range` %s | %s | | <= %.2fx | %s |" % (
                           k, pages, "" if pages == "1" else "s", us(plain), us(emu),
                           ratio(emu), target, verdict(float(emu["ratio_median"]), target)))
            if p60 and e60:
                pg = float(p60["median"]) / float(plain["median"])
                eg = float(e60["median"]) / float(emu["median"])
                out.append("| %s | growth 100 -> 60 000 mappings, %s page%s | plain x%.2f | "
                           "x%.2f | %.2f of plain's | | <= 1.00 | %s |" % (
                               k, pages, "" if pages == "1" else "s", pg, eg, eg / pg,
                               verdict(eg / pg, 1.0)))
    out.append("")
    for k in kernels:
        _, meta = load(k)
        for line in meta:
            out.append("- %s: %s" % (k, line))
    return "\n".join(out) + "\n"


def render(doc):
    kernels = sorted(f[:-4] for f in os.listdir(RES) if f.endswith(".csv"))
    i, j = doc.find(BEGIN), doc.find(END)
    if i < 0 or j < i:
        sys.exit("perf-table: no %s ... %s block in %s" % (BEGIN, END, DOC_REL))
    body = ("%s\nGenerated by `tests/bench/perf-table.py` from `tests/bench/results/` "
            "(`make bench` runs, saved with `--save KERNEL`).\n\n" % BEGIN) + table(kernels)
    return doc[:i] + body + doc[j:]


def save(kernel, src=None):
    src = src or os.path.join(TOP, "build", "bench", kernel)
    os.makedirs(RES, exist_ok=True)
    shutil.copy(os.path.join(src, "results.csv"), os.path.join(RES, kernel + ".csv"))
    with open(os.path.join(src, "report.md")) as f, \
            open(os.path.join(RES, kernel + ".meta"), "w") as m:
        for line in f:
            if line.startswith(("Guest:", "Host:")):
                m.write(line)


def main():
    args = sys.argv[1:]
    if args[:1] == ["--save"] and len(args) in (2, 3):
        save(*args[1:])
        return 0
    with open(DOC) as f:
        old = f.read()
    new = render(old)
    if args == ["--check"]:
        if new != old:
            sys.stderr.write("perf-table: %s's perf-table is not what "
                             "tests/bench/perf-table.py makes of tests/bench/results/\n" % DOC_REL)
            return 1
        return 0
    if args:
        sys.exit(__doc__)
    with open(DOC, "w") as f:
        f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
