#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# abi-gen.py — find the ioctl commands whose number or argument layout
# differs between the two ILP32 guest ABIs (i386 and AArch32 EABI), and
# generate the library's translation tables from that.
#
#   abi-gen.py [--out DIR]     write DIR/userlib/abi/REPORT.md,
#                              DIR/userlib/abi-tables.h,
#                              DIR/docs/guest-abis.md
#                              (default DIR: the tree this script is in)
#
# Method:
#  1. Download linux-libc-dev:i386 and :armhf at the pinned version PIN, and
#     libdrm-dev:i386 at LIBDRM_PIN for the drm/ headers (a private apt
#     configuration; nothing of the system's apt is touched), unpack them
#     with dpkg -x into ${EMUCOMPAT_CACHE:-~/.cache/emucompat}/abi/.
#  2. For every uapi header and each of four configurations (i386 and arm,
#     each with 32-bit and with 64-bit time_t/off_t), with the Debian cross
#     compilers (-nostdinc; the compiler's include dir, the pinned headers,
#     their asm dir, the pinned drm/ headers, the cross glibc headers -- which
#     come last: the cross sysroot has uapi headers of its own, drm/ too):
#     a. `gcc -E -dD` lists the macros the header itself defines; those whose
#        expansion reaches _IOC (directly, through _IOR/_IOW/_IOWR/_IO, or
#        through other macros such as DRM_IOWR) are commands.  Function-like
#        ones (EVIOCGNAME(len)) are invoked with the argument 1; function-like
#        helpers (used by other macros, or taking the type) are not commands.
#     b. A probe file after the header defines, per command, an enumerator
#        `enum { ec_n_N = CMD }` (the number, with the real macros), then
#        redefines _IOR/_IOW/_IOWR to `((__typeof__(size) *)0)` and declares
#        `__typeof__(CMD) ec_t_N;` (a pointer to the argument type).  A
#        line that fails to compile is dropped (counted); a header that does
#        not compile alone is retried after a few common prerequisites.
#     c. The object's DWARF, read with pyelftools, gives the numbers and the
#        full layout of every argument type, recursively (members, arrays,
#        unions, bitfields, and the structs behind pointers).
#  3. i386-t32 is compared with arm-t32, i386-t64 with arm-t64, command by
#     command, member by member; the result is a list of byte spans
#     (guest offset, kernel offset, length) per command and direction, or
#     a reason why the command cannot be translated.
#  4. Outputs: userlib/abi/REPORT.md, userlib/abi-tables.h, and the region
#     of docs/guest-abis.md between <!-- BEGIN abi-table --> and <!-- END abi-table -->.
#     Everything is sorted; no timestamps, no absolute paths.
#
# Python 3.11, stdlib + pyelftools (Debian: python3-pyelftools).

import argparse
import collections
import hashlib
import io
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile

from elftools.elf.elffile import ELFFile

# The pinned linux-libc-dev.  Bookworm's main suite is frozen since its
# final point release, so a version living there stays downloadable.  To
# re-pin: `apt-cache madison linux-libc-dev` against bookworm (see
# apt_opts() for the private configuration), set PIN, run `make abi`.
PIN = "6.1.176-1"
# Debian's linux-libc-dev leaves out the kernel's uapi drm/ headers: libdrm
# ships them (the same files, synced from the kernel by libdrm's maintainers)
# in /usr/include/libdrm/.  The pinned libdrm-dev (bookworm main, frozen; the
# headers are the same in every architecture's package, one is unpacked)
# provides them as <drm/NAME.h>: drm.h, drm_*.h and *_drm.h, not libdrm's
# own API headers.
LIBDRM_PIN = "2.4.114-1+b1"

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(HERE))
DOC_ABI = "docs/guest-abis.md"   # the generated table's page (between the abi-table markers)
CACHE = os.path.join(os.environ.get("EMUCOMPAT_CACHE") or
                     os.path.join(os.path.expanduser("~"), ".cache", "emucompat"), "abi")
SOURCES = """\
deb [arch=i386,armhf signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [arch=i386,armhf signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
deb [arch=i386,armhf signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
"""

ARCHES = {
    "i386": {"cc": "i686-linux-gnu-gcc", "deb": "i386", "triplet": "i386-linux-gnu",
             "sysroot": "/usr/i686-linux-gnu/include"},
    "arm": {"cc": "arm-linux-gnueabihf-gcc", "deb": "armhf", "triplet": "arm-linux-gnueabihf",
            "sysroot": "/usr/arm-linux-gnueabihf/include"},
}
TIMES = {"t32": [], "t64": ["-D_TIME_BITS=64", "-D_FILE_OFFSET_BITS=64"]}
CONFIGS = [(a, t) for a in ARCHES for t in TIMES]
PREREQS = ["stddef.h", "stdint.h", "sys/types.h", "linux/types.h", "sys/socket.h", "sys/time.h"]
IOC_PRIMS = {"_IOC", "_IO", "_IOR", "_IOW", "_IOWR", "_IOR_BAD", "_IOW_BAD", "_IOWR_BAD"}
TYPED_PRIMS = ["_IOR", "_IOW", "_IOWR", "_IOR_BAD", "_IOW_BAD", "_IOWR_BAD"]
# Headers that define the _IO* machinery itself: no commands there.
IOCTL_MACHINERY = {"linux/ioctl.h", "asm/ioctl.h", "asm-generic/ioctl.h"}
# Headers whose plain integer macros are ioctl numbers (literal numbers,
# such as FIOQSIZE): compared between the ABIs by name.
LITERAL_HEADERS = {"asm/ioctls.h", "asm-generic/ioctls.h", "asm/sockios.h",
                   "asm-generic/sockios.h", "linux/sockios.h"}
# Literal-number special cases: (name, direction) pairs that get no row.
# FIOQSIZE is 0x545E in arm's asm/ioctls.h, 0x5460 in asm-generic; arm64's
# compat layer (fs/ioctl.c compat_ioctl) implements the asm-generic 0x5460,
# not arm's 0x545E, so an i386 guest's 0x5460 needs no renumbering on an
# arm64 host.  An arm guest's 0x545E on an x86-64 host becomes 0x5460.
LITERAL_NO_ROW = {("FIOQSIZE", "i386_on_arm")}

DIRECTIONS = [  # (name, guest arch, kernel arch)
    ("i386_on_arm", "i386", "arm"),
    ("arm_on_i386", "arm", "i386"),
]


def log(msg):
    print(f"abi-gen: {msg}", file=sys.stderr, flush=True)


def die(msg):
    log(msg)
    sys.exit(1)


# ---------------------------------------------------------------- download

def apt_opts(aptdir):
    return ["-o", f"Dir::Etc::SourceList={aptdir}/sources.list",
            "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={aptdir}/lists",
            "-o", f"Dir::Cache={aptdir}/cache",
            "-o", "APT::Architectures::=i386", "-o", "APT::Architectures::=armhf",
            "-o", "APT::Sandbox::User=root", "-q"]


def private_apt():
    """The private apt options, with fresh lists (once per run)."""
    aptdir = os.path.join(CACHE, "apt")
    for d in ("lists/partial", "cache/archives/partial"):
        os.makedirs(os.path.join(aptdir, d), exist_ok=True)
    with open(os.path.join(aptdir, "sources.list"), "w") as f:
        f.write(SOURCES)
    opts = apt_opts(aptdir)
    log(f"apt-get update (private lists in {aptdir})")
    if subprocess.run(["apt-get", *opts, "update"], stdout=sys.stderr).returncode:
        die("apt-get update failed")
    return opts


def apt_download(opts, pkgs, cwd, what, pin_var):
    log(f"apt-get download {' '.join(pkgs)}")
    if subprocess.run(["apt-get", *opts, "download", *pkgs], cwd=cwd,
                      stdout=sys.stderr).returncode:
        name = pkgs[0].split("=")[0]
        offered = subprocess.run(["apt-cache", *opts, "madison", name],
                                 capture_output=True, text=True).stdout
        die(f"{what} is no longer downloadable from bookworm.\n"
            f"The mirror offers:\n{offered}"
            f"Re-pin: set {pin_var} in {os.path.relpath(__file__, TREE)} to one of these "
            "(prefer the bookworm main suite, which is frozen), then run `make abi` "
            "and commit the regenerated files.")


def fetch_libdrm(opts_cache):
    """The drm/ uapi headers of the pinned libdrm-dev: a dir holding drm/."""
    root = os.path.join(CACHE, f"libdrm-dev-{LIBDRM_PIN}")
    inc = os.path.join(root, "include")
    if os.path.exists(os.path.join(root, ".done")):
        return inc
    opts = opts_cache or private_apt()
    tmp = root + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    apt_download(opts, [f"libdrm-dev:i386={LIBDRM_PIN}"], tmp, f"libdrm-dev {LIBDRM_PIN}",
                 "LIBDRM_PIN")
    deb = [f for f in os.listdir(tmp) if f.endswith(".deb")][0]
    subprocess.run(["dpkg", "-x", os.path.join(tmp, deb), os.path.join(tmp, "x")], check=True)
    src = os.path.join(tmp, "x", "usr", "include", "libdrm")
    dst = os.path.join(tmp, "include", "drm")
    os.makedirs(dst)
    for fn in sorted(os.listdir(src)):
        if fn.endswith(".h") and (fn.startswith("drm") or fn.endswith("_drm.h")):
            shutil.copy(os.path.join(src, fn), dst)
    shutil.rmtree(os.path.join(tmp, "x"))
    os.unlink(os.path.join(tmp, deb))
    shutil.rmtree(root, ignore_errors=True)
    os.rename(tmp, root)
    open(os.path.join(root, ".done"), "w").close()
    return inc


def fetch_headers():
    """The unpacked pinned linux-libc-dev per arch: {arch: usr/include dir},
    and the drm/ headers' include dir."""
    root = os.path.join(CACHE, f"linux-libc-dev-{PIN}")
    inc = {a: os.path.join(root, ARCHES[a]["deb"], "usr", "include") for a in ARCHES}
    if os.path.exists(os.path.join(root, ".done")):
        return inc, fetch_libdrm(None)
    opts = private_apt()
    tmp = root + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    pkgs = [f"linux-libc-dev:{ARCHES[a]['deb']}={PIN}" for a in ARCHES]
    apt_download(opts, pkgs, tmp, f"linux-libc-dev {PIN}", "PIN")
    for a in ARCHES:
        deb = os.path.join(tmp, f"linux-libc-dev_{PIN}_{ARCHES[a]['deb']}.deb")
        subprocess.run(["dpkg", "-x", deb, os.path.join(tmp, ARCHES[a]["deb"])], check=True)
        os.unlink(deb)
    shutil.rmtree(root, ignore_errors=True)
    os.rename(tmp, root)
    open(os.path.join(root, ".done"), "w").close()
    return inc, fetch_libdrm(opts)


def list_headers(inc, drm):
    """Every uapi header, as the name one #includes: union over both arches."""
    names = set()
    for a, d in inc.items():
        trip = ARCHES[a]["triplet"]
        for dirpath, _, files in os.walk(d):
            rel = os.path.relpath(dirpath, d)
            for fn in files:
                if not fn.endswith(".h"):
                    continue
                p = os.path.normpath(os.path.join(rel, fn))
                if p.startswith(trip + "/"):
                    p = p[len(trip) + 1:]
                names.add(p)
    names.update("drm/" + fn for fn in os.listdir(os.path.join(drm, "drm")))
    return sorted(names)


def cflags(inc, drm, arch, tbits):
    a = ARCHES[arch]
    gccinc = subprocess.run([a["cc"], "-print-file-name=include"], capture_output=True,
                            text=True, check=True).stdout.strip()
    return ["-nostdinc", "-isystem", gccinc, "-isystem", inc[arch],
            "-isystem", os.path.join(inc[arch], a["triplet"]),
            "-isystem", drm, "-isystem", a["sysroot"], "-w", *TIMES[tbits]]


# ---------------------------------------------------------------- worker

DEFINE_RE = re.compile(r"#define ([A-Za-z_]\w*)(\(([^)]*)\))? ?(.*)")
LINEMARK_RE = re.compile(r'# \d+ "([^"]*)"')
IDENT_RE = re.compile(r"[A-Za-z_]\w*")
ERROR_RE = re.compile(r"^(.*?):(\d+):\d+: (?:fatal )?error: (.*)$", re.M)


def parse_macros(text):
    """-E -dD output -> {name: (params or None, body, origin file)}."""
    macros = {}
    cur = ""
    for line in text.splitlines():
        if line.startswith("# "):
            m = LINEMARK_RE.match(line)
            if m:
                cur = m.group(1)
        elif line.startswith("#define "):
            m = DEFINE_RE.match(line)
            if m:
                params = None if m.group(2) is None else [
                    p.strip() for p in m.group(3).split(",") if p.strip()]
                macros[m.group(1)] = (params, m.group(4), cur)
        elif line.startswith("#undef "):
            macros.pop(line.split()[1], None)
    return macros


def reaching_ioc(macros):
    """Names of the macros whose full expansion reaches _IOC."""
    reach = set(IOC_PRIMS)
    deps = {n: set(IDENT_RE.findall(body)) for n, (_, body, _) in macros.items()}
    changed = True
    while changed:
        changed = False
        for n, ids in deps.items():
            if n not in reach and ids & reach:
                reach.add(n)
                changed = True
    return reach - IOC_PRIMS


def split_args(s):
    """Top-level comma split of a macro call's argument text."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


def is_helper(name, params, body, macros):
    """A function-like macro that builds commands (DRM_IOWR(nr, type)), not one."""
    for other, (_, obody, _) in macros.items():
        if other != name and re.search(r"\b%s\b" % re.escape(name), obody):
            return True
    for m in re.finditer(r"\b(_IOR|_IOW|_IOWR|_IOR_BAD|_IOW_BAD|_IOWR_BAD)\s*\(", body):
        depth, i = 1, m.end()
        while i < len(body) and depth:
            depth += {"(": 1, ")": -1}.get(body[i], 0)
            i += 1
        args = split_args(body[m.end():i - 1])
        if len(args) == 3 and set(IDENT_RE.findall(args[2])) & set(params):
            return True
    return False


class TypeReader:
    """DWARF type DIEs -> hashable nested tuples describing the layout:
       ('b', name, size)  base type      ('e', size)       enum
       ('p', size, pointee or None)      ('f',) function   ('v',) void
       ('s'|'u', name, size, members)    struct/union; size None: incomplete;
           member = (name, byte offset, bit offset or None, bit size or None, type)
       ('a', elem, count or None)        array (None: flexible)
       ('r', name)                       a struct already being described (cycle)
    """

    def __init__(self, cu):
        self.cu = cu
        self.memo = {}
        self.busy = set()

    def die_type(self, die):
        if "DW_AT_type" not in die.attributes:
            return None
        return die.get_DIE_from_attribute("DW_AT_type")

    def strip(self, die):
        while die is not None and die.tag in ("DW_TAG_typedef", "DW_TAG_const_type",
                                              "DW_TAG_volatile_type", "DW_TAG_restrict_type",
                                              "DW_TAG_atomic_type"):
            die = self.die_type(die)
        return die

    def desc(self, die):
        die = self.strip(die)
        if die is None:
            return ("v",)
        off = die.offset
        if off in self.memo:
            return self.memo[off]
        tag = die.tag
        at = die.attributes
        if tag == "DW_TAG_base_type":
            d = ("b", at["DW_AT_name"].value.decode(), at["DW_AT_byte_size"].value)
        elif tag == "DW_TAG_enumeration_type":
            d = ("e", at["DW_AT_byte_size"].value if "DW_AT_byte_size" in at else None)
        elif tag == "DW_TAG_pointer_type":
            d = ("p", at["DW_AT_byte_size"].value, self.pointee(die))
        elif tag == "DW_TAG_subroutine_type":
            d = ("f",)
        elif tag in ("DW_TAG_structure_type", "DW_TAG_union_type"):
            name = at["DW_AT_name"].value.decode() if "DW_AT_name" in at else ""
            if "DW_AT_declaration" in at:
                return ("s" if tag == "DW_TAG_structure_type" else "u", name, None, ())
            if off in self.busy:
                return ("r", name)
            self.busy.add(off)
            members = []
            for ch in die.iter_children():
                if ch.tag != "DW_TAG_member":
                    continue
                ca = ch.attributes
                mname = ca["DW_AT_name"].value.decode() if "DW_AT_name" in ca else ""
                loc = ca["DW_AT_data_member_location"].value if \
                    "DW_AT_data_member_location" in ca else 0
                bitoff = bitsize = None
                if "DW_AT_bit_size" in ca:
                    bitsize = ca["DW_AT_bit_size"].value
                    if "DW_AT_data_bit_offset" in ca:
                        bit = ca["DW_AT_data_bit_offset"].value
                    else:  # DWARF 2-4, little endian: counted from the MSB
                        nbytes = ca["DW_AT_byte_size"].value
                        bit = loc * 8 + nbytes * 8 - ca["DW_AT_bit_offset"].value - bitsize
                    loc, bitoff = bit // 8, bit % 8
                members.append((mname, loc, bitoff, bitsize, self.desc(self.die_type(ch))))
            self.busy.discard(off)
            d = ("s" if tag == "DW_TAG_structure_type" else "u", name,
                 at["DW_AT_byte_size"].value, tuple(members))
        elif tag == "DW_TAG_array_type":
            d = self.desc(self.die_type(die))
            dims = []
            for ch in die.iter_children():
                if ch.tag != "DW_TAG_subrange_type":
                    continue
                ca = ch.attributes
                if "DW_AT_count" in ca:
                    dims.append(ca["DW_AT_count"].value)
                elif "DW_AT_upper_bound" in ca:
                    dims.append(ca["DW_AT_upper_bound"].value + 1)
                else:
                    dims.append(None)
            for n in reversed(dims or [None]):
                d = ("a", d, n)
        else:
            d = ("?", tag)
        self.memo[off] = d
        return d

    def pointee(self, die):
        t = self.strip(self.die_type(die))
        if t is None:
            return ("v",)
        return self.desc(t)


def size_of(d):
    k = d[0]
    if k == "b":
        return d[2]
    if k in ("e", "p"):
        return d[1]
    if k in ("s", "u"):
        return d[2]
    if k == "a":
        return None if d[2] is None or size_of(d[1]) is None else d[2] * size_of(d[1])
    return None


def write_probe(path, prefix, header, entries):
    """entries: list of (kind, key, expr); returns {line: index}."""
    lines = [f"#include <{p}>" for p in prefix] + [f"#include <{header}>",
                                                     "#include <linux/ioctl.h>"]
    where = {}
    typed = [(i, e) for i, e in enumerate(entries) if e[0] == "type"]
    for i, (kind, key, expr) in enumerate(entries):
        if kind == "num":
            lines.append(f"enum ec_n_{i} {{ ec_n_{i} = ({expr}) }};")
            where[len(lines)] = i
        elif kind == "struct":
            lines.append(f"struct {expr} *ec_s_{i};")
            where[len(lines)] = i
    if typed:
        for p in TYPED_PRIMS:
            lines += [f"#undef {p}", f"#define {p}(type, nr, size) ((__typeof__(size) *)0)"]
        for i, (kind, key, expr) in typed:
            lines.append(f"__typeof__({expr}) ec_t_{i};")
            where[len(lines)] = i
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return where


def compile_probe(cc, flags, tmp, header, prefix, entries):
    """Compile, dropping failing entries.  -> (ok, entries kept, dropped, errtext, obj)"""
    src = os.path.join(tmp, "probe.c")
    obj = os.path.join(tmp, "probe.o")
    dropped = 0
    for _ in range(40):
        where = write_probe(src, prefix, header, entries)
        args = [cc, *flags, "-c", "-g", "-gdwarf-4", "-O0",
                "-fno-eliminate-unused-debug-types", "-o", obj, src]
        if not entries:
            args = [cc, *flags, "-fsyntax-only", src]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode == 0:
            return True, entries, dropped, "", obj if entries else None
        bad = set()
        other = None
        for m in ERROR_RE.finditer(r.stderr):
            if m.group(1) == src and int(m.group(2)) in where:
                bad.add(where[int(m.group(2))])
            elif other is None:
                other = m.group(3)
        if other is not None or not bad:
            return False, entries, dropped, other or r.stderr.strip().splitlines()[-1:], None
        dropped += len(bad)
        entries = [e for i, e in enumerate(entries) if i not in bad]
    return False, entries, dropped, "too many failing macros", None


def read_obj(obj, entries):
    nums, types, structs = {}, {}, {}
    with open(obj, "rb") as f:
        elf = ELFFile(f)
        dw = elf.get_dwarf_info()
        for cu in dw.iter_CUs():
            tr = TypeReader(cu)
            for d in cu.get_top_DIE().iter_children():
                name = d.attributes.get("DW_AT_name")
                if name is None:
                    continue
                name = name.value.decode()
                if d.tag == "DW_TAG_enumeration_type" and name.startswith("ec_n_"):
                    for e in d.iter_children():
                        nums[int(name[5:])] = e.attributes["DW_AT_const_value"].value & 0xffffffff
                elif d.tag == "DW_TAG_variable" and name.startswith("ec_t_"):
                    t = tr.strip(tr.die_type(d))
                    if t is not None and t.tag == "DW_TAG_pointer_type":
                        types[int(name[5:])] = tr.pointee(t)
                elif d.tag == "DW_TAG_variable" and name.startswith("ec_s_"):
                    structs[int(name[5:])] = tr.pointee(tr.strip(tr.die_type(d)))
    out = {}
    for i, (kind, key, expr) in enumerate(entries):
        if kind == "num" and i in nums:
            out.setdefault(key, {})["num"] = nums[i]
        elif kind == "type" and i in types:
            out.setdefault(key, {})["type"] = types[i]
        elif kind == "struct" and i in structs:
            out.setdefault(key, {})["type"] = structs[i]
    return out


ETHTOOL = []  # [(subcmd, struct)], filled in main() and passed to workers


def work(task):
    """One header on one arch, both time configurations."""
    header, arch, inc, drm, flags_by_t, ethtool = task
    a = ARCHES[arch]
    res = {"header": header, "arch": arch, "status": {}, "prereq": False,
           "cmds": {}, "literals": {}, "fnlike": [], "dropped": {}, "ethtool": {}}
    path = os.path.join(inc[arch], header)
    if header.startswith("asm/"):
        path = os.path.join(inc[arch], a["triplet"], header)
    elif header.startswith("drm/"):
        path = os.path.join(drm, header)
    if not os.path.exists(path):
        for t in TIMES:
            res["status"][t] = "absent for this arch"
        return res
    with tempfile.TemporaryDirectory(prefix="ec-abi-") as tmp:
        src = os.path.join(tmp, "pp.c")
        macros = None
        for prefix in ([], PREREQS):
            with open(src, "w") as f:
                f.write("".join(f"#include <{p}>\n" for p in prefix) + f"#include <{header}>\n")
            r = subprocess.run([a["cc"], *flags_by_t["t32"], "-E", "-dD", src],
                               capture_output=True, text=True)
            if r.returncode == 0:
                macros = parse_macros(r.stdout)
                break
        if macros is None:
            m = ERROR_RE.search(r.stderr)
            for t in TIMES:
                res["status"][t] = "preprocessing fails: " + (m.group(3) if m else "?")
            return res
        real = os.path.realpath(path)
        origins = {o for o in {v[2] for v in macros.values()}
                   if os.path.realpath(o) == real}
        entries = []
        if header not in IOCTL_MACHINERY:
            reach = reaching_ioc(macros)
            for name in sorted(reach):
                params, body, origin = macros[name]
                if origin not in origins:
                    continue
                expr = name
                if params is not None:
                    if not params or is_helper(name, params, body, macros):
                        continue
                    expr = f"{name}({', '.join('1' for _ in params)})"
                    res["fnlike"].append(name)
                entries += [("num", name, expr), ("type", name, expr)]
            if header in ("asm/ioctls.h", "asm/sockios.h"):
                lits = {"asm/ioctls.h": "ioctls.h", "asm/sockios.h": "sockios.h"}[header]
                for name, (params, body, origin) in sorted(macros.items()):
                    if params is None and body and name not in reach and \
                            origin.endswith("/" + lits) and "asm" in origin and \
                            re.fullmatch(r"[\w\s()+|<x]+", body):
                        entries.append(("num", "lit:" + name, name))
        if header == "linux/ethtool.h":
            for sub, st in ethtool:
                entries += [("num", "eth:" + sub, sub), ("struct", "eth:" + sub, st)]
        for t in TIMES:
            flags = flags_by_t[t]
            ok, kept, dropped, err, obj = compile_probe(a["cc"], flags, tmp, header, [], entries)
            if not ok and err and not res["prereq"]:
                ok2, kept2, dropped2, err2, obj2 = compile_probe(a["cc"], flags, tmp, header,
                                                                 PREREQS, entries)
                if ok2:
                    ok, kept, dropped, err, obj = ok2, kept2, dropped2, err2, obj2
                    res["prereq"] = True
            elif res["prereq"]:
                ok, kept, dropped, err, obj = compile_probe(a["cc"], flags, tmp, header,
                                                            PREREQS, entries)
            if not ok:
                res["status"][t] = "does not compile: " + (err if isinstance(err, str)
                                                           else " ".join(err))
                continue
            res["status"][t] = "ok"
            res["dropped"][t] = dropped
            got = read_obj(obj, kept) if obj else {}
            res["cmds"][t] = {k: v for k, v in got.items() if not k.startswith(("lit:", "eth:"))}
            res["literals"][t] = {k[4:]: v["num"] for k, v in got.items()
                                  if k.startswith("lit:") and "num" in v}
            res["ethtool"][t] = {k[4:]: v for k, v in got.items() if k.startswith("eth:")}
    return res


# ---------------------------------------------------------------- compare

class Refuse(Exception):
    pass


def same(g, k):
    """g and k have the same internal layout: every leaf at the same offset."""
    if g == k:
        return True
    try:
        spans, notes = [], []
        walk(g, k, 0, 0, "", spans, notes)
    except Refuse:
        return False
    return all(s[0] == s[1] for s in spans) and \
        all(n[2] == n[3] and same(n[4][1], n[5][1]) for n in notes)


def same_sized(g, k):
    return size_of(g) == size_of(k) and same(g, k)


def extent(d):
    """End of the last leaf byte of d (its size without trailing padding)."""
    spans, notes = [], []
    try:
        walk(d, d, 0, 0, "", spans, notes)
    except Refuse:
        return size_of(d) or 0
    return max([s[0] + s[2] for s in spans] or [0])


def walk(g, k, goff, koff, path, spans, notes):
    """Append (goff, koff, len) spans covering every leaf of g/k; raise Refuse."""
    if g[0] != k[0]:
        raise Refuse(f"{path or 'argument'}: different kinds of type")
    kind = g[0]
    if kind in ("b", "e"):
        if size_of(g) != size_of(k):
            raise Refuse(f"{path}: member size differs")
        spans.append((goff, koff, size_of(g)))
    elif kind == "p":
        if g[1] != k[1]:
            raise Refuse(f"{path}: pointer size differs")
        if not same_sized(g[2], k[2]):
            raise Refuse(f"{path}: pointer member whose pointee differs (element count unknown)")
        spans.append((goff, koff, g[1]))
    elif kind == "s":
        if g[2] is None or k[2] is None:
            raise Refuse(f"{path}: incomplete struct {g[1]}")
        gm, km = g[3], k[3]
        if [m[0] for m in gm] != [m[0] for m in km]:
            raise Refuse(f"{path}: members differ")
        for i, (a, b) in enumerate(zip(gm, km)):
            mpath = f"{path}.{a[0]}" if path else a[0]
            if a[3] is not None:  # bitfield: the bytes it touches
                if (a[2], a[3]) != (b[2], b[3]):
                    raise Refuse(f"{mpath}: bitfield placed differently")
                n = (a[2] + a[3] + 7) // 8
                spans.append((goff + a[1], koff + b[1], n))
                continue
            if a[4][0] == "a" and a[4][2] is None or a[4][0] == "a" and a[4][2] == 0 \
                    and i == len(gm) - 1:
                notes.append(("flex", mpath, goff + a[1], koff + b[1], a[4], b[4]))
                continue
            walk(a[4], b[4], goff + a[1], koff + b[1], mpath, spans, notes)
    elif kind == "u":
        if g[2] is None or k[2] is None:
            raise Refuse(f"{path}: incomplete union {g[1]}")
        if [m[0] for m in g[3]] != [m[0] for m in k[3]] or \
                any(not same(a[4], b[4]) for a, b in zip(g[3], k[3])):
            raise Refuse(f"{path or 'argument'}: union members differ")
        n = max([extent(m[4]) for m in g[3]] or [0])
        if n:
            spans.append((goff, koff, n))
    elif kind == "a":
        if g[2] != k[2]:
            raise Refuse(f"{path}: array length differs")
        if g[2] is None or g[2] == 0:
            notes.append(("flex", path, goff, koff, g, k))
            return
        if same_sized(g[1], k[1]):
            gs = size_of(g[1])
            if gs:
                spans.append((goff, koff, gs * g[2]))
            return
        gs, ks = size_of(g[1]), size_of(k[1])
        for i in range(g[2]):
            walk(g[1], k[1], goff + i * gs, koff + i * ks, f"{path}[{i}]", spans, notes)
    elif kind in ("v", "f"):
        pass
    elif kind == "r":
        if g != k:
            raise Refuse(f"{path}: recursive struct differs")
    else:
        raise Refuse(f"{path}: unsupported type {g}")


def coalesce(spans):
    out = []
    for s in sorted(set(spans)):
        if out and out[-1][0] + out[-1][2] == s[0] and out[-1][1] + out[-1][2] == s[1]:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + s[2])
        elif out and s[0] >= out[-1][0] and s[0] + s[2] <= out[-1][0] + out[-1][2] \
                and s[1] - out[-1][1] == s[0] - out[-1][0]:
            continue  # inside the previous span (bitfields sharing bytes)
        else:
            out.append(s)
    return out


def layout_spans(g, k):
    """(spans, notes) for guest layout g -> kernel layout k; raises Refuse."""
    spans, notes = [], []
    walk(g, k, 0, 0, "", spans, notes)
    return coalesce(spans), notes


def type_name(d):
    if d is None:
        return "(no type)"
    if d[0] in ("s", "u"):
        return ("struct " if d[0] == "s" else "union ") + (d[1] or "(anonymous)")
    if d[0] == "p":
        return type_name(d[2]) + " *"
    if d[0] == "b":
        return d[1]
    if d[0] == "a":
        return type_name(d[1]) + f"[{'' if d[2] is None else d[2]}]"
    return d[0]


def moved_members(g, k, prefix=""):
    """Leaf paths whose offset differs (for the report), first few."""
    out = []
    if g[0] == "s" and k[0] == "s" and g[2] and k[2]:
        for a, b in zip(g[3], k[3]):
            p = f"{prefix}.{a[0]}" if prefix else a[0]
            if a[1] != b[1]:
                out.append(f"{p} {a[1]}/{b[1]}")
            elif a[4][0] == "s":
                out += moved_members(a[4], b[4], p)
    return out


def compare_cmd(name, g, k):
    """One command, guest info g and kernel info k ({'num', 'type'}).
    -> None (identical) or dict(cls, spans/reason, sizes, ...)"""
    gn, kn = g.get("num"), k.get("num")
    gt, kt = g.get("type"), k.get("type")
    if gt is None or kt is None or gt[0] == "v":
        if gn == kn:
            return None
        return {"cls": "untyped", "gnum": gn, "knum": kn,
                "reason": "no argument type (bare _IOC size or length): size differs, layout unknown"}
    pointer_arg = gt[0] == "p"
    if gn == kn and gt == kt:
        return None
    r = {"gnum": gn, "knum": kn, "gtype": gt, "ktype": kt}
    g2, k2 = (gt[2], kt[2]) if pointer_arg else (gt, kt)
    if pointer_arg:
        r["pointee"] = True
    r["gsize"], r["ksize"] = size_of(g2) or 0, size_of(k2) or 0
    try:
        spans, notes = layout_spans(g2, k2)
        r["spans"] = spans
        r["moved"] = any(s[0] != s[1] for s in spans)
        flex = [n for n in notes if n[0] == "flex"]
        if flex:
            r["flex"] = flex
            if r["moved"] or r["gsize"] != r["ksize"]:
                raise Refuse(f"{flex[0][1]}: flexible array after a differing fixed part")
    except Refuse as e:
        r["reason"] = str(e)
        r["moved"] = moved_members(g2, k2) != [] if g2[0] == "s" else True
    if gn != kn:
        r["cls"] = "moved" if r["moved"] else "trailing"
    elif pointer_arg:
        r["cls"] = "pointee"
    elif r.get("moved") or "reason" in r or r["gsize"] != r["ksize"]:
        r["cls"] = "inner-moved"
    else:
        r["cls"] = "inner-padding"
    return r


# ---------------------------------------------------------------- analysis

CLASS_TEXT = {
    "moved": "number differs, members at other offsets",
    "trailing": "number differs, trailing padding only",
    "pointee": "same number, the pointee differs",
    "inner-moved": "same number and size, members at other offsets",
    "inner-padding": "same number, inner padding only (no translation needed)",
    "untyped": "number differs, no argument type",
}
README_HOW = {"moved": "moved members", "trailing": "trailing padding",
              "pointee": "pointee", "inner-moved": "moved members (same number)",
              "untyped": "size (untyped)", "literal": "literal number"}


def ioc_size(n):
    return (n >> 16) & 0x3fff


def analyse(headers, results, ethtool):
    """-> {relative path: text} for the report, the C tables, the docs/guest-abis.md region."""
    st = collections.Counter()
    failed = []
    for h in headers:
        okall = True
        for a, t in CONFIGS:
            r = results[(h, a)]
            s_ = r["status"].get(t, "?")
            if s_ == "ok":
                st[(a, t, "ok")] += 1
                if r["prereq"]:
                    st[(a, t, "prereq")] += 1
                st[(a, t, "dropped")] += r["dropped"].get(t, 0)
            else:
                okall = False
                failed.append((h, f"{a}-{t}", s_))
        st["all"] += okall
    found, compared, oneabi = {}, {}, {}
    fnlike = sorted({(r["header"], n) for r in results.values() for n in r["fnlike"]})
    diffs = {}      # (t, header, name) -> compare result for i386 guest on arm
    rdiffs = {}     # (t, header, name) -> compare result for arm guest on i386
    idents = {}     # (t, direction) -> {guest num: set of names}  (no translation)
    untyped = 0
    for t in TIMES:
        found[t] = compared[t] = oneabi[t] = 0
        for h in headers:
            ci = results[(h, "i386")]["cmds"].get(t, {})
            ca = results[(h, "arm")]["cmds"].get(t, {})
            names = {n for n in ci if "num" in ci[n]} | {n for n in ca if "num" in ca[n]}
            found[t] += len(names)
            for n in sorted(names):
                gi, ga = ci.get(n, {}), ca.get(n, {})
                if "num" not in gi or "num" not in ga:
                    oneabi[t] += 1
                    continue
                compared[t] += 1
                if t == "t32" and ("type" not in gi or "type" not in ga):
                    untyped += 1
                for dname, g, k, store in (("i386_on_arm", gi, ga, diffs),
                                           ("arm_on_i386", ga, gi, rdiffs)):
                    c = compare_cmd(n, g, k)
                    if c is None or c["cls"] == "inner-padding":
                        idents.setdefault((t, dname), {}).setdefault(
                            g["num"], set()).add(n)
                    if c is not None:
                        store[(t, h, n)] = c
    # Literal numbers (asm/ioctls.h, asm/sockios.h): by name.
    lits = {}
    for a in ARCHES:
        for h in ("asm/ioctls.h", "asm/sockios.h"):
            for t in TIMES:
                for n, v in results[(h, a)]["literals"].get(t, {}).items():
                    lits.setdefault(n, {})[a] = v
    litdiff = sorted((n, v["i386"], v["arm"]) for n, v in lits.items()
                     if len(v) == 2 and v["i386"] != v["arm"])
    for n, v in sorted(lits.items()):
        if len(v) != 2 or v["i386"] != v["arm"]:
            continue
        vi = v["i386"]
        for t in TIMES:
            for d in ("i386_on_arm", "arm_on_i386"):
                idents.setdefault((t, d), {}).setdefault(vi, set()).add(n)

    # Rows per direction, merged over t32/t64, with collision detection.
    tables, refused, collisions = {}, {}, []
    for dname, garch, karch in DIRECTIONS:
        store = diffs if dname == "i386_on_arm" else rdiffs
        cand = {}   # guest num -> {translation: set((name, t, header))}
        why = {}    # translation -> reason
        for (t, h, n), c in sorted(store.items()):
            if c["cls"] == "inner-padding":
                continue
            if c["cls"] == "untyped":
                tr = (c["knum"], ioc_size(c["gnum"]), ioc_size(c["knum"]), (), "REFUSE")
                why[tr] = c["reason"]
            elif "reason" in c:
                tr = (c["knum"], c["gsize"], c["ksize"], (), "REFUSE")
                why[tr] = c["reason"]
            else:
                tr = (c["knum"], c["gsize"], c["ksize"], tuple(c["spans"]), "COPY")
            cand.setdefault(c["gnum"], {}).setdefault(tr, set()).add((n, t, h))
        for n, vi, va in litdiff:
            gv, kv = (vi, va) if garch == "i386" else (va, vi)
            if (n, dname) in LITERAL_NO_ROW:
                continue
            tr = (kv, 0, 0, (), "COPY")
            for t in TIMES:
                cand.setdefault(gv, {}).setdefault(tr, set()).add((n, t, "asm/ioctls.h"))
        rows = []
        for gnum in sorted(cand):
            trs = dict(cand[gnum])
            for t in TIMES:
                ids = idents.get((t, dname), {}).get(gnum)
                if ids:
                    trs.setdefault("identity", set()).update((x, t, "") for x in ids)
            names = sorted({x[0] for v in trs.values() for x in v})
            if len(trs) > 1:
                kind = "REFUSE"
                reason = "guest number used by commands that translate differently"
                collisions.append((dname, gnum, [
                    (sorted({x[0] + "(" + x[1] + ")" for x in v}),
                     "no translation" if tr == "identity" else
                     f"-> {tr[0]:#010x} {tr[1]}/{tr[2]} bytes" + (" (refused)" if tr[4] == "REFUSE" else ""))
                    for tr, v in sorted(trs.items(), key=lambda kv: str(kv[0]))]))
                tr = next(tr for tr in sorted(trs, key=str) if tr != "identity")
                row = (gnum, tr[0], tr[1], tr[2], (), kind, names, reason)
            else:
                tr = next(iter(trs))
                row = (gnum, tr[0], tr[1], tr[2], tr[3], tr[4], names, why.get(tr))
            rows.append(row)
            if row[5] == "REFUSE":
                refused.setdefault(dname, []).append(row)
        tables[dname] = rows

    # Ethtool sub-commands.
    eth = {}
    for dname, garch, karch in DIRECTIONS:
        eth[dname] = []
        gi = results[("linux/ethtool.h", garch)]["ethtool"].get("t32", {})
        ki = results[("linux/ethtool.h", karch)]["ethtool"].get("t32", {})
        for sub, stname in ethtool:
            g, k = gi.get(sub), ki.get(sub)
            if not g or not k or "type" not in g or "type" not in k:
                die(f"ethtool: {sub} / struct {stname} not found in linux/ethtool.h")
            if g["type"] == k["type"]:
                continue
            spans, notes = layout_spans(g["type"], k["type"])
            eth[dname].append((g["num"], sub, stname, size_of(g["type"]),
                               size_of(k["type"]), spans, notes))
        eth[dname].sort()

    return {
        "userlib/abi/REPORT.md": report(headers, results, st, failed, found, compared, oneabi,
                                        fnlike, untyped, diffs, litdiff, tables, refused,
                                        collisions, eth),
        "userlib/abi-tables.h": c_tables(tables, eth) + c_identical(idents, tables, fnlike, litdiff),
        DOC_ABI: doc_region(diffs, tables, litdiff),
    }


def fmt_spans(spans):
    return ", ".join(f"{g}->{k}:{n}" for g, k, n in spans)


def class_counts(diffs, t):
    cnt = collections.Counter()
    for (tt, h, n), c in diffs.items():
        if tt == t:
            cnt[c["cls"]] += 1
    return cnt


def row_status(tables, dname, name):
    for r in tables[dname]:
        if name in r[6]:
            return "refused" if r[5] == "REFUSE" else "translated"
    return "no row"


def report(headers, results, st, failed, found, compared, oneabi, fnlike, untyped, diffs,
           litdiff, tables, refused, collisions, eth):
    o = io.StringIO()
    w = o.write
    w("<!-- Generated by userlib/abi/abi-gen.py: do not edit; `make abi`. -->\n")
    w("# Guest ABIs: ioctl commands that differ between i386 and AArch32\n\n")
    w(f"Headers: Debian bookworm `linux-libc-dev` **{PIN}** (`:i386` and `:armhf`), the\n"
      "version in bookworm's main suite, frozen since its final point release, so it\n"
      "stays downloadable (bookworm-security carries newer 6.1 uploads that are\n"
      "replaced over time).  Re-pin: `PIN` in `userlib/abi/abi-gen.py`.\n"
      f"The kernel's uapi `drm/` headers, which linux-libc-dev leaves out, from\n"
      f"`libdrm-dev` **{LIBDRM_PIN}** (bookworm main; `LIBDRM_PIN`), which ships\n"
      "them as synced from the kernel.\n\n"
      "Compilers: Debian's `i686-linux-gnu-gcc` and `arm-linux-gnueabihf-gcc`,\n"
      "`-nostdinc`, the compiler's include dir, the pinned headers and their asm\n"
      "dir, the pinned `drm/` headers, then the cross glibc headers (last: the\n"
      "cross sysroot has uapi headers of its own).  Configurations: t32 (default) and t64\n"
      "(`-D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64`); i386-t32 is compared with\n"
      "arm-t32, i386-t64 with arm-t64.  Numbers and argument types come from the\n"
      "DWARF of probe objects (pyelftools); see the header comment of abi-gen.py.\n\n")
    w("## Counts\n\n")
    w(f"- headers tried: {len(headers)} (every `.h` of linux-libc-dev for both arches and the `drm/` uapi headers of libdrm-dev; `asm/` from the per-arch dir)\n")
    for a, t in CONFIGS:
        w(f"- compiled {a}-{t}: {st[(a, t, 'ok')]} ({st[(a, t, 'prereq')]} only after the "
          f"prerequisites {', '.join('<' + p + '>' for p in PREREQS)}); "
          f"macros dropped because they do not compile: {st[(a, t, 'dropped')]}\n")
    w(f"- compiled in all four configurations: {st['all']}\n")
    for t in TIMES:
        w(f"- {t}: commands found {found[t]}, compared (defined for both ABIs) {compared[t]}, "
          f"defined for one ABI only {oneabi[t]}\n")
    w(f"- commands without an argument type (bare `_IOC(..., size)`, `_IO`): {untyped} "
      "(t32); compared by number only\n")
    w(f"- function-like commands, invoked with the argument 1 (compared at that value only): "
      f"{len(fnlike)}: {', '.join(n for _, n in fnlike)}\n\n")
    w("## Differences by class\n\n| class | t32 | t64 | time64-only |\n|---|---|---|---|\n")
    c32, c64 = class_counts(diffs, "t32"), class_counts(diffs, "t64")
    t64only = sorted((h, n) for (t, h, n) in diffs if t == "t64" and ("t32", h, n) not in diffs)
    t64cls = collections.Counter(diffs[("t64", h, n)]["cls"] for h, n in t64only)
    for cls, text in CLASS_TEXT.items():
        w(f"| {text} | {c32[cls]} | {c64[cls]} | {t64cls[cls]} |\n")
    w(f"| literal numbers (asm/ioctls.h, asm/sockios.h) | {len(litdiff)} | {len(litdiff)} | 0 |\n\n")
    w(f"time64-only: {', '.join(n for _, n in t64only) or 'none'}.\n\n")
    w("Table rows: " + ", ".join(
        f"{d}: {len(tables[d])} ({sum(r[5] == 'REFUSE' for r in tables[d])} refused)"
        for d, _, _ in DIRECTIONS) + "; ethtool sub-commands: " +
        ", ".join(f"{d}: {len(eth[d])}" for d, _, _ in DIRECTIONS) + ".\n\n")
    w("## Differing commands by header\n\n"
      "Numbers are i386 / arm; sizes in bytes; members as `name i386/arm offset`;\n"
      "spans (i386 guest -> arm kernel) as `guest->kernel:length`.\n")
    byh = collections.defaultdict(list)
    for (t, h, n), c in diffs.items():
        byh[h].append((n, t, c))
    for h in sorted(byh):
        w(f"\n### {h}\n\n| command | time | i386 | arm | class | how | i386 guest / arm guest |\n"
          "|---|---|---|---|---|---|---|\n")
        for n, t, c in sorted(byh[h]):
            if ("t32", h, n) in diffs and t == "t64" and \
                    {k: v for k, v in diffs[("t32", h, n)].items()} == c:
                continue
            tt = "both" if t == "t32" and ("t64", h, n) in diffs and \
                diffs[("t64", h, n)] == c else t
            if c["cls"] == "untyped":
                how = c["reason"]
                sz = (ioc_size(c["gnum"]), ioc_size(c["knum"]))
            else:
                sz = (c["gsize"], c["ksize"])
                if "reason" in c:
                    how = "refused: " + c["reason"]
                elif c["cls"] == "inner-padding":
                    how = "leaves at the same offsets"
                else:
                    how = fmt_spans(c["spans"])
                    if c["cls"] != "trailing":
                        mv = moved_members(c["gtype"][2] if c.get("pointee") else c["gtype"],
                                           c["ktype"][2] if c.get("pointee") else c["ktype"])
                        if mv:
                            how = "moved: " + ", ".join(mv[:6]) + ("..." if len(mv) > 6 else "") \
                                + "; spans " + how
            if c.get("pointee"):
                how = f"pointee {type_name(c['gtype'][2])}: " + how
            stat = f"{row_status(tables, 'i386_on_arm', n)} / {row_status(tables, 'arm_on_i386', n)}"
            w(f"| {n} | {tt} | {c['gnum']:#010x} {sz[0]} | {c['knum']:#010x} {sz[1]} | "
              f"{c['cls']} | {how} | {stat} |\n")
    w("\n## Literal numbers\n\nInteger macros of asm/ioctls.h, asm-generic/ioctls.h and "
      "asm/sockios.h compared by name:\n\n")
    for n, vi, va in litdiff:
        w(f"- {n}: i386 {vi:#06x}, arm {va:#06x}\n")
    w("\nSpecial case (LITERAL_NO_ROW in abi-gen.py): FIOQSIZE.  arm64's compat layer\n"
      "(fs/ioctl.c) implements the asm-generic 0x5460, not arm's 0x545E, so an i386\n"
      "guest's 0x5460 needs no row in `ec_abi_i386_on_arm`; an arm guest's 0x545E on\n"
      "an x86-64 host is renumbered to 0x5460 (a row with sizes 0 and no spans:\n"
      "renumber only).\n")
    w("\n## Number collisions\n\nOne guest number that means several commands which "
      "would translate differently: refused.\n\n")
    if not collisions:
        w("None.\n")
    for d, gnum, alts in collisions:
        w(f"- {d} {gnum:#010x}: " + "; ".join(f"{', '.join(ns)} {what}" for ns, what in alts)
          + "\n")
    w("\n## Refused commands\n\nThe library fails these with EOPNOTSUPP.\n\n")
    for d, _, _ in DIRECTIONS:
        w(f"### {d}\n\n")
        for r in refused.get(d, []):
            w(f"- {r[0]:#010x} {', '.join(r[6])}: {r[7]}\n")
        if not refused.get(d):
            w("None.\n")
        w("\n")
    w("## SIOCETHTOOL sub-commands\n\n"
      "From userlib/abi/ethtool-subcmds.txt (net/ethtool/ioctl.c: these go to\n"
      "ethtool_get_rxnfc()/ethtool_set_rxnfc() and copy a struct ethtool_rxnfc).\n"
      "`rule_locs[]` is a flexible array after the fixed part: for ETHTOOL_GRXCLSRLALL\n"
      "the library copies `rule_cnt` u32s after the struct (guest offset = guest\n"
      "size, kernel offset = kernel size); the spans cover the fixed part only.\n\n")
    for d, _, _ in DIRECTIONS:
        for num, sub, stname, gs, ks, spans, notes in eth[d]:
            w(f"- {d} {sub} ({num:#x}): struct {stname} {gs} -> {ks} bytes; spans "
              f"{fmt_spans(spans)}\n")
    w("\n## Headers that do not compile\n\n")
    byhdr = collections.defaultdict(list)
    for h, cfg, why in failed:
        byhdr[(h, why)].append(cfg)
    for (h, why), cfgs in sorted(byhdr.items()):
        why = re.sub(r"/[^ :]*/usr/include/", "", why)
        w(f"- {h} ({', '.join(cfgs)}): {why}\n")
    return o.getvalue()


def c_tables(tables, eth):
    o = io.StringIO()
    w = o.write
    w("/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */\n")
    w(f"/* Generated by userlib/abi/abi-gen.py from linux-libc-dev {PIN} and libdrm-dev "
      f"{LIBDRM_PIN}: do not edit; `make abi`. */\n")
    w(f'#define EC_ABI_HEADERS "linux-libc-dev {PIN}, libdrm-dev {LIBDRM_PIN}"\n')
    w("struct ec_abi_span { uint16_t goff, koff, len; };  "
      "/* copy len bytes: guest offset goff <-> kernel offset koff */\n")
    w("#define EC_ABI_COPY   0   /* translate with spans */\n")
    w("#define EC_ABI_REFUSE 1   /* cannot be translated: the library fails it with EOPNOTSUPP */\n")
    w("struct ec_abi_cmd {\n"
      "\tuint32_t guest_cmd;   /* the number the guest issues */\n"
      "\tuint32_t kernel_cmd;  /* the number to issue to the kernel's compat layer */\n"
      "\tuint16_t gsize, ksize;/* bytes of the argument (the pointee) in guest and kernel layout */\n"
      "\tuint16_t span, nspans;/* index/count into ec_abi_spans[] */\n"
      "\tuint8_t kind;         /* EC_ABI_COPY / EC_ABI_REFUSE */\n"
      "\tuint8_t pad;\n"
      "};\n")
    spans, index = [], {}

    def place(sp):
        sp = tuple(sp)
        if not sp:
            return 0
        if sp not in index:
            index[sp] = len(spans)
            spans.extend(sp)
        return index[sp]

    body = {}
    for d, _, _ in DIRECTIONS:
        lines = []
        for gnum, knum, gs, ks, sp, kind, names, reason in tables[d]:
            i = place(sp)
            lines.append(f"\t{{ {gnum:#010x}, {knum:#010x}, {gs}, {ks}, {i}, {len(sp)}, "
                         f"EC_ABI_{kind}, 0 }},  /* {', '.join(names)} */\n")
        ethl = []
        for num, sub, stname, gs, ks, sp, notes in eth[d]:
            ethl.append(f"\t{{ {num:#x}, {gs}, {ks}, {place(sp)}, {len(sp)} }},  /* {sub} */\n")
        body[d] = (lines, ethl)
    w("static const struct ec_abi_span ec_abi_spans[] = {\n")
    for i in range(0, len(spans), 4):
        w("\t" + " ".join(f"{{ {g}, {k}, {n} }}," for g, k, n in spans[i:i + 4]) + "\n")
    w("};\n")
    w("/* i386 guest on a kernel whose compat ABI is AArch32 (arm64 hosts); sorted by guest_cmd, unique */\n")
    w("static const struct ec_abi_cmd ec_abi_i386_on_arm[] = {\n" + "".join(body["i386_on_arm"][0]) + "};\n")
    w("/* AArch32 guest on a kernel whose compat ABI is i386 (x86-64 hosts); sorted by guest_cmd, unique */\n")
    w("static const struct ec_abi_cmd ec_abi_arm_on_i386[] = {\n" + "".join(body["arm_on_i386"][0]) + "};\n")
    w("/* SIOCETHTOOL: struct ifreq's ifr_data points to a struct chosen by its first u32 (the sub-command) */\n")
    w("struct ec_abi_ethtool { uint32_t subcmd; uint16_t gsize, ksize, span, nspans; };\n")
    w("static const struct ec_abi_ethtool ec_abi_ethtool_i386_on_arm[] = {\n" +
      "".join(body["i386_on_arm"][1]) + "};\n")
    w("static const struct ec_abi_ethtool ec_abi_ethtool_arm_on_i386[] = {\n" +
      "".join(body["arm_on_i386"][1]) + "};\n")
    mx = max([max(r[2], r[3]) for d in tables for r in tables[d]] +
             [max(e[3], e[4]) for d in eth for e in eth[d]] + [0])
    w(f"#define EC_ABI_MAX_SIZE  {mx}   /* the largest gsize/ksize in the tables */\n")
    return o.getvalue()


# Function-like commands whose other invocations are the same command for
# another argument (the generator compares them at the argument 1 only):
# where that argument goes in the number, from the macro in the uapi header.
# "size": a byte count (a buffer of bytes, the same in every ABI);
# (first, last): the argument is added to the nr field, over the header's
# own range of it.  A function-like command not named here is known only
# at the argument 1.
FN_FAMILIES = {
    # linux/input.h: char buffers, bitmaps, __u32 code + __s32 values[]
    **{n: "size" for n in ("EVIOCGNAME", "EVIOCGPHYS", "EVIOCGUNIQ", "EVIOCGPROP", "EVIOCGKEY",
                           "EVIOCGLED", "EVIOCGSND", "EVIOCGSW", "EVIOCGMTSLOTS")},
    "EVIOCGBIT": ("size", 0x00, 0x1f),  # 0x20 + ev (EV_MAX 0x1f), len
    "EVIOCGABS": (0x00, 0x3f),          # 0x40 + abs (ABS_MAX 0x3f), struct input_absinfo
    "EVIOCSABS": (0x00, 0x3f),          # 0xc0 + abs
    # linux/hidraw.h, linux/hiddev.h: byte buffers
    **{n: "size" for n in ("HIDIOCGRAWNAME", "HIDIOCGRAWPHYS", "HIDIOCGRAWUNIQ", "HIDIOCGFEATURE",
                           "HIDIOCSFEATURE", "HIDIOCGINPUT", "HIDIOCSINPUT", "HIDIOCGOUTPUT",
                           "HIDIOCSOUTPUT", "HIDIOCGNAME", "HIDIOCGPHYS")},
    "JSIOCGNAME": "size",               # linux/joystick.h: a char buffer
    "UI_GET_SYSNAME": "size",           # linux/uinput.h: a char buffer
}


def c_identical(idents, tables, fnlike, litdiff):
    """The commands compared and found the same in both ABIs (number and
    argument layout), per direction: the library passes them unchanged.
    One that is in the tables (a number other commands share) is not.
    LITERAL_NO_ROW numbers are the kernel's own: the same too."""
    o = io.StringIO()
    w = o.write
    fn = {n for _, n in fnlike}
    w("/*\n * Commands compared and found identical in both ABIs (number and argument\n"
      " * layout, or the number alone where the argument is untyped: _IO, literal\n"
      " * numbers): passed unchanged.  Sorted, unique; binary-searched.  The _anysize\n"
      " * lists hold, with the size field 0, the function-like commands whose size\n"
      " * is a byte count (FN_FAMILIES in abi-gen.py): any size is the same.\n */\n")
    for d, _, _ in DIRECTIONS:
        rows = {r[0] for r in tables[d]}
        same, anysize = set(), set()
        for n, vi, va in litdiff:
            if (n, d) in LITERAL_NO_ROW:
                same.add(vi if d.startswith("i386") else va)
        for t in TIMES:
            for num, ns in idents.get((t, d), {}).items():
                if num in rows:
                    continue
                same.add(num)
                for f in (FN_FAMILIES.get(n) for n in ns if n in fn):
                    if f == "size":
                        anysize.add(num & ~(0x3fff << 16))
                    elif f is not None:
                        # the nr at the argument 1, minus 1: the nr at 0
                        for a in range(f[-2], f[-1] + 1):
                            v = (num & ~0xff) | (((num & 0xff) - 1 + a) & 0xff)
                            if f[0] == "size":
                                anysize.add(v & ~(0x3fff << 16))
                            elif v not in rows:
                                same.add(v)
        w(f"/* {d}: {len(same)} numbers, {len(anysize)} of any size */\n")
        w(f"static const uint32_t ec_abi_same_{d}[] = {{\n")
        vals = sorted(same)
        for i in range(0, len(vals), 6):
            w("\t" + " ".join(f"{v:#010x}," for v in vals[i:i + 6]) + "\n")
        w("};\n")
        w(f"static const uint32_t ec_abi_same_anysize_{d}[] = {{\n")
        vals = sorted(anysize)
        for i in range(0, len(vals), 6):
            w("\t" + " ".join(f"{v:#010x}," for v in vals[i:i + 6]) + "\n")
        w("};\n")
    return o.getvalue()


def doc_region(diffs, tables, litdiff):
    byh = collections.defaultdict(dict)
    for (t, h, n), c in sorted(diffs.items()):
        if c["cls"] == "inner-padding":
            continue
        how = README_HOW[c["cls"]] + (" (time64)" if ("t32", h, n) not in diffs else "")
        st = {row_status(tables, d, n) for d, _, _ in DIRECTIONS}
        byh[h].setdefault(n, (how, "refused" if "refused" in st else "translated"))
    for n, vi, va in litdiff:
        byh["asm/ioctls.h"][n] = ("literal number", "renumbered (arm guest on x86-64 only)")
    o = io.StringIO()
    o.write(f"Generated by `make abi` from linux-libc-dev {PIN} and libdrm-dev {LIBDRM_PIN}\n"
            "(details, sizes and\n"
            "offsets: [userlib/abi/REPORT.md](../userlib/abi/REPORT.md)).  Commands whose\n"
            "number or argument layout differs between i386 and AArch32 EABI guests:\n\n"
            "| header | commands that differ | how | translated or refused |\n|---|---|---|---|\n")
    for h in sorted(byh):
        groups = collections.defaultdict(list)
        for n, (how, st) in sorted(byh[h].items()):
            groups[(how, st)].append(n)
        for (how, st), names in sorted(groups.items()):
            o.write(f"| {h} | {', '.join(names)} | {how} | {st} |\n")
    return o.getvalue()


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=TREE)
    args = ap.parse_args()

    ethtool = []
    with open(os.path.join(HERE, "ethtool-subcmds.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                ethtool.append((line[0], line[1]))

    inc, drm = fetch_headers()
    headers = list_headers(inc, drm)
    flags = {a: {t: cflags(inc, drm, a, t) for t in TIMES} for a in ARCHES}
    tasks = [(h, a, inc, drm, flags[a], ethtool) for h in headers for a in ARCHES]
    log(f"linux-libc-dev {PIN}, libdrm-dev {LIBDRM_PIN}: {len(headers)} headers x 4 configurations, "
        f"{os.cpu_count()} processes")
    results = {}
    with multiprocessing.Pool(os.cpu_count()) as pool:
        for i, r in enumerate(pool.imap_unordered(work, tasks, chunksize=4), 1):
            results[(r["header"], r["arch"])] = r
            if i % 200 == 0 or i == len(tasks):
                log(f"compiled {i}/{len(tasks)}")
    outputs = analyse(headers, results, ethtool)
    for rel, text in outputs.items():
        dest = os.path.join(args.out, rel)
        if rel == DOC_ABI:
            src = os.path.join(TREE, DOC_ABI)
            with open(src) as f:
                old = f.read()
            b, e = "<!-- BEGIN abi-table -->\n", "<!-- END abi-table -->"
            if b not in old or e not in old:
                die(f"{DOC_ABI} lacks the abi-table markers")
            head, rest = old.split(b, 1)
            tail = rest.split(e, 1)[1]
            text = head + b + text + e + tail
        os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
        with open(dest, "w") as f:
            f.write(text)
        log(f"wrote {rel}")


if __name__ == "__main__":
    main()
