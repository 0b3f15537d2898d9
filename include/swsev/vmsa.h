/*
 * SEV-ES initial VMSA pages as QEMU/KVM set them at reset (launch-flow.md §7).
 */
#ifndef SWSEV_VMSA_H
#define SWSEV_VMSA_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/error.h"

#define SWSEV_VMSA_LEN 4096

struct swsev_vmsa_params {
	int ap;                /* 0: BSP (vCPU 0), 1: AP */
	uint32_t ap_reset;     /* AP reset address from the OVMF footer */
	uint32_t cpu_sig;      /* RDX: CPUID 1 EAX (swsev_cpu_signature) */
	uint64_t sev_features; /* 0 with legacy KVM_SEV_ES_INIT */
	int init2_fpu;         /* 1: mxcsr 0x1F80 / fcw 0x037F (INIT2 VM types) */
};

uint32_t swsev_cpu_signature(unsigned family, unsigned model, unsigned stepping);
void swsev_vmsa_build(const struct swsev_vmsa_params *p, uint8_t out[SWSEV_VMSA_LEN]);

/* The fields swsev_vmsa_build sets, decoded from any page. */
struct swsev_vmsa_fields {
	uint16_t cs_sel, cs_attr;
	uint32_t cs_limit;
	uint64_t cs_base;
	uint64_t efer, cr4, cr0, dr7, dr6, rflags, rip, g_pat, rdx, sev_features, xcr0;
	uint32_t mxcsr;
	uint16_t x87_fcw;
};
/* Exactly 4096 bytes (SWSEV_E_TRUNCATED / SWSEV_E_TRAILING otherwise). */
swsev_err swsev_vmsa_parse(const uint8_t *buf, size_t len,
			   struct swsev_vmsa_fields *out) SWSEV_MUST_CHECK;

/* The named fields of the save area (Linux struct sev_es_save_area), for
 * printing a page: a segment (is_seg) is {u16 sel, u16 attrib, u32 limit,
 * u64 base}; other fields are little-endian integers of `size` bytes. */
struct swsev_vmsa_field_desc {
	const char *name;
	uint16_t off;
	uint8_t size;
	uint8_t is_seg;
};
const struct swsev_vmsa_field_desc *swsev_vmsa_field_table(size_t *n);

#endif
