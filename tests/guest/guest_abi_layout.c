// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * guest_abi_layout.c - the guest ABIs' argument layouts, as the 32-bit
 * cross compilers give them: the independent source t_guest_abi checks
 * the library's generated tables (userlib/abi-tables.h) against.
 *
 * Never linked: tests/guest/guest_abi_layout.py (run by tests/Makefile)
 * compiles it -S against every uapi version the tables are generated from
 * (userlib/abi/abi-gen.py's 6.1, 6.12 and 7.3 trees, fetched and cached as
 * the generator does), with the generator's compilers and flags: the
 * i686-linux-gnu-gcc and arm-linux-gnueabihf-gcc cross compilers, each with
 * the default 32-bit time_t and with -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64,
 * and turns the "->GL" lines of the twelve assemblies into
 * OUT/.obj/guest_abi_layout/layout.h (gl_i386_t32_6_1 ... gl_arm_t64_7_3):
 *   C NAME NUMBER SIZEOF ALIGNOF    a command and its argument's type
 *   M MEMBER OFFSETOF SIZEOF ALIGNOF  a member of that argument
 *   N NAME NUMBER 0 0               a command without an argument
 *
 * A command or member that not every version has is under the #if of a
 * macro of its header (IVPU, ext4, OPAL geometry and the ISST CPU masks
 * are 6.12 on; KVM_DEBUG_GUEST is 6.1 only; members renamed between the
 * versions follow the header's own marker).  The x86 KVM structs reach the
 * arm compiles as they reach the generator's: the 6.1 tree's drm/ dir is
 * linux-libc-dev-i386-cross's include dir, whose x86 asm/kvm.h comes after
 * arm's own asm/ (arm has none); 6.12 and 7.3 have no asm/kvm.h for arm, so
 * their arm compiles leave KVM out, as the generator's do.
 *
 * One GL_CMD per command the tables name (both directions; for PPS_FETCH
 * and ISST_IF_MSR_COMMAND, whose number is sized for a pointer, the
 * pointee).  The members are every leaf of the type: scalars and arrays,
 * nested structs and unions (every member of a union, the anonymous ones
 * included) expanded down to them, unnamed bit-field padding left out.
 * snd_ctl_elem_value's indirect is a one-bit bit-field: the byte that holds
 * it (both ABIs little-endian), GL_BITS.
 * The list was written from clang's record layout dump of the same
 * headers; the numbers come from gcc, here, at build time.  A command
 * added to the tables without a GL_CMD here (in at least one version, on
 * both arches) fails t_guest_abi ("no layout").
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <linux/types.h>
#include <linux/acrn.h>
#include <linux/kfd_ioctl.h>
#include <linux/fs.h>
#include <linux/blktrace_api.h>
#include <linux/btrfs.h>
#include <linux/f2fs.h>
#include <linux/firewire-cdev.h>
#include <linux/isst_if.h>
#include <linux/nvme_ioctl.h>
#include <linux/pfrut.h>
#include <linux/pps.h>
#include <linux/scif_ioctl.h>
#include <linux/sev-guest.h>
#include <linux/switchtec_ioctl.h>
#include <linux/vduse.h>
#include <linux/videodev2.h>
#include <linux/v4l2-subdev.h>
#include <mtd/mtd-abi.h>
#include <misc/fastrpc.h>
#include <xen/gntalloc.h>
#include <sound/asound.h>
#include <sound/hdspm.h>
#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/amdgpu_drm.h>
#include <drm/msm_drm.h>
#include <drm/radeon_drm.h>
#include <drm/vc4_drm.h>
#include <drm/v3d_drm.h>
#include <linux/ethtool.h>
#include <linux/sed-opal.h>
#if __has_include(<linux/ext4.h>)
#include <linux/ext4.h>
#endif
#if __has_include(<drm/ivpu_accel.h>)
#include <drm/ivpu_accel.h>
#endif
#if __has_include(<asm/kvm.h>)
#include <linux/kvm.h>
#endif

#define GL_EMIT(kind, name, a, b, c)						\
	__asm__ volatile("\n.ascii \"->GL " kind " " name " %0 %1 %2\""	\
			 : : "i"((int)(a)), "i"((int)(b)), "i"((int)(c)))
#define GL_CMD(cmd, type) {							\
	typedef type gl_t;							\
	GL_EMIT("C", #cmd, cmd, sizeof(gl_t), __alignof__(gl_t));
#define GL_M(m) GL_EMIT("M", #m, offsetof(gl_t, m), sizeof(((gl_t *)0)->m),	\
			__alignof__(((gl_t *)0)->m));
/* a bit-field: the N bytes that hold it, right after member PREV */
#define GL_BITS(m, prev, n) GL_EMIT("M", #m, offsetof(gl_t, prev) +		\
				    sizeof(((gl_t *)0)->prev), n, n);
#define GL_END }
/* a type without a command number of its own (SIOCETHTOOL's rxnfc) */
#define GL_TYPE(name, type) {							\
	typedef type gl_t;							\
	GL_EMIT("C", #name, 0, sizeof(gl_t), __alignof__(gl_t));
#define GL_NUM(cmd) GL_EMIT("N", #cmd, cmd, 0, 0);

/* drm_msm_wait_fence's pad is flags from MSM_WAIT_FENCE_FLAGS on */
#ifdef MSM_WAIT_FENCE_FLAGS
#define GL_MSM_WAIT_FLAGS GL_M(flags)
#else
#define GL_MSM_WAIT_FLAGS GL_M(pad)
#endif
/*
 * snp_guest_request_ioctl's fw_err is a union of exitinfo2 and
 * { fw_error, vmm_error } from SNP_GUEST_VMM_ERR_SHIFT on
 */
#ifdef SNP_GUEST_VMM_ERR_SHIFT
#define GL_SNP_ERR GL_M(exitinfo2) GL_M(fw_error) GL_M(vmm_error)
#else
#define GL_SNP_ERR GL_M(fw_err)
#endif

/* The members of structs that several commands share */
#define GL_V4L2_BUFFER \
	GL_M(index) GL_M(type) GL_M(bytesused) GL_M(flags) GL_M(field) \
	GL_M(timestamp.tv_sec) GL_M(timestamp.tv_usec) GL_M(timecode.type) \
	GL_M(timecode.flags) GL_M(timecode.frames) GL_M(timecode.seconds) \
	GL_M(timecode.minutes) GL_M(timecode.hours) GL_M(timecode.userbits) GL_M(sequence) \
	GL_M(memory) GL_M(m.offset) GL_M(m.userptr) GL_M(m.planes) GL_M(m.fd) GL_M(length) \
	GL_M(reserved2) GL_M(request_fd) GL_M(reserved)
#define GL_SND_CTL_ELEM_VALUE \
	GL_M(id.numid) GL_M(id.iface) GL_M(id.device) GL_M(id.subdevice) GL_M(id.name) \
	GL_M(id.index) GL_BITS(indirect, id.index, 1) GL_M(value.integer.value) \
	GL_M(value.integer.value_ptr) GL_M(value.integer64.value) \
	GL_M(value.integer64.value_ptr) GL_M(value.enumerated.item) \
	GL_M(value.enumerated.item_ptr) GL_M(value.bytes.data) GL_M(value.bytes.data_ptr) \
	GL_M(value.iec958.status) GL_M(value.iec958.subcode) GL_M(value.iec958.pad) \
	GL_M(value.iec958.dig_subframe) GL_M(reserved)
#define GL_V4L2_STANDARD \
	GL_M(index) GL_M(id) GL_M(name) GL_M(frameperiod.numerator) \
	GL_M(frameperiod.denominator) GL_M(framelines) GL_M(reserved)
#define GL_ISST_CPU_MASK \
	GL_M(socket_id) GL_M(power_domain_id) GL_M(level) GL_M(punit_cpu_map) GL_M(mask) \
	GL_M(cpu_buffer_size) GL_M(cpu_buffer)

void guest_abi_layout(void);
void guest_abi_layout(void)
{
GL_NUM(FIOQSIZE)
/*
 * h_u, m_u: unions of structs of u8/be16/be32 (alignment 4 at most, so one
 * layout in both ABIs), taken whole; rule_locs, the flexible array, is not
 * part of the fixed size.
 */
GL_TYPE(ETHTOOL_RXNFC, struct ethtool_rxnfc)
	GL_M(cmd) GL_M(flow_type) GL_M(data) GL_M(fs.flow_type) GL_M(fs.h_u) GL_M(fs.h_ext)
	GL_M(fs.m_u) GL_M(fs.m_ext) GL_M(fs.ring_cookie) GL_M(fs.location) GL_M(rule_cnt)
	GL_M(rss_context)
GL_END
GL_CMD(ACRN_IOCTL_SET_VCPU_REGS, struct acrn_vcpu_regs)
	GL_M(vcpu_id) GL_M(reserved) GL_M(vcpu_regs.gprs.rax) GL_M(vcpu_regs.gprs.rcx)
	GL_M(vcpu_regs.gprs.rdx) GL_M(vcpu_regs.gprs.rbx) GL_M(vcpu_regs.gprs.rsp)
	GL_M(vcpu_regs.gprs.rbp) GL_M(vcpu_regs.gprs.rsi) GL_M(vcpu_regs.gprs.rdi)
	GL_M(vcpu_regs.gprs.r8) GL_M(vcpu_regs.gprs.r9) GL_M(vcpu_regs.gprs.r10)
	GL_M(vcpu_regs.gprs.r11) GL_M(vcpu_regs.gprs.r12) GL_M(vcpu_regs.gprs.r13)
	GL_M(vcpu_regs.gprs.r14) GL_M(vcpu_regs.gprs.r15) GL_M(vcpu_regs.gdt.limit)
	GL_M(vcpu_regs.gdt.base) GL_M(vcpu_regs.gdt.reserved) GL_M(vcpu_regs.idt.limit)
	GL_M(vcpu_regs.idt.base) GL_M(vcpu_regs.idt.reserved) GL_M(vcpu_regs.rip)
	GL_M(vcpu_regs.cs_base) GL_M(vcpu_regs.cr0) GL_M(vcpu_regs.cr4) GL_M(vcpu_regs.cr3)
	GL_M(vcpu_regs.ia32_efer) GL_M(vcpu_regs.rflags) GL_M(vcpu_regs.reserved_64)
	GL_M(vcpu_regs.cs_ar) GL_M(vcpu_regs.cs_limit) GL_M(vcpu_regs.reserved_32)
	GL_M(vcpu_regs.cs_sel) GL_M(vcpu_regs.ss_sel) GL_M(vcpu_regs.ds_sel)
	GL_M(vcpu_regs.es_sel) GL_M(vcpu_regs.fs_sel) GL_M(vcpu_regs.gs_sel)
	GL_M(vcpu_regs.ldt_sel) GL_M(vcpu_regs.tr_sel)
GL_END
GL_CMD(AMDKFD_IOC_CRIU_OP, struct kfd_ioctl_criu_args)
	GL_M(devices) GL_M(bos) GL_M(priv_data) GL_M(priv_data_size) GL_M(num_devices)
	GL_M(num_bos) GL_M(num_objects) GL_M(pid) GL_M(op)
GL_END
GL_CMD(BLKTRACESETUP, struct blk_user_trace_setup)
	GL_M(name) GL_M(act_mask) GL_M(buf_size) GL_M(buf_nr) GL_M(start_lba) GL_M(end_lba)
	GL_M(pid)
GL_END
GL_CMD(BTRFS_IOC_DEV_REPLACE, struct btrfs_ioctl_dev_replace_args)
	GL_M(cmd) GL_M(result) GL_M(start.srcdevid)
	GL_M(start.cont_reading_from_srcdev_mode) GL_M(start.srcdev_name)
	GL_M(start.tgtdev_name) GL_M(status.replace_state) GL_M(status.progress_1000)
	GL_M(status.time_started) GL_M(status.time_stopped) GL_M(status.num_write_errors)
	GL_M(status.num_uncorrectable_read_errors) GL_M(spare)
GL_END
GL_CMD(BTRFS_IOC_GET_SUBVOL_INFO, struct btrfs_ioctl_get_subvol_info_args)
	GL_M(treeid) GL_M(name) GL_M(parent_id) GL_M(dirid) GL_M(generation) GL_M(flags)
	GL_M(uuid) GL_M(parent_uuid) GL_M(received_uuid) GL_M(ctransid) GL_M(otransid)
	GL_M(stransid) GL_M(rtransid) GL_M(ctime.sec) GL_M(ctime.nsec) GL_M(otime.sec)
	GL_M(otime.nsec) GL_M(stime.sec) GL_M(stime.nsec) GL_M(rtime.sec) GL_M(rtime.nsec)
	GL_M(reserved)
GL_END
GL_CMD(BTRFS_IOC_SEND, struct btrfs_ioctl_send_args)
	GL_M(send_fd) GL_M(clone_sources_count) GL_M(clone_sources) GL_M(parent_root)
	GL_M(flags) GL_M(version) GL_M(reserved)
GL_END
GL_CMD(BTRFS_IOC_SET_RECEIVED_SUBVOL, struct btrfs_ioctl_received_subvol_args)
	GL_M(uuid) GL_M(stransid) GL_M(rtransid) GL_M(stime.sec) GL_M(stime.nsec)
	GL_M(rtime.sec) GL_M(rtime.nsec) GL_M(flags) GL_M(reserved)
GL_END
GL_CMD(DRM_IOCTL_AMDGPU_GEM_METADATA, struct drm_amdgpu_gem_metadata)
	GL_M(handle) GL_M(op) GL_M(data.flags) GL_M(data.tiling_info)
	GL_M(data.data_size_bytes) GL_M(data.data)
GL_END
#ifdef DRM_IOCTL_IVPU_SUBMIT
GL_CMD(DRM_IOCTL_IVPU_SUBMIT, struct drm_ivpu_submit)
	GL_M(buffers_ptr) GL_M(buffer_count) GL_M(engine) GL_M(flags) GL_M(commands_offset)
	GL_M(priority)
GL_END
#endif
#ifdef DRM_IOCTL_IVPU_METRIC_STREAMER_START
GL_CMD(DRM_IOCTL_IVPU_METRIC_STREAMER_START, struct drm_ivpu_metric_streamer_start)
	GL_M(metric_group_mask) GL_M(sampling_period_ns) GL_M(read_period_samples)
	GL_M(sample_size) GL_M(max_data_size)
GL_END
#endif
GL_CMD(DRM_IOCTL_MODE_ADDFB2, struct drm_mode_fb_cmd2)
	GL_M(fb_id) GL_M(width) GL_M(height) GL_M(pixel_format) GL_M(flags) GL_M(handles)
	GL_M(pitches) GL_M(offsets) GL_M(modifier)
GL_END
GL_CMD(DRM_IOCTL_MODE_GETFB2, struct drm_mode_fb_cmd2)
	GL_M(fb_id) GL_M(width) GL_M(height) GL_M(pixel_format) GL_M(flags) GL_M(handles)
	GL_M(pitches) GL_M(offsets) GL_M(modifier)
GL_END
GL_CMD(DRM_IOCTL_MODE_GETPLANERESOURCES, struct drm_mode_get_plane_res)
	GL_M(plane_id_ptr) GL_M(count_planes)
GL_END
GL_CMD(DRM_IOCTL_MODE_OBJ_GETPROPERTIES, struct drm_mode_obj_get_properties)
	GL_M(props_ptr) GL_M(prop_values_ptr) GL_M(count_props) GL_M(obj_id) GL_M(obj_type)
GL_END
GL_CMD(DRM_IOCTL_MODE_OBJ_SETPROPERTY, struct drm_mode_obj_set_property)
	GL_M(value) GL_M(prop_id) GL_M(obj_id) GL_M(obj_type)
GL_END
GL_CMD(DRM_IOCTL_MSM_WAIT_FENCE, struct drm_msm_wait_fence)
	GL_M(fence) GL_MSM_WAIT_FLAGS GL_M(timeout.tv_sec) GL_M(timeout.tv_nsec) GL_M(queueid)
GL_END
GL_CMD(DRM_IOCTL_RADEON_GEM_CREATE, struct drm_radeon_gem_create)
	GL_M(size) GL_M(alignment) GL_M(handle) GL_M(initial_domain) GL_M(flags)
GL_END
GL_CMD(DRM_IOCTL_RADEON_SETPARAM, struct drm_radeon_setparam)
	GL_M(param) GL_M(value)
GL_END
GL_CMD(DRM_IOCTL_UPDATE_DRAW, struct drm_update_draw)
	GL_M(handle) GL_M(type) GL_M(num) GL_M(data)
GL_END
GL_CMD(DRM_IOCTL_V3D_SUBMIT_CSD, struct drm_v3d_submit_csd)
	GL_M(cfg) GL_M(coef) GL_M(bo_handles) GL_M(bo_handle_count) GL_M(in_sync)
	GL_M(out_sync) GL_M(perfmon_id) GL_M(extensions) GL_M(flags) GL_M(pad)
GL_END
GL_CMD(DRM_IOCTL_VC4_PERFMON_GET_VALUES, struct drm_vc4_perfmon_get_values)
	GL_M(id) GL_M(values_ptr)
GL_END
#ifdef EXT4_IOC_GROUP_ADD
GL_CMD(EXT4_IOC_GROUP_ADD, struct ext4_new_group_input)
	GL_M(group) GL_M(block_bitmap) GL_M(inode_bitmap) GL_M(inode_table) GL_M(blocks_count)
	GL_M(reserved_blocks) GL_M(unused)
GL_END
#endif
GL_CMD(F2FS_IOC_GARBAGE_COLLECT_RANGE, struct f2fs_gc_range)
	GL_M(sync) GL_M(start) GL_M(len)
GL_END
GL_CMD(F2FS_IOC_MOVE_RANGE, struct f2fs_move_range)
	GL_M(dst_fd) GL_M(pos_in) GL_M(pos_out) GL_M(len)
GL_END
GL_CMD(FASTRPC_IOCTL_MEM_MAP, struct fastrpc_mem_map)
	GL_M(version) GL_M(fd) GL_M(offset) GL_M(flags) GL_M(vaddrin) GL_M(length)
	GL_M(vaddrout) GL_M(attrs) GL_M(reserved)
GL_END
GL_CMD(FASTRPC_IOCTL_MEM_UNMAP, struct fastrpc_mem_unmap)
	GL_M(vesion) GL_M(fd) GL_M(vaddr) GL_M(length) GL_M(reserved)
GL_END
GL_CMD(FW_CDEV_IOC_CREATE_ISO_CONTEXT, struct fw_cdev_create_iso_context)
	GL_M(type) GL_M(header_size) GL_M(channel) GL_M(speed) GL_M(closure) GL_M(handle)
GL_END
GL_CMD(FW_CDEV_IOC_GET_CYCLE_TIMER, struct fw_cdev_get_cycle_timer)
	GL_M(local_time) GL_M(cycle_timer)
GL_END
GL_CMD(FW_CDEV_IOC_GET_CYCLE_TIMER2, struct fw_cdev_get_cycle_timer2)
	GL_M(tv_sec) GL_M(tv_nsec) GL_M(clk_id) GL_M(cycle_timer)
GL_END
GL_CMD(FW_CDEV_IOC_GET_INFO, struct fw_cdev_get_info)
	GL_M(version) GL_M(rom_length) GL_M(rom) GL_M(bus_reset) GL_M(bus_reset_closure)
	GL_M(card)
GL_END
GL_CMD(FW_CDEV_IOC_SEND_BROADCAST_REQUEST, struct fw_cdev_send_request)
	GL_M(tcode) GL_M(length) GL_M(offset) GL_M(closure) GL_M(data) GL_M(generation)
GL_END
GL_CMD(FW_CDEV_IOC_SEND_PHY_PACKET, struct fw_cdev_send_phy_packet)
	GL_M(closure) GL_M(data) GL_M(generation)
GL_END
GL_CMD(FW_CDEV_IOC_SEND_REQUEST, struct fw_cdev_send_request)
	GL_M(tcode) GL_M(length) GL_M(offset) GL_M(closure) GL_M(data) GL_M(generation)
GL_END
GL_CMD(FW_CDEV_IOC_SEND_RESPONSE, struct fw_cdev_send_response)
	GL_M(rcode) GL_M(length) GL_M(data) GL_M(handle)
GL_END
GL_CMD(FW_CDEV_IOC_SET_ISO_CHANNELS, struct fw_cdev_set_iso_channels)
	GL_M(channels) GL_M(handle)
GL_END
#ifdef IOC_OPAL_GET_GEOMETRY
GL_CMD(IOC_OPAL_GET_GEOMETRY, struct opal_geometry)
	GL_M(align) GL_M(logical_block_size) GL_M(alignment_granularity)
	GL_M(lowest_aligned_lba) GL_M(__align)
GL_END
#endif
GL_CMD(IOCTL_GNTALLOC_ALLOC_GREF, struct ioctl_gntalloc_alloc_gref)
	GL_M(domid) GL_M(flags) GL_M(count) GL_M(index) GL_M(gref_ids)
GL_END
GL_CMD(IOCTL_GNTALLOC_DEALLOC_GREF, struct ioctl_gntalloc_dealloc_gref)
	GL_M(index) GL_M(count)
GL_END
GL_CMD(ISST_IF_MSR_COMMAND, struct isst_if_msr_cmds)
	GL_M(cmd_count) GL_M(msr_cmd)
GL_END
#ifdef ISST_IF_GET_PERF_LEVEL_CPU_MASK
GL_CMD(ISST_IF_GET_PERF_LEVEL_CPU_MASK, struct isst_perf_level_cpu_mask)
	GL_ISST_CPU_MASK
GL_END
#endif
#ifdef ISST_IF_GET_BASE_FREQ_CPU_MASK
GL_CMD(ISST_IF_GET_BASE_FREQ_CPU_MASK, struct isst_perf_level_cpu_mask)
	GL_ISST_CPU_MASK
GL_END
#endif
/*
 * KVM: the x86 structs (linux/kvm.h, x86's asm/kvm.h); entries, indices,
 * events and extra, the flexible arrays, are not part of the fixed size.
 */
#ifdef KVMIO
#ifdef KVM_DEBUG_GUEST
GL_CMD(KVM_DEBUG_GUEST, struct kvm_debug_guest)
	GL_M(enabled) GL_M(pad) GL_M(breakpoints) GL_M(singlestep)
GL_END
#endif
GL_CMD(KVM_DIRTY_TLB, struct kvm_dirty_tlb)
	GL_M(bitmap) GL_M(num_dirty)
GL_END
GL_CMD(KVM_GET_CPUID2, struct kvm_cpuid2)
	GL_M(nent) GL_M(padding)
GL_END
GL_CMD(KVM_GET_EMULATED_CPUID, struct kvm_cpuid2)
	GL_M(nent) GL_M(padding)
GL_END
GL_CMD(KVM_GET_MSRS, struct kvm_msrs)
	GL_M(nmsrs) GL_M(pad)
GL_END
GL_CMD(KVM_GET_MSR_FEATURE_INDEX_LIST, struct kvm_msr_list)
	GL_M(nmsrs)
GL_END
GL_CMD(KVM_GET_MSR_INDEX_LIST, struct kvm_msr_list)
	GL_M(nmsrs)
GL_END
GL_CMD(KVM_GET_SUPPORTED_CPUID, struct kvm_cpuid2)
	GL_M(nent) GL_M(padding)
GL_END
GL_CMD(KVM_GET_SUPPORTED_HV_CPUID, struct kvm_cpuid2)
	GL_M(nent) GL_M(padding)
GL_END
GL_CMD(KVM_GET_XSAVE, struct kvm_xsave)
	GL_M(region)
GL_END
GL_CMD(KVM_GET_XSAVE2, struct kvm_xsave)
	GL_M(region)
GL_END
GL_CMD(KVM_SET_CPUID, struct kvm_cpuid)
	GL_M(nent) GL_M(padding)
GL_END
GL_CMD(KVM_SET_CPUID2, struct kvm_cpuid2)
	GL_M(nent) GL_M(padding)
GL_END
GL_CMD(KVM_SET_MSRS, struct kvm_msrs)
	GL_M(nmsrs) GL_M(pad)
GL_END
GL_CMD(KVM_SET_PMU_EVENT_FILTER, struct kvm_pmu_event_filter)
	GL_M(action) GL_M(nevents) GL_M(fixed_counter_bitmap) GL_M(flags) GL_M(pad)
GL_END
GL_CMD(KVM_SET_XSAVE, struct kvm_xsave)
	GL_M(region)
GL_END
#endif
GL_CMD(MEMREAD, struct mtd_read_req)
	GL_M(start) GL_M(len) GL_M(ooblen) GL_M(usr_data) GL_M(usr_oob) GL_M(mode)
	GL_M(padding) GL_M(ecc_stats.uncorrectable_errors)
	GL_M(ecc_stats.corrected_bitflips) GL_M(ecc_stats.max_bitflips)
GL_END
GL_CMD(NVME_IOCTL_SUBMIT_IO, struct nvme_user_io)
	GL_M(opcode) GL_M(flags) GL_M(control) GL_M(nblocks) GL_M(rsvd) GL_M(metadata)
	GL_M(addr) GL_M(slba) GL_M(dsmgmt) GL_M(reftag) GL_M(apptag) GL_M(appmask)
GL_END
GL_CMD(PFRT_LOG_IOC_GET_DATA_INFO, struct pfrt_log_data_info)
	GL_M(status) GL_M(ext_status) GL_M(chunk1_addr_lo) GL_M(chunk1_addr_hi)
	GL_M(chunk2_addr_lo) GL_M(chunk2_addr_hi) GL_M(max_data_size) GL_M(chunk1_size)
	GL_M(chunk2_size) GL_M(rollover_cnt) GL_M(reset_cnt)
GL_END
GL_CMD(PPS_FETCH, struct pps_fdata)
	GL_M(info.assert_sequence) GL_M(info.clear_sequence) GL_M(info.assert_tu.sec)
	GL_M(info.assert_tu.nsec) GL_M(info.assert_tu.flags) GL_M(info.clear_tu.sec)
	GL_M(info.clear_tu.nsec) GL_M(info.clear_tu.flags) GL_M(info.current_mode)
	GL_M(timeout.sec) GL_M(timeout.nsec) GL_M(timeout.flags)
GL_END
GL_CMD(SCIF_FENCE_MARK, struct scifioctl_fence_mark)
	GL_M(flags) GL_M(mark)
GL_END
GL_CMD(SCIF_FENCE_SIGNAL, struct scifioctl_fence_signal)
	GL_M(loff) GL_M(lval) GL_M(roff) GL_M(rval) GL_M(flags)
GL_END
GL_CMD(SCIF_GET_NODEIDS, struct scifioctl_node_ids)
	GL_M(nodes) GL_M(self) GL_M(len)
GL_END
GL_CMD(SCIF_READFROM, struct scifioctl_copy)
	GL_M(loffset) GL_M(len) GL_M(roffset) GL_M(addr) GL_M(flags)
GL_END
GL_CMD(SCIF_RECV, struct scifioctl_msg)
	GL_M(msg) GL_M(len) GL_M(flags) GL_M(out_len)
GL_END
GL_CMD(SCIF_SEND, struct scifioctl_msg)
	GL_M(msg) GL_M(len) GL_M(flags) GL_M(out_len)
GL_END
GL_CMD(SCIF_VREADFROM, struct scifioctl_copy)
	GL_M(loffset) GL_M(len) GL_M(roffset) GL_M(addr) GL_M(flags)
GL_END
GL_CMD(SCIF_VWRITETO, struct scifioctl_copy)
	GL_M(loffset) GL_M(len) GL_M(roffset) GL_M(addr) GL_M(flags)
GL_END
GL_CMD(SCIF_WRITETO, struct scifioctl_copy)
	GL_M(loffset) GL_M(len) GL_M(roffset) GL_M(addr) GL_M(flags)
GL_END
GL_CMD(SNDRV_CTL_IOCTL_ELEM_READ, struct snd_ctl_elem_value)
	GL_SND_CTL_ELEM_VALUE
GL_END
GL_CMD(SNDRV_CTL_IOCTL_ELEM_WRITE, struct snd_ctl_elem_value)
	GL_SND_CTL_ELEM_VALUE
GL_END
GL_CMD(SNDRV_HDSPM_IOCTL_GET_STATUS, struct hdspm_status)
	GL_M(card_type) GL_M(autosync_source) GL_M(card_clock) GL_M(master_period)
	GL_M(card_specific.madi.sync_wc) GL_M(card_specific.madi.sync_madi)
	GL_M(card_specific.madi.sync_tco) GL_M(card_specific.madi.sync_in)
	GL_M(card_specific.madi.madi_input) GL_M(card_specific.madi.channel_format)
	GL_M(card_specific.madi.frame_format)
GL_END
GL_CMD(SNP_GET_DERIVED_KEY, struct snp_guest_request_ioctl)
	GL_M(msg_version) GL_M(req_data) GL_M(resp_data) GL_SNP_ERR
GL_END
GL_CMD(SNP_GET_EXT_REPORT, struct snp_guest_request_ioctl)
	GL_M(msg_version) GL_M(req_data) GL_M(resp_data) GL_SNP_ERR
GL_END
GL_CMD(SNP_GET_REPORT, struct snp_guest_request_ioctl)
	GL_M(msg_version) GL_M(req_data) GL_M(resp_data) GL_SNP_ERR
GL_END
GL_CMD(SWITCHTEC_IOCTL_EVENT_SUMMARY, struct switchtec_ioctl_event_summary)
	GL_M(global) GL_M(part_bitmap) GL_M(local_part) GL_M(padding) GL_M(part) GL_M(pff)
GL_END
GL_CMD(VDUSE_IOTLB_GET_FD, struct vduse_iotlb_entry)
	GL_M(offset) GL_M(start) GL_M(last) GL_M(perm)
GL_END
GL_CMD(VDUSE_VQ_GET_INFO, struct vduse_vq_info)
	GL_M(index) GL_M(num) GL_M(desc_addr) GL_M(driver_addr) GL_M(device_addr)
	GL_M(split.avail_index) GL_M(packed.last_avail_counter) GL_M(packed.last_avail_idx)
	GL_M(packed.last_used_counter) GL_M(packed.last_used_idx) GL_M(ready)
GL_END
GL_CMD(VIDIOC_DQBUF, struct v4l2_buffer)
	GL_V4L2_BUFFER
GL_END
GL_CMD(VIDIOC_DQEVENT, struct v4l2_event)
	GL_M(type) GL_M(u.vsync.field) GL_M(u.ctrl.changes) GL_M(u.ctrl.type)
	GL_M(u.ctrl.value) GL_M(u.ctrl.value64) GL_M(u.ctrl.flags) GL_M(u.ctrl.minimum)
	GL_M(u.ctrl.maximum) GL_M(u.ctrl.step) GL_M(u.ctrl.default_value)
	GL_M(u.frame_sync.frame_sequence) GL_M(u.src_change.changes)
	GL_M(u.motion_det.flags) GL_M(u.motion_det.frame_sequence)
	GL_M(u.motion_det.region_mask) GL_M(u.data) GL_M(pending) GL_M(sequence)
	GL_M(timestamp.tv_sec) GL_M(timestamp.tv_nsec) GL_M(id) GL_M(reserved)
GL_END
GL_CMD(VIDIOC_ENUMINPUT, struct v4l2_input)
	GL_M(index) GL_M(name) GL_M(type) GL_M(audioset) GL_M(tuner) GL_M(std) GL_M(status)
	GL_M(capabilities) GL_M(reserved)
GL_END
GL_CMD(VIDIOC_ENUMSTD, struct v4l2_standard)
	GL_V4L2_STANDARD
GL_END
GL_CMD(VIDIOC_SUBDEV_ENUMSTD, struct v4l2_standard)
	GL_V4L2_STANDARD
GL_END
GL_CMD(VIDIOC_PREPARE_BUF, struct v4l2_buffer)
	GL_V4L2_BUFFER
GL_END
GL_CMD(VIDIOC_QBUF, struct v4l2_buffer)
	GL_V4L2_BUFFER
GL_END
GL_CMD(VIDIOC_QUERYBUF, struct v4l2_buffer)
	GL_V4L2_BUFFER
GL_END
}
