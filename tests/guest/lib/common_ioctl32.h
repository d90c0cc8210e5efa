/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * common_ioctl32.h - the differential ioctl test, shared by the 32-bit
 * oracle (tests/guest/o32_ioctl.c) and the 64-bit tests
 * (tests/guest/t_ioctl32_*.c through lib/ioctl32_diff.c).
 *
 * Both sides run the very same case code (lib/common_ioctl32_cases.c);
 * only the primitive differs:
 *   - the oracle, a real i386 / AArch32 process, calls ioctl(2) itself;
 *   - the 64-bit test calls emucompat_ioctl32().
 * Each case prints one canonical record line; the 64-bit test compares its
 * own record with the oracle's byte for byte.
 *
 * Objects: the 64-bit test creates every object a case acts on (pty, pipe,
 * files, loop device, sockets, DRM/RTC/evdev files...) and places it at a
 * fixed descriptor number, IC_FD(res), before it runs anything.  The
 * oracle is fork+exec'ed and inherits those descriptors, so both sides act
 * on the same open file descriptions.  A case first brings the object to
 * a known state with ordinary calls (so the order oracle -> 64-bit does
 * not matter), then issues the ioctl(s) under test, then records.
 *
 * Layouts: the 32-bit structs are written out below with fixed-width
 * types and checked against sizes (everywhere) and, in the 32-bit build,
 * against the real 32-bit uapi headers.  Command numbers are written for
 * the 32-bit ABI: where a number encodes sizeof(), the 32-bit size is used.
 */
#ifndef COMMON_IOCTL32_H
#define COMMON_IOCTL32_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ioctl.h>

#if defined(__i386__) || defined(__x86_64__)
#define IC_X86 1
#define IC_ARM 0
#elif defined(__arm__) || defined(__aarch64__)
#define IC_X86 0
#define IC_ARM 1
#else
#error "emucompat tests: x86 (i386/x86-64) and ARM (AArch32/arm64) only"
#endif

#define IC_IS32 (__SIZEOF_POINTER__ == 4)

#define IC_ASSERT_SIZE(type, n) \
	_Static_assert(sizeof(type) == (n), "sizeof(" #type ") != " #n)
#define IC_ASSERT_OFF(type, m, n) \
	_Static_assert(offsetof(type, m) == (n), "offsetof(" #type ", " #m ") != " #n)

/* x86 and ARM both use the asm-generic _IOC encoding in both ABIs. */
#define IC_IO(t, n)		_IOC(_IOC_NONE, (t), (n), 0)
#define IC_IOR(t, n, sz)	_IOC(_IOC_READ, (t), (n), (sz))
#define IC_IOW(t, n, sz)	_IOC(_IOC_WRITE, (t), (n), (sz))
#define IC_IOWR(t, n, sz)	_IOC(_IOC_READ | _IOC_WRITE, (t), (n), (sz))

/* ------------------------------------------------------------------ */
/* 32-bit layouts                                                      */
/* ------------------------------------------------------------------ */

/* struct termios (kernel, asm-generic termbits): identical in both ABIs */
struct ic32_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};
IC_ASSERT_SIZE(struct ic32_termios, 36);

struct ic32_termios2 {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
	uint32_t c_ispeed, c_ospeed;
};
IC_ASSERT_SIZE(struct ic32_termios2, 44);

struct ic32_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};
IC_ASSERT_SIZE(struct ic32_winsize, 8);

/* struct serial_struct: iomem_base is a pointer, iomap_base a long */
struct ic32_serial_struct {
	int32_t type;
	int32_t line;
	uint32_t port;
	int32_t irq;
	int32_t flags;
	int32_t xmit_fifo_size;
	int32_t custom_divisor;
	int32_t baud_base;
	uint16_t close_delay;
	int8_t io_type;
	int8_t reserved_char[1];
	int32_t hub6;
	uint16_t closing_wait;
	uint16_t closing_wait2;
	uint32_t iomem_base;
	uint16_t iomem_reg_shift;
	uint32_t port_high;
	uint32_t iomap_base;
};
IC_ASSERT_SIZE(struct ic32_serial_struct, 60);
IC_ASSERT_OFF(struct ic32_serial_struct, iomem_base, 44);

/*
 * struct loop_info: lo_device/lo_rdevice are __kernel_old_dev_t (unsigned
 * short on i386 and ARM), lo_inode and lo_init are unsigned long.
 */
struct ic32_loop_info {
	int32_t lo_number;
	uint16_t lo_device;
	uint16_t __pad1;
	uint32_t lo_inode;
	uint16_t lo_rdevice;
	uint16_t __pad2;
	int32_t lo_offset;
	int32_t lo_encrypt_type;
	int32_t lo_encrypt_key_size;
	int32_t lo_flags;
	char lo_name[64];
	uint8_t lo_encrypt_key[32];
	uint32_t lo_init[2];
	char reserved[4];
};
IC_ASSERT_SIZE(struct ic32_loop_info, 140);
IC_ASSERT_OFF(struct ic32_loop_info, lo_inode, 8);
IC_ASSERT_OFF(struct ic32_loop_info, lo_offset, 16);
IC_ASSERT_OFF(struct ic32_loop_info, lo_name, 32);

/* struct loop_info64: identical in both ABIs */
struct ic32_loop_info64 {
	uint64_t lo_device;
	uint64_t lo_inode;
	uint64_t lo_rdevice;
	uint64_t lo_offset;
	uint64_t lo_sizelimit;
	uint32_t lo_number;
	uint32_t lo_encrypt_type;
	uint32_t lo_encrypt_key_size;
	uint32_t lo_flags;
	uint8_t lo_file_name[64];
	uint8_t lo_crypt_name[64];
	uint8_t lo_encrypt_key[32];
	uint64_t lo_init[2];
};
IC_ASSERT_SIZE(struct ic32_loop_info64, 232);

/* compat ifmap: mem_start/mem_end are unsigned long */
struct ic32_ifmap {
	uint32_t mem_start;
	uint32_t mem_end;
	uint16_t base_addr;
	uint8_t irq;
	uint8_t dma;
	uint8_t port;
};
IC_ASSERT_SIZE(struct ic32_ifmap, 16);

/* compat ifreq: 32 bytes (native 64-bit: 40); <net/if.h> macros avoided */
struct ic32_ifreq {
	char name[16];		/* ifr_name */
	union {
		struct sockaddr addr;
		int16_t flags;
		int32_t ivalue;
		struct ic32_ifmap map;
		char newname[16];
		uint32_t data;
	} u;
};
IC_ASSERT_SIZE(struct ic32_ifreq, 32);

/* compat ifconf: ifc_buf is a pointer */
struct ic32_ifconf {
	int32_t len;		/* ifc_len */
	uint32_t buf;		/* ifc_buf */
};
IC_ASSERT_SIZE(struct ic32_ifconf, 8);

struct ic32_timeval {
	int32_t tv_sec, tv_usec;
};
struct ic32_timespec {
	int32_t tv_sec, tv_nsec;
};

/* struct hd_geometry: start is unsigned long */
struct ic32_hd_geometry {
	uint8_t heads;
	uint8_t sectors;
	uint16_t cylinders;
	uint32_t start;
};
IC_ASSERT_SIZE(struct ic32_hd_geometry, 8);

/* DRM: size_t lengths and char * buffers, unsigned long counters */
struct ic32_drm_version {
	int32_t version_major;
	int32_t version_minor;
	int32_t version_patchlevel;
	uint32_t name_len;
	uint32_t name;
	uint32_t date_len;
	uint32_t date;
	uint32_t desc_len;
	uint32_t desc;
};
IC_ASSERT_SIZE(struct ic32_drm_version, 36);

struct ic32_drm_unique {
	uint32_t unique_len;
	uint32_t unique;
};
IC_ASSERT_SIZE(struct ic32_drm_unique, 8);

struct ic32_drm_client {
	int32_t idx;
	int32_t auth;
	uint32_t pid;
	uint32_t uid;
	uint32_t magic;
	uint32_t iocs;
};
IC_ASSERT_SIZE(struct ic32_drm_client, 24);

struct ic32_drm_stats {
	uint32_t count;
	struct {
		uint32_t value;
		int32_t type;
	} data[15];
};
IC_ASSERT_SIZE(struct ic32_drm_stats, 124);

/* identical in both ABIs */
struct ic32_drm_get_cap {
	uint64_t capability;
	uint64_t value;
};
IC_ASSERT_SIZE(struct ic32_drm_get_cap, 16);

struct ic32_drm_mode_card_res {
	uint64_t fb_id_ptr, crtc_id_ptr, connector_id_ptr, encoder_id_ptr;
	uint32_t count_fbs, count_crtcs, count_connectors, count_encoders;
	uint32_t min_width, max_width, min_height, max_height;
};
IC_ASSERT_SIZE(struct ic32_drm_mode_card_res, 64);

/* RTC: struct rtc_time / rtc_wkalrm / rtc_param are identical */
struct ic32_rtc_time {
	int32_t tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year;
	int32_t tm_wday, tm_yday, tm_isdst;
};
IC_ASSERT_SIZE(struct ic32_rtc_time, 36);

struct ic32_rtc_wkalrm {
	uint8_t enabled;
	uint8_t pending;
	struct ic32_rtc_time time;
};
IC_ASSERT_SIZE(struct ic32_rtc_wkalrm, 40);

struct ic32_rtc_param {
	uint64_t param;
	uint64_t uvalue;
	uint32_t index;
	uint32_t __pad;
};
IC_ASSERT_SIZE(struct ic32_rtc_param, 24);

/* input */
struct ic32_input_id {
	uint16_t bustype, vendor, product, version;
};
IC_ASSERT_SIZE(struct ic32_input_id, 8);

struct ic32_input_mask {
	uint32_t type;
	uint32_t codes_size;
	uint64_t codes_ptr;
};
IC_ASSERT_SIZE(struct ic32_input_mask, 16);

struct ic32_uinput_setup {
	struct ic32_input_id id;
	char name[80];
	uint32_t ff_effects_max;
};
IC_ASSERT_SIZE(struct ic32_uinput_setup, 92);

/* files */
struct ic32_fsxattr {
	uint32_t fsx_xflags, fsx_extsize, fsx_nextents, fsx_projid, fsx_cowextsize;
	uint8_t fsx_pad[8];
};
IC_ASSERT_SIZE(struct ic32_fsxattr, 28);

struct ic32_file_clone_range {
	int64_t src_fd;
	uint64_t src_offset, src_length, dest_offset;
};
IC_ASSERT_SIZE(struct ic32_file_clone_range, 32);

struct ic32_fiemap {
	uint64_t fm_start, fm_length;
	uint32_t fm_flags, fm_mapped_extents, fm_extent_count, fm_reserved;
};
IC_ASSERT_SIZE(struct ic32_fiemap, 32);

/*
 * struct space_resv (FS_IOC_RESVSP): i386 aligns __s64 to 4, so the
 * struct is 44 bytes there (the kernel's space_resv_32, packed) and 48 in
 * the ARM EABI (same as arm64).
 */
struct ic32_space_resv {
	int16_t l_type;
	int16_t l_whence;
#if IC_ARM
	uint32_t __align;
#endif
	int64_t l_start;
	int64_t l_len;
	int32_t l_sysid;
	uint32_t l_pid;
	int32_t l_pad[4];
} __attribute__((packed, aligned(4)));
#if IC_X86
IC_ASSERT_SIZE(struct ic32_space_resv, 44);
#else
IC_ASSERT_SIZE(struct ic32_space_resv, 48);
#endif

/* FAT readdir: struct __fat_dirent has long d_ino and __kernel_off_t d_off */
struct ic32_fat_dirent {
	uint32_t d_ino;
	int32_t d_off;
	uint16_t d_reclen;
	char d_name[256];
};
IC_ASSERT_SIZE(struct ic32_fat_dirent, 268);

struct ic32_fiemap_extent {
	uint64_t fe_logical, fe_physical, fe_length, fe_reserved64[2];
	uint32_t fe_flags, fe_reserved[3];
};
IC_ASSERT_SIZE(struct ic32_fiemap_extent, 56);

/* ------------------------------------------------------------------ */
/* 32-bit command numbers                                              */
/* ------------------------------------------------------------------ */

/* tty (asm-generic/ioctls.h on both, except FIOQSIZE on ARM) */
#define IC32_TCGETS		0x5401u
#define IC32_TCSETS		0x5402u
#define IC32_TCSETSW		0x5403u
#define IC32_TCSETSF		0x5404u
#define IC32_TCFLSH		0x540Bu
#define IC32_TIOCGPGRP		0x540Fu
#define IC32_TIOCOUTQ		0x5411u
#define IC32_TIOCGWINSZ		0x5413u
#define IC32_TIOCSWINSZ		0x5414u
#define IC32_FIONREAD		0x541Bu
#define IC32_TIOCGSERIAL	0x541Eu
#define IC32_FIONBIO		0x5421u
#define IC32_TIOCGSID		0x5429u
#define IC32_TCGETS2		IC_IOR('T', 0x2A, sizeof(struct ic32_termios2))
#define IC32_TIOCGPTN		IC_IOR('T', 0x30, 4)
#define IC32_TIOCGPTPEER	IC_IO('T', 0x41)
#define IC32_FIONCLEX		0x5450u
#define IC32_FIOCLEX		0x5451u
#define IC32_FIOASYNC		0x5452u
#define IC32_TIOCGLCKTRMIOS	0x5456u
/* ARM has its own historical FIOQSIZE; arm64 uses the generic 0x5460 */
#if IC_ARM
#define IC32_FIOQSIZE		0x545Eu
#else
#define IC32_FIOQSIZE		0x5460u
#endif
#define IC_GENERIC_FIOQSIZE	0x5460u

/* files (linux/fs.h) */
#define IC32_FIBMAP		IC_IO(0x00, 1)
#define IC32_FIGETBSZ		IC_IO(0x00, 2)
#define IC32_FICLONE		IC_IOW(0x94, 9, 4)
#define IC32_FICLONERANGE	IC_IOW(0x94, 13, sizeof(struct ic32_file_clone_range))
#define IC32_FS_IOC_GETFLAGS	IC_IOR('f', 1, 4)	/* FS_IOC32_GETFLAGS */
#define IC32_FS_IOC_SETFLAGS	IC_IOW('f', 2, 4)	/* FS_IOC32_SETFLAGS */
#define IC32_FS_IOC_GETVERSION	IC_IOR('v', 1, 4)	/* FS_IOC32_GETVERSION */
#define IC64_FS_IOC_GETFLAGS	IC_IOR('f', 1, 8)	/* the LP64 number */
#define IC32_FS_IOC_FIEMAP	IC_IOWR('f', 11, sizeof(struct ic32_fiemap))
#define IC32_FS_IOC_FSGETXATTR	IC_IOR('X', 31, sizeof(struct ic32_fsxattr))
#define IC32_FS_IOC_RESVSP	IC_IOW('X', 40, sizeof(struct ic32_space_resv))
#define IC32_FS_IOC_UNRESVSP	IC_IOW('X', 41, sizeof(struct ic32_space_resv))

/* FAT (linux/msdos_fs.h) */
#define IC32_VFAT_IOCTL_READDIR_BOTH	IC_IOR('r', 1, 2 * sizeof(struct ic32_fat_dirent))
#define IC32_VFAT_IOCTL_READDIR_SHORT	IC_IOR('r', 2, 2 * sizeof(struct ic32_fat_dirent))
#define IC32_FAT_IOCTL_GET_ATTRIBUTES	IC_IOR('r', 0x10, 4)
#define IC32_FAT_IOCTL_SET_ATTRIBUTES	IC_IOW('r', 0x11, 4)
#define IC32_FAT_IOCTL_GET_VOLUME_ID	IC_IOR('r', 0x13, 4)

/* block and loop */
#define IC32_BLKROGET		IC_IO(0x12, 94)
#define IC32_BLKGETSIZE		IC_IO(0x12, 96)		/* unsigned long * */
#define IC32_BLKRAGET		IC_IO(0x12, 99)		/* long * */
#define IC32_BLKSECTGET		IC_IO(0x12, 103)	/* unsigned short * */
#define IC32_BLKSSZGET		IC_IO(0x12, 104)	/* int * */
#define IC32_BLKBSZGET		IC_IOR(0x12, 112, 4)	/* size_t in the number */
#define IC32_BLKGETSIZE64	IC_IOR(0x12, 114, 4)	/* size_t in the number */
#define IC32_BLKPBSZGET		IC_IO(0x12, 123)	/* unsigned int * */
#define IC32_HDIO_GETGEO	0x0301u
#define IC32_LOOP_SET_STATUS	0x4C02u
#define IC32_LOOP_GET_STATUS	0x4C03u
#define IC32_LOOP_SET_STATUS64	0x4C04u
#define IC32_LOOP_GET_STATUS64	0x4C05u

/* sockets (linux/sockios.h) */
#define IC32_SIOCGSTAMP		0x8906u		/* SIOCGSTAMP_OLD */
#define IC32_SIOCGSTAMPNS	0x8907u		/* SIOCGSTAMPNS_OLD */
#define IC32_SIOCGIFNAME	0x8910u
#define IC32_SIOCGIFCONF	0x8912u
#define IC32_SIOCGIFFLAGS	0x8913u
#define IC32_SIOCGIFADDR	0x8915u
#define IC32_SIOCGIFBRDADDR	0x8919u
#define IC32_SIOCGIFNETMASK	0x891bu
#define IC32_SIOCGIFMETRIC	0x891du
#define IC32_SIOCGIFMTU		0x8921u
#define IC32_SIOCSIFMTU		0x8922u
#define IC32_SIOCGIFHWADDR	0x8927u
#define IC32_SIOCGIFINDEX	0x8933u
#define IC32_SIOCGIFTXQLEN	0x8942u
#define IC32_SIOCGIFMAP		0x8970u

/* DRM */
#define IC32_DRM_IOCTL_VERSION	IC_IOWR('d', 0x00, sizeof(struct ic32_drm_version))
#define IC64_DRM_IOCTL_VERSION	IC_IOWR('d', 0x00, 64)	/* the LP64 number */
#define IC32_DRM_IOCTL_GET_UNIQUE IC_IOWR('d', 0x01, sizeof(struct ic32_drm_unique))
#define IC32_DRM_IOCTL_GET_CLIENT IC_IOWR('d', 0x05, sizeof(struct ic32_drm_client))
#define IC32_DRM_IOCTL_GET_STATS IC_IOR('d', 0x06, sizeof(struct ic32_drm_stats))
#define IC32_DRM_IOCTL_GET_CAP	IC_IOWR('d', 0x0c, sizeof(struct ic32_drm_get_cap))
#define IC32_DRM_IOCTL_MODE_GETRESOURCES \
	IC_IOWR('d', 0xA0, sizeof(struct ic32_drm_mode_card_res))

/* RTC */
#define IC32_RTC_ALM_READ	IC_IOR('p', 0x08, sizeof(struct ic32_rtc_time))
#define IC32_RTC_RD_TIME	IC_IOR('p', 0x09, sizeof(struct ic32_rtc_time))
#define IC32_RTC_IRQP_READ	IC_IOR('p', 0x0b, 4)	/* unsigned long */
#define IC64_RTC_IRQP_READ	IC_IOR('p', 0x0b, 8)	/* the LP64 number */
#define IC32_RTC_IRQP_SET	IC_IOW('p', 0x0c, 4)	/* unsigned long, by value */
#define IC32_RTC_EPOCH_READ	IC_IOR('p', 0x0d, 4)
#define IC32_RTC_WKALM_RD	IC_IOR('p', 0x10, sizeof(struct ic32_rtc_wkalrm))
#define IC32_RTC_PARAM_GET	IC_IOW('p', 0x13, sizeof(struct ic32_rtc_param))

/* input / uinput */
#define IC32_EVIOCGVERSION	IC_IOR('E', 0x01, 4)
#define IC32_EVIOCGID		IC_IOR('E', 0x02, sizeof(struct ic32_input_id))
#define IC32_EVIOCGNAME(len)	IC_IOR('E', 0x06, (len))
#define IC32_EVIOCGPHYS(len)	IC_IOR('E', 0x07, (len))
#define IC32_EVIOCGUNIQ(len)	IC_IOR('E', 0x08, (len))
#define IC32_EVIOCGKEY(len)	IC_IOR('E', 0x18, (len))
#define IC32_EVIOCGBIT(ev, len)	IC_IOR('E', 0x20 + (ev), (len))
#define IC32_EVIOCGRAB		IC_IOW('E', 0x90, 4)
#define IC32_EVIOCGMASK		IC_IOR('E', 0x92, sizeof(struct ic32_input_mask))
#define IC32_UI_GET_SYSNAME(len) IC_IOR('U', 44, (len))
#define IC32_UI_GET_VERSION	IC_IOR('U', 45, 4)
#define IC32_UI_SET_PHYS	IC_IOW('U', 108, 4)	/* char * */

/* ------------------------------------------------------------------ */
/* The shared case machinery                                           */
/* ------------------------------------------------------------------ */

/*
 * Objects prepared by the 64-bit test, at fixed descriptor numbers so the
 * oracle finds them after exec.
 */
enum ic_res {
	IC_RES_PTM,		/* pty master (posix_openpt) */
	IC_RES_PTS,		/* its slave */
	IC_RES_PIPE_R,		/* pipe read end */
	IC_RES_PIPE_W,		/* pipe write end */
	IC_RES_FILE,		/* regular tmpfs file, IC_FILE_SIZE bytes */
	IC_RES_FILE2,		/* second regular tmpfs file (clone source) */
	IC_RES_FILE3,		/* third regular tmpfs file (flags, resvsp) */
	IC_RES_DIR,		/* a tmpfs directory, O_RDONLY|O_DIRECTORY */
	IC_RES_LOOP,		/* /dev/loopN bound to a tmpfs file */
	IC_RES_INET,		/* AF_INET SOCK_DGRAM socket */
	IC_RES_UDP_STAMPED,	/* UDP socket that received a datagram */
	IC_RES_DRM,		/* /dev/dri/card0 */
	IC_RES_RTC,		/* /dev/rtc0 */
	IC_RES_UINPUT,		/* /dev/uinput with a created device */
	IC_RES_EVDEV,		/* /dev/input/eventN of that device */
	IC_RES_SERIAL,		/* /dev/ttyS0 or /dev/ttyAMA0 */
	IC_RES_PROC,		/* /proc/self/stat (of the 64-bit test) */
	IC_RES_NULL,		/* /dev/null */
	IC_RES_INOTIFY,		/* inotify fd with one queued event */
	IC_RES_UINPUT_DEV,	/* no fd: /dev/uinput can be opened */
	IC_RES_EXT_FILE,	/* IC_EXT_FILE_SIZE-byte file on a mounted ext2 (ext4 driver) */
	IC_RES_EXT_DIR,		/* the root directory of that ext2 */
	IC_RES_FAT_FILE,	/* IC_FAT_FILE_SIZE-byte file on a mounted vfat */
	IC_RES_FAT_DIR,		/* the root directory of that vfat (that file only) */
	IC_RES_NR
};

#define IC_FD_BASE	200
#define IC_FD(res)	(IC_FD_BASE + (int)(res))
#define IC_NEED(res)	(1u << (res))

#define IC_FILE_SIZE	1000
#define IC_FILE2_SIZE	4096
#define IC_LOOP_SIZE	(1024 * 1024)
#define IC_EXT_FILE_SIZE 5000
#define IC_FAT_FILE_SIZE 100
#define IC_FAT_FILE_NAME "Hello World.txt"	/* long name + 8.3 alias */
#define IC_UINPUT_NAME	"emucompat ioctl32 test device"

/* A closed descriptor number, and an address unmapped in both processes. */
#define IC_BAD_FD	190
#define IC_BAD_ADDR_LOW	0x1000u
#define IC_BAD_ADDR_HIGH 0xfffff000u

/* One record line: "key=value key=value ..." */
#define IC_REC_MAX	12288
struct ic_rec {
	char buf[IC_REC_MAX];
	size_t len;
	const char *skip;	/* set: the case cannot run here (reason) */
};

void ic_rec_init(struct ic_rec *r);
void ic_rec_add(struct ic_rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "label=ret" or "label=-1:ENAME" */
void ic_rec_ret(struct ic_rec *r, const char *label, long ret, int err);
/* "label=<hex>" */
void ic_rec_hex(struct ic_rec *r, const char *label, const void *p, size_t n);
/* "label=<hex of n bytes>|<hex of the guard after them>" for ic_out() memory */
void ic_rec_out(struct ic_rec *r, const char *label, uint32_t addr, size_t n);
/* a pointer member that the kernel may have written back: in/0/other */
void ic_rec_ptr(struct ic_rec *r, const char *label, uint32_t out, uint32_t in);
const char *ic_errname(int err);

/*
 * The primitive under test: ioctl(fd, cmd, arg) as a 32-bit process.
 * Returns the result, or -1 with errno.
 */
extern long (*ic_ioctl32)(int fd, uint32_t cmd, uint32_t arg);
/* 32 in the oracle, 64 in the test */
extern int ic_side;

/*
 * Memory below 4 GiB: each side hands over an arena; cases take pieces
 * with ic_out() (filled with IC_FILL, followed by IC_GUARD guard bytes of
 * IC_FILL: a handler writing more than the 32-bit struct shows there) and
 * address them by their 32-bit value.
 */
#define IC_FILL		0xa5
#define IC_GUARD	16
#define IC_PAGE		4096
void ic_arena_set(void *base, size_t len);	/* len: a multiple of IC_PAGE */
void ic_arena_reset(void);
uint32_t ic_out(size_t n);
/*
 * n bytes (filled with IC_FILL) that end where an inaccessible page
 * begins: a handler that reads or writes the 64-bit (larger) layout
 * instead of the 32-bit one faults.  Record with ic_rec_hex(), not
 * ic_rec_out() (there is no readable guard).  One at a time.
 */
uint32_t ic_out_edge(size_t n);
uint32_t ic_str(const char *s);		/* a NUL-terminated copy */
void *ic_ptr(uint32_t addr);

/* ioctl32 + record: returns the result, errno kept */
long ic_do(struct ic_rec *r, const char *label, int fd, uint32_t cmd, uint32_t arg);

struct ic_case {
	const char *name;
	const char *group;
	unsigned int needs;	/* IC_NEED() bits */
	void (*run)(struct ic_rec *r);
	const char *desc;
	/*
	 * Or a row of a shared case function: row(r, c) with the row's own
	 * command, string and value (ifreq, evdev, block, FIOQSIZE cases).
	 */
	void (*row)(struct ic_rec *r, const struct ic_case *c);
	uint32_t cmd;
	const char *str;
	long val;
};

extern const struct ic_case ic_cases[];
extern const unsigned int ic_ncases;
const struct ic_case *ic_case_find(const char *name);
/* Run case @c into @r. */
void ic_case_run(const struct ic_case *c, struct ic_rec *r);

/* The oracle's hello line, checked by the test before it trusts anything. */
#define IC_HELLO	"emucompat-o32-hello"

#endif /* COMMON_IOCTL32_H */
