# SPDX-License-Identifier: GPL-2.0
#
# emucompat — top-level build.
#   make                 module for the running kernel + library
#   make module          module only   (KDIR=, ARCH=, CROSS_COMPILE= override)
#   make lib             libemucompat.a / .so / emucompat.pc into build/
#   make install         module (modules_install + depmod), library, headers,
#                        pkg-config file, udev rule, man pages
#                        (DESTDIR=, PREFIX=, MANDIR=)
#   make install-udev    the udev rule alone (/dev/emucompat mode 0666)
#   make install-udev-group  the group-owned variant: 0660, group emucompat
#                        (rule in /etc/udev/rules.d, the system group)
#   make install-man     man pages alone: man/man3/*.3, man/man7/emucompat.7
#                        into $(MANDIR)/man3, man7 (also part of install-lib)
#   make demo            boot a QEMU guest and show what emucompat does
#   make check           the test suite in a QEMU guest on KERNEL (default
#                        6.12-amd64; KERNELS="a b" for several)
#   make check-all       the same on every kernel of the matrix (CI),
#                        the debug kernel included
#   make check-debug     the suite on the KUnit/KASAN/lockdep/kmemleak kernel
#                        alone, built from Debian's linux-source-6.1 (first
#                        build: about 15-20 minutes on 2 cores;
#                        tests/qemu/debug-kernel.sh)
#   make fuzz            t_fuzz alone for FUZZ_SECS (600) on KERNEL
#   make check-dkms      dkms add/build/install/remove against other headers
#   make bench           benchmarks in a QEMU guest (KERNEL=, default
#                        6.1-amd64): tables + build/bench/mmap-scaling.png
#   make deb             Debian packages into build/deb/  (DEB_OUT= override)
#   make check-deb       build them, lintian, contents, then apt install in a
#                        bookworm chroot: DKMS build, pkg-config, udev rule,
#                        purge  (root; modprobe is tested by the QEMU guests)
#   make lint            links of README.md and docs/, the SVGs, man page lint,
#                        checkpatch --strict, kernel-doc and sparse
#                        (make checkpatch / sparse)
#   make docs            docs/*.svg from docs/*.dot (Graphviz; docs/gen-svg.sh)
#   make abi             regenerate the guest-ABI tables from the pinned uapi
#                        headers of 6.1, 6.12 and 7.x (their union):
#                        userlib/abi-tables.h, userlib/abi/REPORT.md,
#                        docs/guest-abis.md's abi-table (userlib/abi/abi-gen.py)
#   make abi-census      userlib/abi/CENSUS.md: an independent count of the
#                        commands whose number differs, against REPORT.md
#   make check-lib       host-side unit tests of the library (ASan, UBSan)
#   make check-abi       regenerate into a temporary dir and diff against the
#                        committed files; fails on any difference
#   make perf-table      docs/performance.md's table from tests/bench/results/
#                        (make lint checks it is what the runs give)
#   make qemu-user       static qemu-i386 and qemu-arm (a Debian QEMU source +
#                        integrations/qemu/<QEMU_BASE>/: 10.0 trixie, the
#                        default and what the QEMU lanes run; 7.2 bookworm;
#                        11.1 sid) linked with libemucompat.a, cached
#                        outside the clone; prints QEMU_USER_DIR=<dir>
#                        (QEMU_HOST=arm64: cross build).  QEMU_BASE=7.2 on
#                        make check / run.sh runs the lanes on 7.2
#   make qemu-user-check the same, the series built one patch at a time
#                        (build.sh --bisect: each patch must build)
#   make box64-user      box64 0.4.3-3 with box32 for amd64 and arm64 (cross
#                        on amd64), patched (integrations/box64/patches,
#                        libemucompat.a) and unpatched, cached outside the
#                        clone; prints BOX64_USER_DIR=<dir> (box64,
#                        box64-stock) per host (BOX64_HOST="amd64 arm64")
#   make check-box64     t_box64.sh (box32 against native 32-bit programs)
#                        alone on BOX64_LANES (6.12-amd64 6.12-arm64);
#                        check/check-all run it on the lanes of
#                        EMUCOMPAT_BOX64 (default 6.12-amd64 6.12-arm64;
#                        EMUCOMPAT_BOX64= turns it off)
#
# The version is PACKAGE_VERSION in dkms.conf.

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(CURDIR)/dkms.conf)
SOMAJOR := 0

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
ARCH ?=
CROSS_COMPILE ?=
KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR)/module \
	$(if $(ARCH),ARCH=$(ARCH)) $(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE))

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
UDEVDIR ?= /lib/udev/rules.d
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC_LIB ?= $(CROSS_COMPILE)gcc
AR_LIB ?= $(CROSS_COMPILE)ar
LIB_CFLAGS ?= -O2 -g
LIB_CFLAGS += -std=gnu11 -Wall -Wextra -Werror=implicit-function-declaration \
	-fPIC -fvisibility=hidden -D_GNU_SOURCE -Iuserlib -Iuapi -pthread
B := build

KERNEL ?= 6.12-amd64
KERNELS ?= $(KERNEL)
# The matrix is tests/qemu/kernels.conf (its order, the debug kernel first).
ALL_KERNELS := $(shell awk '!/^[[:space:]]*\#/ && NF { print $$1 }' tests/qemu/kernels.conf)
DEBUG_KERNEL := $(filter %-debug-amd64,$(ALL_KERNELS))

.PHONY: all module lib install install-module install-lib install-man install-udev \
	install-udev-group demo check check-all \
	check-debug check-dkms checkpatch sparse lint fuzz deps clean deb check-deb bench \
	abi abi-census check-abi qemu-user qemu-user-check box64-user check-box64 perf-table docs check-lib

all: module lib

module:
	$(KMAKE) modules

lib: $(B)/libemucompat.a $(B)/libemucompat.so.$(VERSION) $(B)/emucompat.pc

LIB_SRCS := $(sort $(wildcard userlib/*.c))
LIB_OBJS := $(patsubst userlib/%.c,$(B)/lib/%.o,$(LIB_SRCS))

$(B)/lib/%.o: userlib/%.c userlib/emucompat.h userlib/internal.h userlib/abi-tables.h \
		uapi/linux/emucompat.h
	@mkdir -p $(@D)
	$(CC_LIB) $(LIB_CFLAGS) -c -o $@ $<

# The archive's abi.o is built without symbol versions (userlib/abi.c,
# EC_STATIC_ARCHIVE): they belong to the shared library only.
LIB_STATIC_OBJS := $(patsubst $(B)/lib/abi.o,$(B)/lib/abi-static.o,$(LIB_OBJS))

$(B)/lib/abi-static.o: userlib/abi.c userlib/emucompat.h userlib/internal.h userlib/abi-tables.h \
		uapi/linux/emucompat.h
	@mkdir -p $(@D)
	$(CC_LIB) $(LIB_CFLAGS) -DEC_STATIC_ARCHIVE -c -o $@ $<

$(B)/libemucompat.a: $(LIB_STATIC_OBJS)
	rm -f $@
	$(AR_LIB) rcs $@ $^
	@if $(CROSS_COMPILE)nm --defined-only $@ | grep -q '@'; then \
		echo "libemucompat.a: a symbol version in the static archive" >&2; rm -f $@; exit 1; fi

$(B)/libemucompat.so.$(VERSION): $(LIB_OBJS) userlib/libemucompat.map
	$(CC_LIB) -shared -pthread -Wl,-soname,libemucompat.so.$(SOMAJOR) \
		-Wl,--version-script=userlib/libemucompat.map -o $@ $(LIB_OBJS)
	ln -sf libemucompat.so.$(VERSION) $(B)/libemucompat.so.$(SOMAJOR)
	ln -sf libemucompat.so.$(SOMAJOR) $(B)/libemucompat.so

# Regenerated every time: it depends on PREFIX/LIBDIR/INCLUDEDIR.
$(B)/emucompat.pc: userlib/emucompat.pc.in dkms.conf FORCE
	@mkdir -p $(B)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

install: install-module install-lib

install-module: module install-udev
	$(KMAKE) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

# The udev rule alone (mode 0666; with DKMS, which installs only the module).
install-udev:
	install -D -m 0644 udev/60-emucompat.rules $(DESTDIR)$(UDEVDIR)/60-emucompat.rules

# The group-owned 0660 variant (docs/install.md): the rule into
# /etc/udev/rules.d, where it comes after 60-emucompat.rules and wins, and
# the "emucompat" system group.
UDEVETCDIR ?= /etc/udev/rules.d
install-udev-group:
	install -D -m 0644 udev/70-emucompat-group.rules \
		$(DESTDIR)$(UDEVETCDIR)/70-emucompat-group.rules
	$(if $(DESTDIR),,getent group emucompat >/dev/null || groupadd --system emucompat)

install-lib: lib install-man
	install -D -m 0644 $(B)/libemucompat.a $(DESTDIR)$(LIBDIR)/libemucompat.a
	install -D -m 0755 $(B)/libemucompat.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libemucompat.so.$(VERSION)
	ln -sf libemucompat.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libemucompat.so.$(SOMAJOR)
	ln -sf libemucompat.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libemucompat.so
	install -D -m 0644 userlib/emucompat.h $(DESTDIR)$(INCLUDEDIR)/emucompat.h
	install -D -m 0644 uapi/linux/emucompat.h $(DESTDIR)$(INCLUDEDIR)/linux/emucompat.h
	install -D -m 0644 $(B)/emucompat.pc $(DESTDIR)$(LIBDIR)/pkgconfig/emucompat.pc

# Section 3 (one page per exported call; .so pages for the grouped names)
# and emucompat(7).
install-man:
	install -d $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	install -m 0644 $(sort $(wildcard man/man3/*.3)) $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 man/man7/emucompat.7 $(DESTDIR)$(MANDIR)/man7/

deps:
	tests/qemu/deps.sh

demo: deps
	tests/qemu/run.sh $(KERNEL) --demo

check: deps
	tests/qemu/run-all.sh $(KERNELS)

check-all: deps
	tests/qemu/run-all.sh $(ALL_KERNELS)

check-debug: deps
	tests/qemu/run-all.sh $(DEBUG_KERNEL)

check-dkms: deps
	tests/dkms-check.sh 6.12-amd64
	tests/dkms-check.sh 6.12-arm64

DEB_OUT ?= $(B)/deb
deb:
	debian/build-deb.sh $(DEB_OUT)

# Installs what it needs itself (lintian, debootstrap, build tools).
check-deb:
	DEB_OUT=$(DEB_OUT) tests/deb-check.sh

# Not part of check: minutes under TCG, and numbers, not a verdict.
bench: KERNEL = 6.1-amd64
bench:
	EMUCOMPAT_DEPS_BENCH=1 tests/qemu/deps.sh
	tests/bench/bench.sh $(KERNEL)

checkpatch:
	tests/lint.sh checkpatch

sparse: deps
	tests/lint.sh sparse

lint: deps
	tests/lint.sh all
	tests/fuzz/check-consts.sh
	$(PYTHON3) tests/bench/perf-table.py --check
	tests/qemu/qemu-user-table.sh --doc --check
	tests/bench/b_qemu-table.sh --check

# docs/*.svg from their Graphviz sources (make lint checks them).
docs:
	docs/gen-svg.sh

# docs/performance.md's table from the bench runs saved in tests/bench/results/
# (tests/bench/perf-table.py --save KERNEL after make bench KERNEL=...).
perf-table:
	$(PYTHON3) tests/bench/perf-table.py

# Host-side unit tests of the library's guest-facing code (tests/host/t_lib.c:
# the library's sources with a fake kernel), under ASan and UBSan; seconds.
CHECK_LIB_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-Iuserlib -Iuapi -Itests/guest/lib -pthread
check-lib:
	@mkdir -p $(B)/host
	$(CC) $(CHECK_LIB_CFLAGS) -o $(B)/host/t_lib tests/host/t_lib.c tests/guest/lib/common_tap.c
	@$(B)/host/t_lib > $(B)/host/t_lib.tap; rc=$$?; cat $(B)/host/t_lib.tap; \
	awk '/^ok /{p++} /^not ok /{f++} /^1\.\.[0-9]+$$/{n=substr($$0, 4)} \
	     END {printf "check-lib: %d passed, %d failed\n", p, f; exit (f > 0 || p + f != n)}' \
	    $(B)/host/t_lib.tap && test $$rc -eq 0

# Debian's python3 (python3-pyelftools), not a pyenv/venv one.
PYTHON3 ?= /usr/bin/python3

abi: deps
	$(PYTHON3) userlib/abi/abi-gen.py

abi-census: deps
	$(PYTHON3) userlib/abi/census.py

check-abi: deps
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON3) userlib/abi/abi-gen.py --out "$$tmp" && rc=0 && \
	for f in userlib/abi/REPORT.md userlib/abi-tables.h docs/guest-abis.md; do \
		diff -u "$$f" "$$tmp/$$f" || rc=1; \
	done; \
	[ $$rc = 0 ] || echo "check-abi: generated files differ; run make abi" >&2; \
	exit $$rc

# The fuzzer alone, for FUZZ_SECS seconds, on KERNEL.
FUZZ_SECS ?= 600
fuzz: deps
	EMUCOMPAT_APPEND="ectest.fuzz_secs=$(FUZZ_SECS) $(EMUCOMPAT_APPEND)" \
		tests/qemu/run.sh $(KERNEL) --only 't_fuzz' \
		--test-timeout $$(($(FUZZ_SECS) + 300)) --timeout $$(($(FUZZ_SECS) + 900))

# Patched QEMU linux-user (integrations/qemu/README.md); the lanes' base
# is tests/qemu/sysroot32.sh's QEMU_BASE, 10.0 too.
QEMU_BASE ?= 10.0
qemu-user:
	integrations/qemu/build.sh $(if $(QEMU_HOST),--host $(QEMU_HOST)) --base $(QEMU_BASE)

qemu-user-check:
	integrations/qemu/build.sh --bisect $(if $(QEMU_HOST),--host $(QEMU_HOST)) \
		--base $(QEMU_BASE)

# box64 for each of BOX64_HOST (default: amd64, and arm64 cross or native):
# one BOX64_USER_DIR=<dir> line per host, in that order.
BOX64_HOST ?= amd64 arm64
box64-user:
	@set -e; for h in $(BOX64_HOST); do integrations/box64/build.sh --host $$h; done

# box64's box32 against native 32-bit programs in the guests of BOX64_LANES
# (tests/qemu/run.sh LANE --only 't_box64*' with EMUCOMPAT_BOX64 naming
# them; integrations/box64/README.md).  check and check-all run it on the
# lanes of EMUCOMPAT_BOX64 (default 6.12-amd64 6.12-arm64;
# tests/qemu/run-all.sh builds box64 for them before the lanes start;
# EMUCOMPAT_BOX64= turns it off).
BOX64_LANES ?= 6.12-amd64 6.12-arm64
check-box64:
	@set -e; for k in $(BOX64_LANES); do \
		EMUCOMPAT_BOX64="$(BOX64_LANES)" tests/qemu/run.sh $$k --only 't_box64*'; done

FORCE:

clean:
	-$(KMAKE) clean
	rm -rf $(B)
