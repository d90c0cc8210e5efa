// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * o32_ioctl - the 32-bit oracle of the differential ioctl test.
 *
 * Built static for i386 (amd64 guests) or armhf (arm64 guests) and run by
 * the 64-bit tests (lib/ioctl32_diff.c) as
 *	o32_ioctl hello		prints IC_HELLO and what it was built as
 *	o32_ioctl CASE		runs CASE of lib/common_ioctl32_cases.c with the
 *				real ioctl(2) and prints its record line
 *				("SKIP reason" if it cannot run here)
 * The objects a case acts on are inherited at IC_FD(...).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common_ioctl32.h"

#if !IC_IS32
#error "o32_ioctl is the 32-bit oracle: build it with -m32 / for i686 or armhf"
#endif

/*
 * Check the hand-written 32-bit layouts and numbers of common_ioctl32.h
 * against this ABI's own uapi headers.
 */
#include <net/if.h>
#include <linux/fs.h>
#include <linux/fiemap.h>
#include <linux/hdreg.h>
#include <linux/input.h>
#include <linux/loop.h>
#include <linux/msdos_fs.h>
#include <linux/rtc.h>
#include <linux/serial.h>
#include <linux/sockios.h>
#include <linux/uinput.h>
#include <asm/termbits.h>

#define SAME(a, b) _Static_assert((a) == (b), #a " != " #b)

SAME(sizeof(struct termios), sizeof(struct ic32_termios));
SAME(sizeof(struct termios2), sizeof(struct ic32_termios2));
SAME(sizeof(struct winsize), sizeof(struct ic32_winsize));
SAME(sizeof(struct serial_struct), sizeof(struct ic32_serial_struct));
SAME(offsetof(struct serial_struct, iomem_base), offsetof(struct ic32_serial_struct, iomem_base));
SAME(offsetof(struct serial_struct, port_high), offsetof(struct ic32_serial_struct, port_high));
SAME(sizeof(struct loop_info), sizeof(struct ic32_loop_info));
SAME(offsetof(struct loop_info, lo_device), offsetof(struct ic32_loop_info, lo_device));
SAME(offsetof(struct loop_info, lo_inode), offsetof(struct ic32_loop_info, lo_inode));
SAME(offsetof(struct loop_info, lo_rdevice), offsetof(struct ic32_loop_info, lo_rdevice));
SAME(offsetof(struct loop_info, lo_offset), offsetof(struct ic32_loop_info, lo_offset));
SAME(offsetof(struct loop_info, lo_name), offsetof(struct ic32_loop_info, lo_name));
SAME(offsetof(struct loop_info, lo_init), offsetof(struct ic32_loop_info, lo_init));
SAME(sizeof(((struct loop_info *)0)->lo_device), 2);
SAME(sizeof(struct loop_info64), sizeof(struct ic32_loop_info64));
SAME(offsetof(struct loop_info64, lo_init), offsetof(struct ic32_loop_info64, lo_init));
SAME(sizeof(struct ifreq), sizeof(struct ic32_ifreq));
SAME(sizeof(struct ifmap), sizeof(struct ic32_ifmap));
SAME(sizeof(struct ifconf), sizeof(struct ic32_ifconf));
SAME(sizeof(struct hd_geometry), sizeof(struct ic32_hd_geometry));
SAME(sizeof(struct rtc_time), sizeof(struct ic32_rtc_time));
SAME(sizeof(struct rtc_wkalrm), sizeof(struct ic32_rtc_wkalrm));
SAME(offsetof(struct rtc_wkalrm, time), offsetof(struct ic32_rtc_wkalrm, time));
SAME(sizeof(struct rtc_param), sizeof(struct ic32_rtc_param));
SAME(sizeof(struct input_id), sizeof(struct ic32_input_id));
SAME(sizeof(struct input_mask), sizeof(struct ic32_input_mask));
SAME(sizeof(struct uinput_setup), sizeof(struct ic32_uinput_setup));
SAME(sizeof(struct fsxattr), sizeof(struct ic32_fsxattr));
SAME(sizeof(struct file_clone_range), sizeof(struct ic32_file_clone_range));
SAME(sizeof(struct fiemap), sizeof(struct ic32_fiemap));
SAME(sizeof(struct fiemap_extent), sizeof(struct ic32_fiemap_extent));
SAME(sizeof(struct __fat_dirent), sizeof(struct ic32_fat_dirent));
SAME(offsetof(struct __fat_dirent, d_name), offsetof(struct ic32_fat_dirent, d_name));
SAME(VFAT_IOCTL_READDIR_BOTH, IC32_VFAT_IOCTL_READDIR_BOTH);
SAME(VFAT_IOCTL_READDIR_SHORT, IC32_VFAT_IOCTL_READDIR_SHORT);
SAME(FAT_IOCTL_GET_ATTRIBUTES, IC32_FAT_IOCTL_GET_ATTRIBUTES);
SAME(FAT_IOCTL_SET_ATTRIBUTES, IC32_FAT_IOCTL_SET_ATTRIBUTES);
SAME(FAT_IOCTL_GET_VOLUME_ID, IC32_FAT_IOCTL_GET_VOLUME_ID);

SAME(TCGETS, IC32_TCGETS);
SAME(TCSETS, IC32_TCSETS);
SAME(TCSETSW, IC32_TCSETSW);
SAME(TCSETSF, IC32_TCSETSF);
SAME(TCFLSH, IC32_TCFLSH);
SAME(TIOCGPGRP, IC32_TIOCGPGRP);
SAME(TIOCOUTQ, IC32_TIOCOUTQ);
SAME(TIOCGWINSZ, IC32_TIOCGWINSZ);
SAME(TIOCSWINSZ, IC32_TIOCSWINSZ);
SAME(FIONREAD, IC32_FIONREAD);
SAME(TIOCGSERIAL, IC32_TIOCGSERIAL);
SAME(FIONBIO, IC32_FIONBIO);
SAME(TIOCGSID, IC32_TIOCGSID);
SAME(TCGETS2, IC32_TCGETS2);
SAME(TIOCGPTN, IC32_TIOCGPTN);
SAME(TIOCGPTPEER, IC32_TIOCGPTPEER);
SAME(FIONCLEX, IC32_FIONCLEX);
SAME(FIOCLEX, IC32_FIOCLEX);
SAME(FIOASYNC, IC32_FIOASYNC);
SAME(TIOCGLCKTRMIOS, IC32_TIOCGLCKTRMIOS);
SAME(FIOQSIZE, IC32_FIOQSIZE);

SAME(FIBMAP, IC32_FIBMAP);
SAME(FIGETBSZ, IC32_FIGETBSZ);
SAME(FICLONE, IC32_FICLONE);
SAME(FICLONERANGE, IC32_FICLONERANGE);
SAME(FS_IOC_GETFLAGS, IC32_FS_IOC_GETFLAGS);
SAME(FS_IOC_SETFLAGS, IC32_FS_IOC_SETFLAGS);
SAME(FS_IOC32_GETFLAGS, IC32_FS_IOC_GETFLAGS);
SAME(FS_IOC32_SETFLAGS, IC32_FS_IOC_SETFLAGS);
SAME(FS_IOC_GETVERSION, IC32_FS_IOC_GETVERSION);
SAME(FS_IOC_FIEMAP, IC32_FS_IOC_FIEMAP);
SAME(FS_IOC_FSGETXATTR, IC32_FS_IOC_FSGETXATTR);

SAME(BLKROGET, IC32_BLKROGET);
SAME(BLKGETSIZE, IC32_BLKGETSIZE);
SAME(BLKRAGET, IC32_BLKRAGET);
SAME(BLKSECTGET, IC32_BLKSECTGET);
SAME(BLKSSZGET, IC32_BLKSSZGET);
SAME(BLKBSZGET, IC32_BLKBSZGET);
SAME(BLKGETSIZE64, IC32_BLKGETSIZE64);
SAME(BLKPBSZGET, IC32_BLKPBSZGET);
SAME(HDIO_GETGEO, IC32_HDIO_GETGEO);
SAME(LOOP_SET_STATUS, IC32_LOOP_SET_STATUS);
SAME(LOOP_GET_STATUS, IC32_LOOP_GET_STATUS);
SAME(LOOP_SET_STATUS64, IC32_LOOP_SET_STATUS64);
SAME(LOOP_GET_STATUS64, IC32_LOOP_GET_STATUS64);

SAME(SIOCGSTAMP_OLD, IC32_SIOCGSTAMP);
SAME(SIOCGSTAMPNS_OLD, IC32_SIOCGSTAMPNS);
SAME(SIOCGIFNAME, IC32_SIOCGIFNAME);
SAME(SIOCGIFCONF, IC32_SIOCGIFCONF);
SAME(SIOCGIFFLAGS, IC32_SIOCGIFFLAGS);
SAME(SIOCGIFADDR, IC32_SIOCGIFADDR);
SAME(SIOCGIFBRDADDR, IC32_SIOCGIFBRDADDR);
SAME(SIOCGIFNETMASK, IC32_SIOCGIFNETMASK);
SAME(SIOCGIFMETRIC, IC32_SIOCGIFMETRIC);
SAME(SIOCGIFMTU, IC32_SIOCGIFMTU);
SAME(SIOCSIFMTU, IC32_SIOCSIFMTU);
SAME(SIOCGIFHWADDR, IC32_SIOCGIFHWADDR);
SAME(SIOCGIFINDEX, IC32_SIOCGIFINDEX);
SAME(SIOCGIFTXQLEN, IC32_SIOCGIFTXQLEN);
SAME(SIOCGIFMAP, IC32_SIOCGIFMAP);

SAME(RTC_ALM_READ, IC32_RTC_ALM_READ);
SAME(RTC_RD_TIME, IC32_RTC_RD_TIME);
SAME(RTC_IRQP_READ, IC32_RTC_IRQP_READ);
SAME(RTC_IRQP_SET, IC32_RTC_IRQP_SET);
SAME(RTC_EPOCH_READ, IC32_RTC_EPOCH_READ);
SAME(RTC_WKALM_RD, IC32_RTC_WKALM_RD);
SAME(RTC_PARAM_GET, IC32_RTC_PARAM_GET);

SAME(EVIOCGVERSION, IC32_EVIOCGVERSION);
SAME(EVIOCGID, IC32_EVIOCGID);
SAME(EVIOCGNAME(64), IC32_EVIOCGNAME(64));
SAME(EVIOCGPHYS(64), IC32_EVIOCGPHYS(64));
SAME(EVIOCGUNIQ(64), IC32_EVIOCGUNIQ(64));
SAME(EVIOCGKEY(128), IC32_EVIOCGKEY(128));
SAME(EVIOCGBIT(EV_REL, 32), IC32_EVIOCGBIT(EV_REL, 32));
SAME(EVIOCGRAB, IC32_EVIOCGRAB);
SAME(EVIOCGMASK, IC32_EVIOCGMASK);
SAME(UI_GET_SYSNAME(64), IC32_UI_GET_SYSNAME(64));
SAME(UI_GET_VERSION, IC32_UI_GET_VERSION);
SAME(UI_SET_PHYS, IC32_UI_SET_PHYS);

#if __has_include(<drm/drm.h>)
#include <drm/drm.h>
#include <drm/drm_mode.h>
SAME(sizeof(struct drm_version), sizeof(struct ic32_drm_version));
SAME(offsetof(struct drm_version, desc), offsetof(struct ic32_drm_version, desc));
SAME(sizeof(struct drm_unique), sizeof(struct ic32_drm_unique));
SAME(sizeof(struct drm_client), sizeof(struct ic32_drm_client));
SAME(sizeof(struct drm_stats), sizeof(struct ic32_drm_stats));
SAME(sizeof(struct drm_get_cap), sizeof(struct ic32_drm_get_cap));
SAME(sizeof(struct drm_mode_card_res), sizeof(struct ic32_drm_mode_card_res));
SAME(DRM_IOCTL_VERSION, IC32_DRM_IOCTL_VERSION);
SAME(DRM_IOCTL_GET_UNIQUE, IC32_DRM_IOCTL_GET_UNIQUE);
SAME(DRM_IOCTL_GET_CLIENT, IC32_DRM_IOCTL_GET_CLIENT);
SAME(DRM_IOCTL_GET_STATS, IC32_DRM_IOCTL_GET_STATS);
SAME(DRM_IOCTL_GET_CAP, IC32_DRM_IOCTL_GET_CAP);
SAME(DRM_IOCTL_MODE_GETRESOURCES, IC32_DRM_IOCTL_MODE_GETRESOURCES);
#endif

/* The real thing: glibc's ioctl() wrapper bypassed, arguments as given. */
static long o32_ioctl(int fd, uint32_t cmd, uint32_t arg)
{
	return syscall(SYS_ioctl, fd, (unsigned long)cmd, (unsigned long)arg);
}

#define ARENA_LEN (1024 * 1024)

int main(int argc, char **argv)
{
	const struct ic_case *c;
	struct ic_rec *r;
	void *arena;

	setvbuf(stdout, NULL, _IOFBF, 0);
	alarm(120);
	if (argc != 2) {
		fprintf(stderr, "usage: %s hello|CASE\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "hello")) {
		printf("%s ptr=%u x86=%d arm=%d cases=%u\n", IC_HELLO,
		       (unsigned int)sizeof(void *), IC_X86, IC_ARM, ic_ncases);
		return 0;
	}
	c = ic_case_find(argv[1]);
	if (!c) {
		printf("ERROR unknown case %s\n", argv[1]);
		return 2;
	}
	arena = mmap(NULL, ARENA_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED) {
		printf("ERROR mmap: %s\n", strerror(errno));
		return 2;
	}
	r = malloc(sizeof(*r));
	if (!r)
		return 2;
	ic_side = 32;
	ic_ioctl32 = o32_ioctl;
	ic_arena_set(arena, ARENA_LEN);
	ic_rec_init(r);
	ic_case_run(c, r);
	if (r->skip)
		printf("SKIP %s\n", r->skip);
	else
		printf("%s\n", r->buf);
	return 0;
}
