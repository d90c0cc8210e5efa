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
#  1. Download, for each uapi version of VERSIONS (6.1, 6.12, 7.x), the
#     pinned linux-libc-dev (bookworm's per arch, :i386 and :armhf; trixie's
#     and trixie-backports' Architecture: all, every arch's asm/ under
#     <triplet>/) and the kernel's uapi drm/ headers (in trixie's
#     linux-libc-dev; for 6.1 from bookworm's linux-libc-dev-i386-cross,
#     bookworm's linux-libc-dev leaving drm/ out) with a private apt
#     configuration (nothing of the system's apt is touched); dpkg -x into
#     ${EMUCOMPAT_CACHE:-~/.cache/emucompat}/abi/.
#  2. For every version, every uapi header and each of four configurations
#     (i386 and arm, each with 32-bit and with 64-bit time_t/off_t), with the
#     Debian cross compilers (-nostdinc; the compiler's include dir, the
#     version's headers, their asm dir, its drm/ dir, the cross glibc headers
#     -- which come last: the cross sysroot has uapi headers of its own):
#     a. `gcc -E -dD` lists the macros the header itself defines; those whose
#        expansion reaches _IOC (directly, through _IOR/_IOW/_IOWR/_IO, or
#        through other macros such as DRM_IOWR) are commands.  Function-like
#        ones (EVIOCGNAME(len)) are invoked with the argument 1; function-like
#        helpers (used by other macros, taking the type, or pasting their
#        arguments with ##) are not commands.  Literal numbers: the integer
#        macros of asm/ioctls.h and asm/sockios.h (compared by number), and
#        the commands TYPED_LITERALS names per header with their argument
#        type (linux/loop.h's `#define LOOP_SET_FD 0x4C00`): those are
#        compiled and compared as any sized command (b to d, 3).
#     b. A probe file after the header defines, per command, an enumerator
#        `enum { ec_n_N = CMD }` (the number, with the real macros), then
#        redefines _IOR/_IOW/_IOWR to `((__typeof__(size) *)0)` and declares
#        `__typeof__(CMD) ec_t_N;` (a pointer to the argument type).  A
#        header that does not compile alone is retried after a few common
#        prerequisites.
#     c. Types declared elsewhere: where the error of a header, or of a
#        command's probe line, names a struct, union, enum, typedef or
#        constant that another uapi header of the version declares (an index
#        of all of them, same directory first), the probe is compiled again
#        with that header included (up to three rounds, for chains).  A line
#        that still fails is dropped, with its error, in REPORT.md.
#     d. The object's DWARF, read with pyelftools, gives the numbers and the
#        full layout of every argument type, recursively (members, arrays,
#        unions, bitfields, and the structs behind pointers).
#  3. i386-t32 is compared with arm-t32, i386-t64 with arm-t64, command by
#     command, member by member; the result is a list of byte spans
#     (guest offset, kernel offset, length) per command and direction, or
#     a reason why the command cannot be translated.
#  4. Versions: a command in several versions must keep, per arch and
#     configuration, its number and layout (size, every leaf's offset) and,
#     per direction, its translation; else the run fails naming it.  The one
#     allowed change is a struct grown at its end with a new number (DRM's
#     rule, grown()): both numbers get rows.  The tables are the union.
#  5. Outputs: userlib/abi/REPORT.md (with the coverage per version),
#     userlib/abi-tables.h, and the region of docs/guest-abis.md between
#     <!-- BEGIN abi-table --> and <!-- END abi-table -->.
#     Everything is sorted; no timestamps, no absolute paths.
#
# Debugging (not used by make): EC_ABI_DEBUG_ONLY=REGEX limits the headers;
# EC_ABI_DEBUG_RESULTS=FILE pickles the compiled results, or reuses them when
# FILE exists (to work on the analysis and the report without recompiling).
#
# Python 3.11, stdlib + pyelftools (Debian: python3-pyelftools).

import argparse
import collections
import io
import multiprocessing
import pickle
import os
import re
import shutil
import subprocess
import sys
import tempfile

from elftools.elf.elffile import ELFFile

# The kernel uapi versions the tables are generated from.  Each is a Debian
# linux-libc-dev pinned to a version that stays downloadable: bookworm's and
# trixie's main suites change only at point releases, trixie-backports keeps
# the previous uploads for a while.  To re-pin: `apt-cache madison
# linux-libc-dev` with the private configuration of apt_opts(), set "pin",
# run `make abi`, commit the regenerated files.
#   name:  the version named in the outputs
#   pkgs:  (package, version, per-arch?) to unpack into one usr/include tree;
#          a per-arch package is unpacked for :i386 and :armhf (their asm/
#          land in different <triplet>/ dirs); an Architecture: all one
#          (trixie on) ships every arch's asm/ already.
#   drm:   where the kernel's uapi drm/ headers are in the unpacked tree.
#          linux-libc-dev of 6.1 leaves drm/ out; bookworm's
#          linux-libc-dev-i386-cross (the kernel's `make headers_install` for
#          the cross toolchains, Architecture: all, frozen in bookworm main)
#          has them, from 6.1.4.  6.12 and 7.x ship drm/ in linux-libc-dev.
VERSIONS = [
    {"name": "6.1", "suite": "bookworm",
     "pkgs": [("linux-libc-dev", "6.1.176-1", True),
              ("linux-libc-dev-i386-cross", "6.1.4-1cross1", False)],
     "drm": "usr/i686-linux-gnu/include"},
    {"name": "6.12", "suite": "trixie",
     "pkgs": [("linux-libc-dev", "6.12.117-1", False)], "drm": "usr/include"},
    {"name": "7.3", "suite": "trixie-backports",
     "pkgs": [("linux-libc-dev", "7.3.4-1~bpo13+1", False)], "drm": "usr/include"},
]

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(HERE))
DOC_ABI = "docs/guest-abis.md"   # the generated table's page (between the abi-table markers)
CACHE = os.path.join(os.environ.get("EMUCOMPAT_CACHE") or
                     os.path.join(os.path.expanduser("~"), ".cache", "emucompat"), "abi")
# trixie's packages are Architecture: all, in every arch's index: i386's is
# enough.
SOURCES = """\
deb [arch=i386,armhf signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [arch=i386 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [arch=i386 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
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
# Headers whose commands are literal numbers with an argument the number
# does not encode (linux/loop.h: `#define LOOP_SET_FD 0x4C00`): per header,
# command -> its argument type as the kernel's handler reads it (a pointer:
# the pointee is compiled for both ABIs and compared like a sized command's
# argument), or VALUE (an integer passed by value: identical if the number
# is).  Only the names listed are commands (LO_NAME_SIZE, LO_FLAGS_* are
# not).  linux/loop.h: from drivers/block/loop.c lo_ioctl()/lo_compat_ioctl()
# and loop_control_ioctl(); linux/sockios.h: see its entry.
VALUE = "value"
TYPED_LITERALS = {
    "linux/loop.h": {
        "LOOP_SET_FD": VALUE, "LOOP_CLR_FD": VALUE, "LOOP_CHANGE_FD": VALUE,
        "LOOP_SET_CAPACITY": VALUE, "LOOP_SET_DIRECT_IO": VALUE,
        "LOOP_SET_BLOCK_SIZE": VALUE,
        "LOOP_SET_STATUS": "struct loop_info *", "LOOP_GET_STATUS": "struct loop_info *",
        "LOOP_SET_STATUS64": "struct loop_info64 *",
        "LOOP_GET_STATUS64": "struct loop_info64 *",
        "LOOP_CONFIGURE": "struct loop_config *",
        "LOOP_CTL_ADD": VALUE, "LOOP_CTL_REMOVE": VALUE, "LOOP_CTL_GET_FREE": VALUE,
    },
    # net/socket.c sock_ioctl()/sock_do_ioctl(), net/core/dev_ioctl.c,
    # net/ipv4/af_inet.c inet_ioctl(), net/ipv4/arp.c, net/bridge/br_ioctl.c.
    # SIOCETHTOOL is not here: linux/ethtool.h's sub-command table handles it.
    "linux/sockios.h": {
        # Interface calls: sock_do_ioctl() copies a struct ifreq
        # (get_user_ifreq) for dev_ioctl()/dev_ifsioc(); inet_ioctl() does the
        # same for the address calls.  On an AF_INET6 socket SIOCSIFADDR reads
        # a struct in6_ifreq instead (addrconf_add_ifaddr; 24 bytes of u32/int
        # on both ABIs: not compared here, one type per command).  The MII
        # calls keep struct mii_ioctl_data inside ifr_ifru; SIOCBRADDIF/DELIF
        # read ifr_ifindex (br_dev_siocdevprivate path of dev_ifsioc).
        # SIOCWANDEV (ifr_settings), SIOC[GS]HWTSTAMP (hwtstamp_config) and the
        # bonding queries (ifbond, ifslave) point through ifr_data at further
        # structures, not compared by the generator (all u32/int/char).
        "SIOCGIFNAME": "struct ifreq *", "SIOCGIFFLAGS": "struct ifreq *",
        "SIOCSIFFLAGS": "struct ifreq *", "SIOCGIFADDR": "struct ifreq *",
        "SIOCSIFADDR": "struct ifreq *", "SIOCGIFDSTADDR": "struct ifreq *",
        "SIOCSIFDSTADDR": "struct ifreq *", "SIOCGIFBRDADDR": "struct ifreq *",
        "SIOCSIFBRDADDR": "struct ifreq *", "SIOCGIFNETMASK": "struct ifreq *",
        "SIOCSIFNETMASK": "struct ifreq *", "SIOCGIFMETRIC": "struct ifreq *",
        "SIOCSIFMETRIC": "struct ifreq *", "SIOCGIFMTU": "struct ifreq *",
        "SIOCSIFMTU": "struct ifreq *", "SIOCSIFNAME": "struct ifreq *",
        "SIOCSIFHWADDR": "struct ifreq *", "SIOCGIFHWADDR": "struct ifreq *",
        "SIOCADDMULTI": "struct ifreq *", "SIOCDELMULTI": "struct ifreq *",
        "SIOCGIFINDEX": "struct ifreq *", "SIOCSIFPFLAGS": "struct ifreq *",
        "SIOCGIFPFLAGS": "struct ifreq *", "SIOCSIFHWBROADCAST": "struct ifreq *",
        "SIOCGIFTXQLEN": "struct ifreq *", "SIOCSIFTXQLEN": "struct ifreq *",
        "SIOCGMIIPHY": "struct ifreq *", "SIOCGMIIREG": "struct ifreq *",
        "SIOCSMIIREG": "struct ifreq *", "SIOCWANDEV": "struct ifreq *",
        "SIOCGIFMAP": "struct ifreq *", "SIOCSIFMAP": "struct ifreq *",
        "SIOCBONDENSLAVE": "struct ifreq *", "SIOCBONDRELEASE": "struct ifreq *",
        "SIOCBONDSETHWADDR": "struct ifreq *", "SIOCBONDSLAVEINFOQUERY": "struct ifreq *",
        "SIOCBONDINFOQUERY": "struct ifreq *", "SIOCBONDCHANGEACTIVE": "struct ifreq *",
        "SIOCBRADDIF": "struct ifreq *", "SIOCBRDELIF": "struct ifreq *",
        "SIOCSHWTSTAMP": "struct ifreq *", "SIOCGHWTSTAMP": "struct ifreq *",
        # sock_do_ioctl(): copy_from_user of a struct ifconf, then dev_ifconf()
        "SIOCGIFCONF": "struct ifconf *",
        # inet_ioctl(): copy_from_user of a struct rtentry (ip_rt_ioctl).  On
        # an AF_INET6 socket inet6_ioctl() reads a struct in6_rtmsg
        # (ipv6_route_ioctl; in6_addr, u32, u16, unsigned long, int: no
        # difference between the ABIs; not compared here)
        "SIOCADDRT": "struct rtentry *", "SIOCDELRT": "struct rtentry *",
        # inet_ioctl(): -EINVAL, the argument is not read
        "SIOCRTMSG": VALUE,
        # arp_ioctl(): copy_from_user of a struct arpreq
        "SIOCDARP": "struct arpreq *", "SIOCGARP": "struct arpreq *",
        "SIOCSARP": "struct arpreq *",
        # inet6_ioctl() -> addrconf_del_ifaddr(): struct in6_ifreq
        "SIOCDIFADDR": "struct in6_ifreq *",
        # br_ioctl_stub() -> old_deviceless(): unsigned long args[3]
        # (args[1] a user pointer to an int array for BRCTL_GET_BRIDGES)
        "SIOCGIFBR": "unsigned long (*)[3]", "SIOCSIFBR": "unsigned long (*)[3]",
        # br_ioctl_stub(): copy_from_user of IFNAMSIZ (16) bytes of name
        "SIOCBRADDBR": "char (*)[16]", "SIOCBRDELBR": "char (*)[16]",
        # sock_ioctl() -> vlan_ioctl_handler(): struct vlan_ioctl_args
        "SIOCGIFVLAN": "struct vlan_ioctl_args *",
        "SIOCSIFVLAN": "struct vlan_ioctl_args *",
        # tcp_ioctl()/sk_ioctl(): an int written back
        "SIOCOUTQNSD": "int *",
        # sock_ioctl(): returns a namespace fd, the argument is not read
        "SIOCGSKNS": VALUE,
        # slip/6pack line disciplines (sixpack_ioctl, slip_ioctl): int
        "SIOCGIFENCAP": "int *", "SIOCSIFENCAP": "int *",
    },
}
# Literal commands of a TYPED_LITERALS header deliberately not listed there
# (so unknown under a foreign ABI), with the reason; REPORT.md lists them.
TYPED_LITERALS_LEFT_OUT = {
    "linux/sockios.h": {
        "SIOCETHTOOL": "linux/ethtool.h's sub-command table (SIOCETHTOOL sub-commands)",
        "SIOCDEVPRIVATE": "to +15: device-private, the type depends on the driver",
        "SIOCPROTOPRIVATE": "to +15: protocol-private, the type depends on the protocol",
        "SIOCDRARP": "no handler since RARP left the kernel: sock_do_ioctl() copies a "
                     "struct ifreq and dev_ioctl() answers ENOTTY",
        "SIOCGRARP": "as SIOCDRARP", "SIOCSRARP": "as SIOCDRARP",
        "SIOCGIFCOUNT": "no handler (ENOTTY after the generic struct ifreq copy)",
        "SIOCSIFLINK": "no handler (ENOTTY after the generic struct ifreq copy)",
        "SIOCGIFMEM": "no handler (ENOTTY after the generic struct ifreq copy)",
        "SIOCSIFMEM": "no handler (ENOTTY after the generic struct ifreq copy)",
        "SIOCGIFSLAVE": "no handler (ENOTTY after the generic struct ifreq copy)",
        "SIOCSIFSLAVE": "no handler (ENOTTY after the generic struct ifreq copy)",
        "SIOCADDDLCI": "the DLCI driver (struct dlci_add) was removed; no handler",
        "SIOCDELDLCI": "as SIOCADDDLCI",
    },
}
TYPED_LITERALS_TYPED = {n for m in TYPED_LITERALS.values() for n, ty in m.items() if ty != VALUE}
BY_VALUE = {n for m in TYPED_LITERALS.values() for n, ty in m.items() if ty == VALUE}
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
            "-o", "APT::Sandbox::User=root", "-o", "Acquire::Languages=none", "-q"]


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


def apt_download(opts, pkgs, cwd, v):
    log(f"apt-get download {' '.join(pkgs)}")
    if subprocess.run(["apt-get", *opts, "download", *pkgs], cwd=cwd,
                      stdout=sys.stderr).returncode:
        offered = "".join(subprocess.run(["apt-cache", *opts, "madison", p.split("=")[0].split(":")[0]],
                                         capture_output=True, text=True).stdout for p in pkgs)
        die(f"uapi {v['name']}: {' '.join(pkgs)} no longer downloadable from {v['suite']}.\n"
            f"The mirror offers:\n{offered}"
            f"Re-pin: set the version of {v['name']} in VERSIONS of "
            f"{os.path.relpath(__file__, TREE)} to one of these, then run `make abi` "
            "and commit the regenerated files.")


def version_id(v):
    return "uapi-" + "+".join(f"{p}_{ver}" for p, ver, _ in v["pkgs"]).replace("~", "_")


def fetch_version(v, opts):
    """Unpack the packages of one uapi version (cached): -> (usr/include dir,
    dir holding drm/, apt options (fetched lazily, shared between versions))."""
    root = os.path.join(CACHE, version_id(v))
    if not os.path.exists(os.path.join(root, ".done")):
        opts = opts or private_apt()
        tmp = root + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        names = []
        for p, ver, per_arch in v["pkgs"]:
            names += [f"{p}:{ARCHES[a]['deb']}={ver}" for a in ARCHES] if per_arch \
                else [f"{p}={ver}"]
        apt_download(opts, names, tmp, v)
        for deb in sorted(f for f in os.listdir(tmp) if f.endswith(".deb")):
            subprocess.run(["dpkg", "-x", os.path.join(tmp, deb), tmp], check=True)
            os.unlink(os.path.join(tmp, deb))
        shutil.rmtree(root, ignore_errors=True)
        os.rename(tmp, root)
        open(os.path.join(root, ".done"), "w").close()
    inc = os.path.join(root, "usr", "include")
    drm = os.path.join(root, v["drm"])
    if not os.path.isdir(os.path.join(drm, "drm")):
        die(f"uapi {v['name']}: no drm/ in {drm}")
    return inc, drm, opts


def list_headers(inc, drm):
    """Every uapi header of one version, as the name one #includes: the
    arch-independent ones, the asm/ of both guest arches (other arches'
    <triplet>/ dirs skipped) and drm/."""
    names = set()
    trips = {ARCHES[a]["triplet"] for a in ARCHES}
    for top in sorted(os.listdir(inc)):
        if "-linux-" in top and top not in trips or top == "drm":
            continue
        for dirpath, _, files in os.walk(os.path.join(inc, top)):
            rel = os.path.relpath(dirpath, inc)
            for fn in files:
                if not fn.endswith(".h"):
                    continue
                p = os.path.normpath(os.path.join(rel, fn))
                for t in trips:
                    if p.startswith(t + "/"):
                        p = p[len(t) + 1:]
                names.add(p)
    names.update("drm/" + fn for fn in os.listdir(os.path.join(drm, "drm")) if fn.endswith(".h"))
    return sorted(names)


def header_path(inc, drm, arch, header):
    if header.startswith("asm/"):
        return os.path.join(inc, ARCHES[arch]["triplet"], header)
    if header.startswith("drm/"):
        return os.path.join(drm, header)
    return os.path.join(inc, header)


def cflags(inc, drm, arch, tbits):
    a = ARCHES[arch]
    gccinc = subprocess.run([a["cc"], "-print-file-name=include"], capture_output=True,
                            text=True, check=True).stdout.strip()
    drmflags = [] if drm == inc else ["-isystem", drm]
    return ["-nostdinc", "-isystem", gccinc, "-isystem", inc,
            "-isystem", os.path.join(inc, a["triplet"]),
            *drmflags, "-isystem", a["sysroot"], "-w", *TIMES[tbits]]


# ---------------------------------------------------------------- worker

DEFINE_RE = re.compile(r"#define ([A-Za-z_]\w*)(\(([^)]*)\))? ?(.*)")
LINEMARK_RE = re.compile(r'# \d+ "([^"]*)"')
IDENT_RE = re.compile(r"[A-Za-z_]\w*")
C_ENV = dict(os.environ, LC_ALL="C")  # plain quotes in messages
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
    if "##" in body:  # pastes its arguments into names: DRM_IOCTL_PANTHOR(WR, ...)
        return True
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


def write_probe(path, prefix, header, entries, extra=()):
    """entries: list of (kind, key, expr); returns {line: index}.  extra:
    headers included after the header (where a command's argument type is
    declared, when that is another header)."""
    lines = [f"#include <{p}>" for p in prefix] + [f"#include <{header}>"] + \
        [f"#include <{p}>" for p in extra] + ["#include <linux/ioctl.h>"]
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


def compile_probe(cc, flags, tmp, header, prefix, entries, extra=()):
    """Compile, dropping failing entries.
    -> (ok, entries kept, [(entry, first error of its line)], errtext, obj)"""
    src = os.path.join(tmp, "probe.c")
    obj = os.path.join(tmp, "probe.o")
    drops = []
    for _ in range(40):
        where = write_probe(src, prefix, header, entries, extra)
        args = [cc, *flags, "-c", "-g", "-gdwarf-4", "-O0",
                "-fno-eliminate-unused-debug-types", "-o", obj, src]
        if not entries:
            args = [cc, *flags, "-fsyntax-only", src]
        r = subprocess.run(args, capture_output=True, text=True, env=C_ENV)
        if r.returncode == 0:
            return True, entries, drops, "", obj if entries else None
        bad = {}
        other = None
        for m in ERROR_RE.finditer(r.stderr):
            if m.group(1) == src and int(m.group(2)) in where:
                bad.setdefault(where[int(m.group(2))], m.group(3))
            elif other is None:
                other = m.group(3)
        if other is not None or not bad:
            return False, entries, drops, other or r.stderr.strip().splitlines()[-1:], None
        drops += [(entries[i], why) for i, why in sorted(bad.items())]
        entries = [e for i, e in enumerate(entries) if i not in bad]
    return False, entries, drops, "too many failing macros", None


# What a probe line's error names as missing: (kind, name) looked up in the
# version's declaration index (decl_index()).
MISSING_RES = [
    (re.compile(r"incomplete type '(struct|union|enum) (\w+)'"), None),
    (re.compile(r"'(struct|union|enum) (\w+)' declared inside"), None),
    (re.compile(r"unknown type name '(\w+)'"), "typedef"),
    (re.compile(r"'(\w+)' undeclared"), "name"),
]
DECL_RES = [
    ("struct", re.compile(r"^\s*(?:typedef\s+)?(struct|union|enum)\s+(\w+)\s*\{", re.M)),
    ("typedef", re.compile(r"^\s*typedef\b[^;{]*?\b(\w+)\s*(?:\[[^]]*\])?\s*;", re.M)),
    ("typedef", re.compile(r"^\s*\}\s*(\w+)\s*;", re.M)),
    ("macro", re.compile(r"^\s*#\s*define\s+(\w+)", re.M)),
]


def decl_index(inc, drm, headers):
    """{(kind, name): [headers declaring it]} over one version's uapi, both
    arches (asm/ names once).  kind: struct/union/enum, typedef, macro."""
    idx = collections.defaultdict(set)
    for h in headers:
        for a in ARCHES:
            p = header_path(inc, drm, a, h)
            if not os.path.exists(p):
                continue
            with open(p, errors="replace") as f:
                text = f.read()
            for kind, rx in DECL_RES:
                for m in rx.finditer(text):
                    if kind == "struct":
                        idx[(m.group(1), m.group(2))].add(h)
                    else:
                        idx[(kind, m.group(1))].add(h)
    return {k: sorted(v) for k, v in idx.items()}


# C library types some uapi headers use without including their header
# (linux/fs.h's BLKBSZGET is _IOR(0x12, 112, size_t)): the header that
# declares each, from the compiler (stddef.h) or the cross libc (time.h).
LIBC_TYPES = {"size_t": "stddef.h", "time_t": "time.h"}


def missing_decl(err, header, index):
    """The header declaring what a probe line's error says is missing, or None."""
    for rx, kind in MISSING_RES:
        m = rx.search(err)
        if not m:
            continue
        if kind is not None and m.group(1) in LIBC_TYPES:
            return LIBC_TYPES[m.group(1)]
        keys = [(m.group(1), m.group(2))] if kind is None else \
            [("typedef", m.group(1))] if kind == "typedef" else \
            [("macro", m.group(1)), ("typedef", m.group(1))]
        for k in keys:
            cands = [h for h in index.get(k, []) if h != header]
            if cands:
                here = os.path.dirname(header)
                cands.sort(key=lambda h: (os.path.dirname(h) != here, h))
                return cands[0]
    return None


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


def resolve_drops(cc, flags, tmp, header, prefix, allentries, dropped, index, got):
    """Commands whose probe line failed: where the error names a type or
    constant declared in another uapi header, compile them again with that
    header included too (up to three rounds, for chains).  Updates got.
    -> ({command: error} still dropped, {command: [headers added]})"""
    errs = {}
    for (kind, key, expr), why in dropped:
        errs.setdefault(key, why)
    entries = collections.defaultdict(list)
    for e in allentries:
        if e[1] in errs:
            entries[e[1]].append(e)
    extra = {key: [] for key in errs}
    resolved = {}
    for _ in range(3):
        todo = {}
        for key, why in errs.items():
            h = missing_decl(why, header, index)
            if h and h not in extra[key]:
                todo[key] = extra[key] + [h]
        if not todo:
            break
        byextra = collections.defaultdict(list)
        for key, ex in todo.items():
            byextra[tuple(ex)].append(key)
        for ex, keys in sorted(byextra.items()):
            ents = [e for k in keys for e in entries[k]]
            ok, kept, drops, err, obj = compile_probe(cc, flags, tmp, header, prefix, ents, ex)
            for k in keys:
                extra[k] = list(ex)
            if not ok:
                continue
            for (kind, key, expr), why in drops:
                errs[key] = why
            new = read_obj(obj, kept) if obj else {}
            for k in keys:
                if "num" in new.get(k, {}) and not any(e[1] == k for e, _ in drops):
                    got[k] = new[k]
                    resolved[k] = list(ex)
                    errs.pop(k, None)
    return errs, resolved


INDEX = {}  # version name -> decl_index(); set before the pool forks


def work(task):
    """One header on one arch of one uapi version, both time configurations."""
    vname, header, arch, inc, drm, flags_by_t, ethtool = task
    a = ARCHES[arch]
    res = {"version": vname, "header": header, "arch": arch, "status": {}, "prereq": False,
           "cmds": {}, "literals": {}, "fnlike": [], "dropped": {}, "ethtool": {},
           "drops": {}, "resolved": {}, "hdr_extra": []}
    path = header_path(inc, drm, arch, header)
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
                               capture_output=True, text=True, env=C_ENV)
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
        for name, ty in sorted(TYPED_LITERALS.get(header, {}).items()):
            if name in macros and macros[name][0] is None and macros[name][2] in origins:
                entries.append(("num", name, name))
                if ty != VALUE:
                    # sizeof: an incomplete type fails the line, as a sized
                    # command's does (then resolve_drops() looks for it)
                    entries.append(("type", name, f"(({ty})0 + 0 * sizeof(*({ty})0))"))
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
            extra = res["hdr_extra"]
            if extra and not ok:
                ok, kept, dropped, err, obj = compile_probe(a["cc"], flags, tmp, header,
                                                            PREREQS + extra, entries)
            for _ in range(3):
                # The header itself needs a declaration of another uapi header.
                h2 = None if ok or not isinstance(err, str) else \
                    missing_decl(err, header, INDEX.get(vname, {}))
                if h2 is None or h2 in extra:
                    break
                extra.append(h2)
                ok, kept, dropped, err, obj = compile_probe(a["cc"], flags, tmp, header,
                                                            PREREQS + extra, entries)
            if not ok:
                res["status"][t] = "does not compile: " + (err if isinstance(err, str)
                                                           else " ".join(err))
                continue
            res["status"][t] = "ok"
            prefix = PREREQS + extra if extra else PREREQS if res["prereq"] else []
            got = read_obj(obj, kept) if obj else {}
            drops, resolved = resolve_drops(a["cc"], flags, tmp, header, prefix, entries, dropped,
                                            INDEX.get(vname, {}), got)
            res["dropped"][t] = len(dropped)
            res["drops"][t] = drops
            res["resolved"][t] = resolved
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
        if name in BY_VALUE:
            return {"cls": "untyped", "gnum": gn, "knum": kn,
                    "reason": "literal number with a by-value argument: number differs"}
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


def analyse_version(headers, results):
    """One uapi version: counts, and the commands that differ between the ABIs."""
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
                if t == "t32" and ("type" not in gi or "type" not in ga) and \
                        n not in TYPED_LITERALS.get(h, {}):
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
    return {"st": st, "failed": failed, "found": found, "compared": compared,
            "oneabi": oneabi, "fnlike": fnlike, "untyped": untyped, "diffs": diffs,
            "rdiffs": rdiffs, "idents": idents, "lits": lits, "litdiff": litdiff}


def norm_layout(d):
    """A type's layout as the library sees it: its size and the byte spans of
    its leaves (a union: its members' extent) and where its flexible arrays
    start, names and element types left out.  A field named in place of
    reserved bytes, a union member added, or a flexible array of __u8 in place
    of __u64 (the same bytes) leave it alone."""
    if d[0] == "p":
        return ("p", d[1], norm_layout(d[2]) if d[2] is not None else None)
    try:
        spans, notes = layout_spans(d, d)
    except Refuse:
        return ("?", d)
    return (size_of(d), tuple(spans), tuple(n[2] for n in notes))


def translation(c):
    """What the library does with a differing command (compare_cmd's result)."""
    return (c["cls"], c["gnum"], c["knum"], c.get("gsize"), c.get("ksize"),
            tuple(c.get("spans", ())), c.get("reason"))


def check_versions(vres, per):
    """Every command present in several versions keeps, per arch and time
    configuration, its number and its argument layout (size and every leaf's
    offset; member names may change), and per direction its translation.
    -> (list of problems, {(header, name): [versions]}, count of commands whose
    member names alone changed)"""
    probs, seen = [], collections.defaultdict(set)
    renamed, grew = set(), set()
    first = {}   # (arch, t, h, n) -> (version, num, layout, names-included type)
    for vname, results in vres:
        for (h, a), r in sorted(results.items()):
            for t in TIMES:
                for n, info in sorted(r["cmds"].get(t, {}).items()):
                    if "num" not in info:
                        continue
                    seen[(h, n)].add(vname)
                    ty = info.get("type")
                    lay = norm_layout(ty) if ty is not None else None
                    k = (a, t, h, n)
                    if k not in first:
                        first[k] = (vname, info["num"], lay, ty)
                        continue
                    v0, num0, lay0, ty0 = first[k]
                    if num0 != info["num"] and (grown(num0, lay0, info["num"], lay) or
                                                (h, n) in KNOWN_BREAKS):
                        grew.add((h, n, v0, num0, vname, info["num"], a, t))
                    elif num0 == info["num"] and lay0 != lay and lay0 and lay and \
                            lay0[0] == lay[0] == "p" and lay0[2] and lay[2] and \
                            covers(lay0[2], lay[2]):
                        grew.add((h, n, v0, size_of(ty0[2]), vname, size_of(ty[2]), a, t))
                    elif num0 != info["num"]:
                        probs.append(f"{n} ({h}, {a}-{t}): number {num0:#010x} in {v0}, "
                                     f"{info['num']:#010x} in {vname}")
                    elif lay0 != lay and lay0 is not None and lay is not None:
                        probs.append(f"{n} ({h}, {a}-{t}): argument layout in {v0} "
                                     f"({type_name(ty0)}, {size_of(ty0[2] if ty0[0] == 'p' else ty0)} "
                                     f"bytes) is not the one in {vname} ({type_name(ty)}, "
                                     f"{size_of(ty[2] if ty[0] == 'p' else ty)} bytes)")
                    elif ty0 != ty:
                        renamed.add((h, n))
    trans = {}
    for vname, v in per:
        for store in ("diffs", "rdiffs"):
            for (t, h, n), c in v[store].items():
                k = (store, t, h, n, c["gnum"])
                tr = translation(c)
                if k in trans and trans[k][1] != tr:
                    probs.append(f"{n} ({h}, {t}, {'i386 guest' if store == 'diffs' else 'arm guest'}): "
                                 f"translation in {trans[k][0]} differs from {vname}")
                trans.setdefault(k, (vname, tr))
    return (sorted(set(probs)), {k: sorted(v, key=vkey) for k, v in seen.items()}, len(renamed),
            sorted(grew))


# Commands whose uapi changed incompatibly between the versions, on purpose:
# both numbers get rows, REPORT.md lists them with the grown ones.
KNOWN_BREAKS = {
    # ntsync's uapi was reworked in 6.14, while the driver still depended on
    # BROKEN (it was never usable with the 6.12 layout): CREATE_SEM became
    # _IOW of an 8-byte struct instead of _IOWR of 12 bytes.
    ("linux/ntsync.h", "NTSYNC_IOC_CREATE_SEM"),
}


def covers(lay0, lay1):
    """Every leaf byte of layout lay0 is a leaf byte of lay1 at the same
    offset (lay1 may be larger: a struct extended at its end)."""
    if lay0[0] in ("p", "?") or lay1[0] in ("p", "?"):
        return False
    old_bytes = {b for g, _, ln in lay0[1] for b in range(g, g + ln)}
    new_bytes = {b for g, _, ln in lay1[1] for b in range(g, g + ln)}
    return old_bytes <= new_bytes


def grown(num0, lay0, num1, lay1):
    """A struct extended at its end (DRM's rule: drm_ioctl() accepts every
    size of a command, copies what the caller gives and zero-fills the
    rest): same direction, type and nr, a larger size, and every leaf of the
    old layout at the same offset in the new one."""
    if num0 & ~(0x3fff << 16) != num1 & ~(0x3fff << 16) or ioc_size(num1) <= ioc_size(num0):
        return False
    if lay0 is None or lay1 is None or lay0[0] in ("p", "?") or lay1[0] in ("p", "?"):
        return False
    end = ioc_size(num0)
    new = [sp for sp in lay1[1] if sp[0] < end]
    old_bytes = {b for g, _, ln in lay0[1] for b in range(g, g + ln)}
    new_bytes = {b for g, _, ln in new for b in range(g, g + ln)}
    return old_bytes <= new_bytes


def vkey(name):
    return [int(x) for x in name.split(".")]


def analyse(vers, vres, ethtool):
    """-> {relative path: text} for the report, the C tables, the docs/guest-abis.md region."""
    per = [(vname, analyse_version(headers, vres[vname])) for vname, headers in vers]
    for vname, _ in vers:
        for h, m in sorted(TYPED_LITERALS.items()):
            for a, t in CONFIGS:
                got = vres[vname][(h, a)]["cmds"].get(t, {})
                for n, ty in sorted(m.items()):
                    if "num" not in got.get(n, {}) or (ty != VALUE and "type" not in got[n]):
                        die(f"TYPED_LITERALS: {n} ({ty}) not found in {h} of {vname} "
                            f"({a}-{t})")
    probs, seen, renamed, grew = check_versions([(vn, vres[vn]) for vn, _ in vers], per)
    if probs:
        die("commands whose number, layout or translation changed between uapi versions "
            "(a uapi break, or a generator bug; nothing written):\n  " + "\n  ".join(probs))
    # The union over the versions: the newest version that has a command
    # gives it; a command grown since (grown()) keeps its older number too,
    # as "NAME (VERSION size)".
    diffs, rdiffs, idents, lits = {}, {}, {}, {}
    for vname, v in reversed(per):
        for store, u in (("diffs", diffs), ("rdiffs", rdiffs)):
            for (t, h, n), c in v[store].items():
                k = (t, h, n)
                if k in u and u[k]["gnum"] != c["gnum"]:
                    k = (t, h, f"{n} ({vname} size)")
                u.setdefault(k, c)
        for k, m in v["idents"].items():
            for num, names in m.items():
                idents.setdefault(k, {}).setdefault(num, set()).update(names)
        for n, byarch in v["lits"].items():
            for a, val in byarch.items():
                if lits.setdefault(n, {}).setdefault(a, val) != val:
                    die(f"literal {n} ({a}) changed between uapi versions")
    litdiff = sorted((n, v["i386"], v["arm"]) for n, v in lits.items()
                     if len(v) == 2 and v["i386"] != v["arm"])
    results = vres[vers[-1][0]]

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

    # Ethtool sub-commands: the same in every version.
    eth = None
    for vname, _ in vers:
        results = vres[vname]
        ev = {}
        for dname, garch, karch in DIRECTIONS:
            ev[dname] = []
            gi = results[("linux/ethtool.h", garch)]["ethtool"].get("t32", {})
            ki = results[("linux/ethtool.h", karch)]["ethtool"].get("t32", {})
            for sub, stname in ethtool:
                g, k = gi.get(sub), ki.get(sub)
                if not g or not k or "type" not in g or "type" not in k:
                    die(f"ethtool: {sub} / struct {stname} not found in linux/ethtool.h "
                        f"of {vname}")
                if g["type"] == k["type"]:
                    continue
                spans, notes = layout_spans(g["type"], k["type"])
                ev[dname].append((g["num"], sub, stname, size_of(g["type"]),
                                  size_of(k["type"]), spans, notes))
            ev[dname].sort()
        if eth is not None and [(d, [e[:6] for e in ev[d]]) for d in ev] != \
                [(d, [e[:6] for e in eth[d]]) for d in eth]:
            die(f"ethtool sub-commands: the translation in {vname} differs from {vers[0][0]}")
        eth = eth or ev

    return {
        "userlib/abi/REPORT.md": report(vers, vres, per, seen, renamed, grew, diffs, litdiff,
                                        tables, refused, collisions, eth),
        "userlib/abi-tables.h": c_tables(tables, eth) + c_identical(
            idents, tables, sorted({x for _, v in per for x in v["fnlike"]}), litdiff),
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


def versions_text():
    """The uapi versions and their packages, one line."""
    out = []
    for v in VERSIONS:
        p = v["pkgs"]
        out.append(f"{v['name']}: {p[0][0]} {p[0][1]}" +
                   "".join(f" + drm/ of {q} {ver}" for q, ver, _ in p[1:]))
    return "; ".join(out)


def cfg_text(cfgs):
    cfgs = sorted(set(cfgs))
    return "all four configurations" if len(cfgs) == len(CONFIGS) else ", ".join(cfgs)


def report(vers, vres, per, seen, renamed, grew, diffs, litdiff, tables, refused, collisions,
           eth):
    o = io.StringIO()
    w = o.write
    vnames = [vn for vn, _ in vers]
    P = dict(per)
    w("<!-- Generated by userlib/abi/abi-gen.py: do not edit; `make abi`. -->\n")
    w("# Guest ABIs: ioctl commands that differ between i386 and AArch32\n\n")
    w("Headers: the kernel's uapi of three versions, each from pinned Debian packages\n"
      "(`VERSIONS` in `userlib/abi/abi-gen.py`; re-pin there):\n\n"
      "| uapi | packages | suite | `drm/` from |\n|---|---|---|---|\n")
    for v in VERSIONS:
        pk = ", ".join(f"`{p}` {ver}" + (" (`:i386`, `:armhf`)" if pa else " (all)")
                       for p, ver, pa in v["pkgs"])
        drmfrom = v["pkgs"][-1][0] if v["drm"] != "usr/include" else v["pkgs"][0][0]
        w(f"| {v['name']} | {pk} | {v['suite']} | `{drmfrom}` |\n")
    w("\nThe `drm/` headers are the kernel's own uapi (`make headers_install`), not\n"
      "libdrm's copy: bookworm's `linux-libc-dev` leaves `drm/` out, its\n"
      "`linux-libc-dev-i386-cross` (the same kernel's headers for the cross\n"
      "toolchains) has it; trixie's `linux-libc-dev` (Architecture: all, every\n"
      "arch's `asm/` under `<triplet>/`) ships it.\n\n"
      "Every version is compiled for all four configurations; the tables are the\n"
      "union.  A command present in several versions must keep, per arch and\n"
      "configuration, its number and argument layout (size and every member's\n"
      "offset), and per direction its translation: `make abi` fails naming the\n"
      "commands where one does not.\n\n"
      "Compilers: Debian's `i686-linux-gnu-gcc` and `arm-linux-gnueabihf-gcc`,\n"
      "`-nostdinc`, the compiler's include dir, the version's headers and their asm\n"
      "dir, its `drm/` dir, then the cross glibc headers (last: the\n"
      "cross sysroot has uapi headers of its own).  Configurations: t32 (default) and t64\n"
      "(`-D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64`); i386-t32 is compared with\n"
      "arm-t32, i386-t64 with arm-t64.  Numbers and argument types come from the\n"
      "DWARF of probe objects (pyelftools); see the header comment of abi-gen.py.\n\n")
    w("## Coverage\n\n"
      "An independent count of the commands whose number differs (regular\n"
      "expressions and the cross compilers' assembly, no DWARF), and where it and\n"
      "this report part: [CENSUS.md](CENSUS.md) (`make abi-census`).\n\n")
    w("| | " + " | ".join(vnames) + " |\n|---|" + "---|" * len(vnames) + "\n")

    def row(label, f):
        w(f"| {label} | " + " | ".join(str(f(vn)) for vn in vnames) + " |\n")
    hdrs = dict(vers)
    row("headers found (`.h` of both arches, `asm/` per arch, `drm/`)", lambda vn: len(hdrs[vn]))
    for a, t in CONFIGS:
        row(f"compiled {a}-{t} (of them only after the prerequisites)",
            lambda vn: f"{P[vn]['st'][(a, t, 'ok')]} ({P[vn]['st'][(a, t, 'prereq')]})")
    row("compiled in all four configurations", lambda vn: P[vn]["st"]["all"])
    for t in TIMES:
        row(f"{t}: commands found", lambda vn: P[vn]["found"][t])
        row(f"{t}: compared (defined for both ABIs)", lambda vn: P[vn]["compared"][t])
        row(f"{t}: defined for one ABI only", lambda vn: P[vn]["oneabi"][t])
    row("commands without an argument type (t32; compared by number only)",
        lambda vn: P[vn]["untyped"])
    row("function-like commands (invoked with the argument 1)", lambda vn: len(P[vn]["fnlike"]))
    row("literal commands of TYPED_LITERALS (" + ", ".join(sorted(TYPED_LITERALS)) +
        "): typed / by value", lambda vn: f"{len(TYPED_LITERALS_TYPED)} / {len(BY_VALUE)}")
    res_cnt, drop_cnt = collections.Counter(), collections.Counter()
    resolved, dropped = collections.defaultdict(set), collections.defaultdict(set)
    hdr_extra = collections.defaultdict(set)
    for vn in vnames:
        for (h, a), r in vres[vn].items():
            if r["hdr_extra"] and any(r["status"].get(t) == "ok" for t in TIMES):
                hdr_extra[(h, tuple(r["hdr_extra"]))].add(vn)
            for t in TIMES:
                for n, ex in r["resolved"].get(t, {}).items():
                    resolved[(h, n, tuple(ex))].add(vn)
                    res_cnt[(vn, a, t)] += 1
                for n, why in r["drops"].get(t, {}).items():
                    dropped[(h, n, why)].add((vn, f"{a}-{t}"))
                    drop_cnt[(vn, a, t)] += 1
    row("commands whose type is declared in another header: resolved (i386-t32)",
        lambda vn: res_cnt[(vn, "i386", "t32")])
    row("commands dropped: do not compile (i386-t32 / arm-t32)",
        lambda vn: f"{drop_cnt[(vn, 'i386', 't32')]} / {drop_cnt[(vn, 'arm', 't32')]}")
    row("differing commands (t32 / t64, i386 guest)",
        lambda vn: f"{sum(k[0] == 't32' for k in P[vn]['diffs'])} / "
        f"{sum(k[0] == 't64' for k in P[vn]['diffs'])}")
    w("\n")
    byset = collections.Counter(tuple(v) for v in seen.values())
    w(f"Commands (header, name) over all versions: {len(seen)}; by the versions that have "
      "them: " + ", ".join(f"{'+'.join(k)}: {n}" for k, n in sorted(
          byset.items(), key=lambda kv: [vkey(x) for x in kv[0]])) +
      f".  Those in several versions keep number, layout and translation (checked); "
      f"{renamed} of them changed\nmember names or types only (a reserved field named, "
      "a union member added), which\nleaves the layout alone.\n\n")
    w("Commands whose argument struct grew at its end between versions (a new\n"
      "number, the old one kept: DRM's `drm_ioctl()` accepts every size; the tables\n"
      "hold both numbers where the ABIs differ), or whose pointee grew at its end\n"
      "(the same number: `perf_event_attr` carries its own size), and the known\n"
      "breaks of `KNOWN_BREAKS` in abi-gen.py (NTSYNC_IOC_CREATE_SEM: ntsync's uapi\n"
      "reworked in 6.14 while the driver still depended on BROKEN; both numbers kept):\n\n")
    gr = collections.defaultdict(lambda: (collections.defaultdict(set), set()))
    for h, n, v0, n0, v1, n1, a, t in grew:
        sizes, cf = gr[(h, n)]
        if a == "i386" and t == "t32":
            sz0, sz1 = (n0, n1) if n0 < 0x10000 else (ioc_size(n0), ioc_size(n1))
            sizes[sz0].add(v0)
            sizes[sz1].add(v1)
        cf.add(f"{a}-{t}")
    for (h, n), (sizes, cf) in sorted(gr.items()):
        w(f"- {h} {n}: " + ", ".join(f"{sz} bytes in {', '.join(sorted(vs, key=vkey))}"
                                     for sz, vs in sorted(sizes.items())) +
          f" (sizes of i386-t32; grown in {cfg_text(cf)})\n")
    if not gr:
        w("None.\n")
    w("\n")
    fnl = sorted({n for vn in vnames for _, n in P[vn]["fnlike"]})
    w(f"Function-like commands, compared at the argument 1 only: {', '.join(fnl)}.\n\n")
    w("### Commands whose argument type is declared in another header\n\n"
      "The header alone does not compile the command's `sizeof`; the probe line's\n"
      "error names the missing struct, typedef or constant, the generator finds the\n"
      "uapi header declaring it (an index of the version's headers, same directory\n"
      "first) and compiles the command again with that header included too.\n\n")
    if not resolved:
        w("None.\n")
    for (h, n, ex), vs in sorted(resolved.items()):
        w(f"- {h} {n}: with <{'>, <'.join(ex)}> ({', '.join(sorted(vs, key=vkey))})\n")
    w("\nHeaders that compile only after another uapi header (found the same way from\n"
      "the header's own error; all their commands):\n\n")
    if not hdr_extra:
        w("None.\n")
    for (h, ex), vs in sorted(hdr_extra.items()):
        w(f"- {h}: after <{'>, <'.join(ex)}> ({', '.join(sorted(vs, key=vkey))})\n")
    w("\n### Commands dropped\n\nTheir probe line does not compile, in the "
      "configurations named, even with the declaring header:\n\n")
    if not dropped:
        w("None.\n")
    byhn = collections.defaultdict(list)
    for (h, n, why), where in sorted(dropped.items()):
        byhn[(h, why)].append((n, where))
    for (h, why), items in sorted(byhn.items()):
        names = sorted({n.split(":", 1)[-1] for n, _ in items})
        where = set().union(*(w_ for _, w_ in items))
        vs = sorted({x[0] for x in where}, key=vkey)
        cfgs = sorted({x[1] for x in where})
        w(f"- {h}: {', '.join(names)} ({', '.join(vs)}; {cfg_text(cfgs)}): {why}\n")
    w("\n### Headers that do not compile\n\n")
    byhdr = collections.defaultdict(lambda: collections.defaultdict(set))
    absent = collections.defaultdict(set)
    for vn in vnames:
        for h, cfg, why in P[vn]["failed"]:
            why = re.sub(r"/[^ :]*/usr/include/", "", why)
            if why == "absent for this arch":
                absent[(h, cfg.split("-")[0])].add(vn)
            else:
                byhdr[(h, why)][vn].add(cfg)
    for (h, why), d in sorted(byhdr.items()):
        groups = collections.defaultdict(list)
        for vn, c in sorted(d.items(), key=lambda kv: vkey(kv[0])):
            groups[cfg_text(c)].append(vn)
        w(f"- {h} (" + "; ".join(f"{', '.join(vs)}: {c}" for c, vs in groups.items()) +
          f"): {why}\n")
    w("\nHeaders of one arch only (absent for the other; not compared): ")
    w(", ".join(f"{h} ({a} only, {', '.join(sorted(vs, key=vkey))})" if len(vs) < len(vnames)
                else f"{h} ({a} only)" for (h, a), vs in sorted(
                    ((h, "arm" if a == "i386" else "i386"), vs) for (h, a), vs in absent.items()))
      + ".\n\n")
    w("## Differences by class\n\n")
    w("Over the union of the versions.\n\n")
    w("| class | t32 | t64 | time64-only |\n|---|---|---|---|\n")
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
      "uapi: the versions that have the command (`all`: 6.1, 6.12 and 7.3; a grown\n"
      "command's older number is named `NAME (VERSION size)`).\n"
      "Numbers are i386 / arm; sizes in bytes; members as `name i386/arm offset`;\n"
      "spans (i386 guest -> arm kernel) as `guest->kernel:length`.\n")
    byh = collections.defaultdict(list)
    for (t, h, n), c in diffs.items():
        byh[h].append((n, t, c))
    for h in sorted(byh):
        w(f"\n### {h}\n\n| command | uapi | time | i386 | arm | class | how | "
          "i386 guest / arm guest |\n|---|---|---|---|---|---|---|---|\n")
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
            vs = seen.get((h, n.split(" (")[0]), [])
            w(f"| {n} | {'all' if len(vs) == len(vnames) else ', '.join(vs)} | {tt} | "
              f"{c['gnum']:#010x} {sz[0]} | {c['knum']:#010x} {sz[1]} | "
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
    w("\n## Literal commands with an argument type\n\n"
      "Headers that define commands as literal numbers (`#define LOOP_SET_FD 0x4C00`),\n"
      "not with `_IO*`: the number does not encode the argument, so `TYPED_LITERALS`\n"
      "in abi-gen.py names, per header, each command and its argument type as the\n"
      "kernel's handler reads it (for linux/loop.h: drivers/block/loop.c lo_ioctl(),\n"
      "lo_compat_ioctl(), loop_control_ioctl(); for linux/sockios.h: net/socket.c\n"
      "sock_ioctl()/sock_do_ioctl(), net/core/dev_ioctl.c, net/ipv4/af_inet.c\n"
      "inet_ioctl(), net/ipv4/arp.c, net/bridge/br_ioctl.c, the slip/6pack line\n"
      "disciplines).  A pointer's pointee is compiled for\n"
      "both ABIs and compared like a sized command's argument (identical: passed\n"
      "unchanged; else a row or refused, as above); a by-value argument is the same\n"
      "when the number is.  Only the listed names are commands (not the header's\n"
      "other integer macros).  Over the union of the versions:\n\n"
      "| header | command | number (i386 / arm) | argument | i386 guest / arm guest |\n"
      "|---|---|---|---|---|\n")
    newest = vres[vnames[-1]]
    for h, m in sorted(TYPED_LITERALS.items()):
        for n, ty in sorted(m.items(), key=lambda kv: (
                newest[(h, "i386")]["cmds"]["t32"][kv[0]]["num"], kv[0])):
            ni = newest[(h, "i386")]["cmds"]["t32"][n]["num"]
            na = newest[(h, "arm")]["cmds"]["t32"][n]["num"]
            st = []
            for d, _, _ in DIRECTIONS:
                rs = row_status(tables, d, n)
                st.append("identical" if rs == "no row" else rs)
            arg = "by value" if ty == VALUE else f"`{ty}`" + (
                f" ({size_of(newest[(h, 'i386')]['cmds']['t32'][n]['type'])} / "
                f"{size_of(newest[(h, 'arm')]['cmds']['t32'][n]['type'])} bytes)")
            w(f"| {h} | {n} | {ni:#06x} / {na:#06x} | {arg} | {' / '.join(st)} |\n")
    w("\nLiteral commands of these headers left out of `TYPED_LITERALS` (unknown\n"
      "under a foreign ABI), with the reason:\n\n")
    for h, m in sorted(TYPED_LITERALS_LEFT_OUT.items()):
        for n, why in sorted(m.items()):
            w(f"- {h} {n}: {why}\n")
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
    return o.getvalue()


def c_tables(tables, eth):
    o = io.StringIO()
    w = o.write
    w("/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */\n")
    w(f"/* Generated by userlib/abi/abi-gen.py from the uapi of {versions_text()}: the\n"
      " * union of the three; do not edit; `make abi`. */\n")
    w(f'#define EC_ABI_HEADERS "uapi {", ".join(v["name"] for v in VERSIONS)} '
      f'(linux-libc-dev {", ".join(v["pkgs"][0][1] for v in VERSIONS)})"\n')
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
    o.write(f"Generated by `make abi` from the kernel uapi (with `drm/`) of {versions_text()}\n"
            "(the union of the three; details, sizes, coverage and\n"
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

    # Every version compiled in full: no two versions' trees preprocess a
    # header alike (linux/types.h, asm-generic/ioctl.h, ... change between
    # them), so there is nothing to share.
    opts, vers, tasks = None, [], []
    for v in VERSIONS:
        vn = v["name"]
        inc, drm, opts = fetch_version(v, opts)
        headers = list_headers(inc, drm)
        if os.environ.get("EC_ABI_DEBUG_ONLY"):
            headers = [h for h in headers if re.search(os.environ["EC_ABI_DEBUG_ONLY"], h)]
        vers.append((vn, headers))
        INDEX[vn] = decl_index(inc, drm, headers)
        for a in ARCHES:
            flags = {t: cflags(inc, drm, a, t) for t in TIMES}
            tasks += [(vn, h, a, inc, drm, flags, ethtool) for h in headers]
    log(f"uapi {', '.join(vn for vn, _ in vers)}: {len(tasks)} header/arch pairs "
        f"x 2 time configurations, {os.cpu_count()} processes")
    vres = {vn: {} for vn, _ in vers}
    dump = os.environ.get("EC_ABI_DEBUG_RESULTS")  # a pickle: reused if present
    if dump and os.path.exists(dump):
        with open(dump, "rb") as f:
            vres = pickle.load(f)
    else:
        with multiprocessing.Pool(os.cpu_count()) as pool:
            for i, r in enumerate(pool.imap_unordered(work, tasks, chunksize=4), 1):
                vres[r["version"]][(r["header"], r["arch"])] = r
                if i % 500 == 0 or i == len(tasks):
                    log(f"compiled {i}/{len(tasks)}")
        if dump:
            with open(dump, "wb") as f:
                pickle.dump(vres, f)
    outputs = analyse(vers, vres, ethtool)
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
