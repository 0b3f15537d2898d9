/*
 * SEV-ES initial VMSA pages as QEMU + KVM (legacy KVM_SEV_ES_INIT) leave
 * them at reset (launch-flow.md §7). Offsets: AMD APM vol. 2 VMSA layout,
 * Linux struct sev_es_save_area. Every byte not listed is zero.
 */
#include <string.h>

#include "codec/codec.h"
#include "swsev/vmsa.h"

/* segment attributes in the VMCB packed 12-bit form */
#define ATTR_DATA 0x0093 /* P, S, data, writable, accessed */
#define ATTR_CODE 0x009b /* P, S, code, readable, accessed */
#define ATTR_LDT 0x0082  /* P, system type 2 (LDT) */
#define ATTR_TSS 0x008b  /* P, system type 11 (busy 32-bit TSS) */

enum {
	OFF_ES = 0x000,
	OFF_CS = 0x010,
	OFF_SS = 0x020,
	OFF_DS = 0x030,
	OFF_FS = 0x040,
	OFF_GS = 0x050,
	OFF_GDTR = 0x060,
	OFF_LDTR = 0x070,
	OFF_IDTR = 0x080,
	OFF_TR = 0x090,
	OFF_EFER = 0x0d0,
	OFF_CR4 = 0x148,
	OFF_CR0 = 0x158,
	OFF_DR7 = 0x160,
	OFF_DR6 = 0x168,
	OFF_RFLAGS = 0x170,
	OFF_RIP = 0x178,
	OFF_G_PAT = 0x268,
	OFF_RDX = 0x310,
	OFF_SEV_FEATURES = 0x3b0,
	OFF_XCR0 = 0x3e8,
	OFF_MXCSR = 0x408,
	OFF_X87_FCW = 0x410,
};

uint32_t swsev_cpu_signature(unsigned family, unsigned model, unsigned stepping)
{
	uint32_t sig;

	/* CPUID Fn0000_0001 EAX, as QEMU builds it (and libvirt's cpu_sku) */
	stepping &= 0xf;
	model &= 0xff;
	family &= 0xfff;
	sig = stepping | ((model & 0xf) << 4) | ((model >> 4) << 16);
	if (family > 0xf)
		sig |= (0xfu << 8) | ((family - 0xf) << 20);
	else
		sig |= family << 8;
	return sig;
}

static void put_seg(uint8_t *p, uint16_t sel, uint16_t attr, uint32_t limit, uint64_t base)
{
	swsev_wle16(p, sel);
	swsev_wle16(p + 2, attr);
	swsev_wle32(p + 4, limit);
	swsev_wle64(p + 8, base);
}

void swsev_vmsa_build(const struct swsev_vmsa_params *p, uint8_t out[SWSEV_VMSA_LEN])
{
	uint64_t cs_base = 0xffff0000u, rip = 0xfff0;

	memset(out, 0, SWSEV_VMSA_LEN);
	if (p->ap) {
		cs_base = p->ap_reset & 0xffff0000u;
		rip = p->ap_reset & 0xffffu;
	}
	/* QEMU x86_cpu_reset: real mode, CS:IP = F000:FFF0 below 4 GiB */
	put_seg(out + OFF_ES, 0, ATTR_DATA, 0xffff, 0);
	put_seg(out + OFF_CS, 0xf000, ATTR_CODE, 0xffff, cs_base);
	put_seg(out + OFF_SS, 0, ATTR_DATA, 0xffff, 0);
	put_seg(out + OFF_DS, 0, ATTR_DATA, 0xffff, 0);
	put_seg(out + OFF_FS, 0, ATTR_DATA, 0xffff, 0);
	put_seg(out + OFF_GS, 0, ATTR_DATA, 0xffff, 0);
	put_seg(out + OFF_GDTR, 0, 0, 0xffff, 0);
	put_seg(out + OFF_LDTR, 0, ATTR_LDT, 0xffff, 0);
	put_seg(out + OFF_IDTR, 0, 0, 0xffff, 0);
	put_seg(out + OFF_TR, 0, ATTR_TSS, 0xffff, 0);
	swsev_wle64(out + OFF_EFER, 0x1000); /* SVME, set by KVM */
	swsev_wle64(out + OFF_CR4, 0x40);    /* MCE, set by KVM */
	swsev_wle64(out + OFF_CR0, 0x10);    /* ET */
	swsev_wle64(out + OFF_DR7, 0x400);
	swsev_wle64(out + OFF_DR6, 0xffff0ff0);
	swsev_wle64(out + OFF_RFLAGS, 0x2);
	swsev_wle64(out + OFF_RIP, rip);
	swsev_wle64(out + OFF_G_PAT, 0x0007040600070406ull);
	swsev_wle64(out + OFF_RDX, p->cpu_sig);
	swsev_wle64(out + OFF_SEV_FEATURES, p->sev_features);
	swsev_wle64(out + OFF_XCR0, 0x1);
	if (p->init2_fpu) {
		/* KVM syncs the FPU reset state only for the INIT2 VM types */
		swsev_wle32(out + OFF_MXCSR, 0x1f80);
		swsev_wle16(out + OFF_X87_FCW, 0x037f);
	}
}

static swsev_err get_seg(const uint8_t *page, size_t off, uint16_t *sel, uint16_t *attr,
			 uint32_t *limit, uint64_t *base)
{
	struct swsev_cur c;
	swsev_err e;

	swsev_cur_init(&c, page + off, 16);
	e = swsev_cur_u16(&c, sel);
	if (!e)
		e = swsev_cur_u16(&c, attr);
	if (!e)
		e = swsev_cur_u32(&c, limit);
	if (!e)
		e = swsev_cur_u64(&c, base);
	return e;
}

static uint64_t u64_at(const uint8_t *page, size_t off)
{
	return swsev_le64(page + off);
}

swsev_err swsev_vmsa_parse(const uint8_t *buf, size_t len, struct swsev_vmsa_fields *out)
{
	swsev_err e;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return SWSEV_E_INVALID;
	if (len < SWSEV_VMSA_LEN)
		return SWSEV_E_TRUNCATED;
	if (len > SWSEV_VMSA_LEN)
		return SWSEV_E_TRAILING;
	/* fixed offsets inside an exactly 4096-byte page: direct LE reads */
	e = get_seg(buf, OFF_CS, &out->cs_sel, &out->cs_attr, &out->cs_limit, &out->cs_base);
	if (e)
		return e;
	out->efer = u64_at(buf, OFF_EFER);
	out->cr4 = u64_at(buf, OFF_CR4);
	out->cr0 = u64_at(buf, OFF_CR0);
	out->dr7 = u64_at(buf, OFF_DR7);
	out->dr6 = u64_at(buf, OFF_DR6);
	out->rflags = u64_at(buf, OFF_RFLAGS);
	out->rip = u64_at(buf, OFF_RIP);
	out->g_pat = u64_at(buf, OFF_G_PAT);
	out->rdx = u64_at(buf, OFF_RDX);
	out->sev_features = u64_at(buf, OFF_SEV_FEATURES);
	out->xcr0 = u64_at(buf, OFF_XCR0);
	out->mxcsr = swsev_le32(buf + OFF_MXCSR);
	out->x87_fcw = swsev_le16(buf + OFF_X87_FCW);
	return SWSEV_OK;
}

/* ---- every named field, for `vmsa show` ---- */

static const struct swsev_vmsa_field_desc fields[] = {
	{ "es", 0x000, 16, 1 },
	{ "cs", 0x010, 16, 1 },
	{ "ss", 0x020, 16, 1 },
	{ "ds", 0x030, 16, 1 },
	{ "fs", 0x040, 16, 1 },
	{ "gs", 0x050, 16, 1 },
	{ "gdtr", 0x060, 16, 1 },
	{ "ldtr", 0x070, 16, 1 },
	{ "idtr", 0x080, 16, 1 },
	{ "tr", 0x090, 16, 1 },
	{ "pl0_ssp", 0x0a0, 8, 0 },
	{ "pl1_ssp", 0x0a8, 8, 0 },
	{ "pl2_ssp", 0x0b0, 8, 0 },
	{ "pl3_ssp", 0x0b8, 8, 0 },
	{ "u_cet", 0x0c0, 8, 0 },
	{ "vmpl", 0x0ca, 1, 0 },
	{ "cpl", 0x0cb, 1, 0 },
	{ "efer", 0x0d0, 8, 0 },
	{ "xss", 0x140, 8, 0 },
	{ "cr4", 0x148, 8, 0 },
	{ "cr3", 0x150, 8, 0 },
	{ "cr0", 0x158, 8, 0 },
	{ "dr7", 0x160, 8, 0 },
	{ "dr6", 0x168, 8, 0 },
	{ "rflags", 0x170, 8, 0 },
	{ "rip", 0x178, 8, 0 },
	{ "dr0", 0x180, 8, 0 },
	{ "dr1", 0x188, 8, 0 },
	{ "dr2", 0x190, 8, 0 },
	{ "dr3", 0x198, 8, 0 },
	{ "dr0_addr_mask", 0x1a0, 8, 0 },
	{ "dr1_addr_mask", 0x1a8, 8, 0 },
	{ "dr2_addr_mask", 0x1b0, 8, 0 },
	{ "dr3_addr_mask", 0x1b8, 8, 0 },
	{ "rsp", 0x1d8, 8, 0 },
	{ "s_cet", 0x1e0, 8, 0 },
	{ "ssp", 0x1e8, 8, 0 },
	{ "isst_addr", 0x1f0, 8, 0 },
	{ "rax", 0x1f8, 8, 0 },
	{ "star", 0x200, 8, 0 },
	{ "lstar", 0x208, 8, 0 },
	{ "cstar", 0x210, 8, 0 },
	{ "sfmask", 0x218, 8, 0 },
	{ "kernel_gs_base", 0x220, 8, 0 },
	{ "sysenter_cs", 0x228, 8, 0 },
	{ "sysenter_esp", 0x230, 8, 0 },
	{ "sysenter_eip", 0x238, 8, 0 },
	{ "cr2", 0x240, 8, 0 },
	{ "g_pat", 0x268, 8, 0 },
	{ "dbgctl", 0x270, 8, 0 },
	{ "br_from", 0x278, 8, 0 },
	{ "br_to", 0x280, 8, 0 },
	{ "last_excp_from", 0x288, 8, 0 },
	{ "last_excp_to", 0x290, 8, 0 },
	{ "pkru", 0x2e8, 4, 0 },
	{ "tsc_aux", 0x2ec, 4, 0 },
	{ "rcx", 0x308, 8, 0 },
	{ "rdx", 0x310, 8, 0 },
	{ "rbx", 0x318, 8, 0 },
	{ "rbp", 0x328, 8, 0 },
	{ "rsi", 0x330, 8, 0 },
	{ "rdi", 0x338, 8, 0 },
	{ "r8", 0x340, 8, 0 },
	{ "r9", 0x348, 8, 0 },
	{ "r10", 0x350, 8, 0 },
	{ "r11", 0x358, 8, 0 },
	{ "r12", 0x360, 8, 0 },
	{ "r13", 0x368, 8, 0 },
	{ "r14", 0x370, 8, 0 },
	{ "r15", 0x378, 8, 0 },
	{ "guest_exit_info_1", 0x390, 8, 0 },
	{ "guest_exit_info_2", 0x398, 8, 0 },
	{ "guest_exit_int_info", 0x3a0, 8, 0 },
	{ "guest_nrip", 0x3a8, 8, 0 },
	{ "sev_features", 0x3b0, 8, 0 },
	{ "vintr_ctrl", 0x3b8, 8, 0 },
	{ "guest_exit_code", 0x3c0, 8, 0 },
	{ "virtual_tom", 0x3c8, 8, 0 },
	{ "tlb_id", 0x3d0, 8, 0 },
	{ "pcpu_id", 0x3d8, 8, 0 },
	{ "event_inj", 0x3e0, 8, 0 },
	{ "xcr0", 0x3e8, 8, 0 },
	{ "x87_dp", 0x400, 8, 0 },
	{ "mxcsr", 0x408, 4, 0 },
	{ "x87_ftw", 0x40c, 2, 0 },
	{ "x87_fsw", 0x40e, 2, 0 },
	{ "x87_fcw", 0x410, 2, 0 },
	{ "x87_fop", 0x412, 2, 0 },
	{ "x87_ds", 0x414, 2, 0 },
	{ "x87_cs", 0x416, 2, 0 },
	{ "x87_rip", 0x418, 8, 0 },
};

const struct swsev_vmsa_field_desc *swsev_vmsa_field_table(size_t *n)
{
	*n = sizeof(fields) / sizeof(fields[0]);
	return fields;
}
