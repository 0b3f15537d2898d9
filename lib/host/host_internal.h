/*
 * Internal declarations of the host layer (lib/host): the VM objects, the
 * guest-physical to host-physical map, firmware-call helpers.
 *
 * Locking (docs/architecture.md):
 *   h->lock        the VM table, the ASID pool, id counters. Never held
 *                  across a firmware command.
 *   h->plat_lock   serializes the driver's platform commands (/dev/sev
 *                  ioctls, automatic INIT, DF_FLUSH), which the firmware
 *                  serializes anyway; guest commands never take it.
 *   vm->lock       everything about one VM; held across that VM's firmware
 *                  commands, so commands on one guest stay ordered while
 *                  different guests run in parallel.
 * Order: vm->lock, then plat_lock, then h->lock.
 */
#ifndef SWSEV_HOST_INTERNAL_H
#define SWSEV_HOST_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "swsev/fw.h"
#include "swsev/host.h"
#include "swsev/mem.h"

/* Guest RAM is mapped in 2 MiB blocks ("large pages" of the nested page
 * table), each backed by a host-physical range from swsev_mem_alloc taken
 * on first touch. Blocks of one VM need not be contiguous in SPA space. */
#define HOST_BLOCK_SHIFT 21
#define HOST_BLOCK (1ULL << HOST_BLOCK_SHIFT)
#define HOST_GIB (1ULL << 30)
#define HOST_LOWMEM_MAX (3ULL * HOST_GIB) /* RAM below the PCI hole */
#define HOST_FLASH_WINDOW (64ULL << 20)   /* flash: [4 GiB - 64 MiB, 4 GiB) */
#define HOST_VM_MEM_MIN (16ULL << 20)
#define HOST_VM_MEM_MAX (256ULL * HOST_GIB)
#define HOST_VM_NAME_MAX 63
#define HOST_VM_NOTES_MAX 4096
#define HOST_VM_MAX 4096
#define HOST_VCPU_MAX 512

#define ENOTSUPP_KERNEL 524 /* the kernel's ENOTSUPP (not in userspace errno.h) */

struct host_vm {
	uint32_t id;
	char name[HOST_VM_NAME_MAX + 1];
	unsigned refs; /* under h->lock */
	int dead;      /* under vm->lock: destroyed, only refs remain */
	pthread_mutex_t lock;

	uint32_t type; /* SWSEV_VM_TYPE_* */
	uint64_t mem_size, lowmem, highmem;
	uint64_t gpa_limit; /* 4 GiB + highmem */
	uint64_t *blocks;   /* SPA of each 2 MiB block by GPA >> 21; 0 = none */
	size_t nblocks;

	uint8_t *notes; /* the VMM's own notes (VM_CREATE in[1]) */
	uint32_t notes_len;

	/* SEV */
	int sev, es; /* KVM_SEV_(ES_)INIT done */
	unsigned asid;
	uint32_t handle; /* 0: no firmware guest context */
	int activated;   /* ACTIVATE done (ASID bound) */
	uint32_t policy;
	uint64_t *vmsa_spa; /* one VMSA page per vCPU */
	unsigned nvmsa;
	uint8_t measure[48];
	int have_measure;
};

enum { ASID_FREE = 0, ASID_USED = 1, ASID_DIRTY = 2 };

struct swsev_host {
	swsev_fw *fw;
	swsev_mem *mem;
	const struct swsev_profile *prof;
	pthread_mutex_t lock;
	pthread_mutex_t plat_lock;
	struct host_vm **vms;
	size_t nvms, capvms;
	uint32_t next_id;
	uint8_t *asid_state;      /* [asid_count + 1] */
	uint64_t *asid_dirty_gen; /* flush generation when it became dirty */
	uint64_t flush_gen;
	uint64_t tmr_spa, tmr_alloc_spa;
};

/* ---- host.c ---- */
struct host_vm *host_vm_get(swsev_host *h, uint32_t id); /* +ref, or NULL */
void host_vm_put(swsev_host *h, struct host_vm *vm);
void host_set_err(struct swsev_rsp *rsp, int err);
/* Copies a blob into a response slot (malloc'd copy). */
int host_out_blob(struct swsev_rsp *rsp, unsigned i, const void *p, size_t len);
void host_out_arg(struct swsev_rsp *rsp, const void *p, size_t len);

/* ---- fwcall.c ---- */
/* A firmware command; *status gets the 16-bit status. */
uint16_t host_fw(swsev_host *h, uint32_t cmd, uint8_t *buf, size_t len);
/* DRAM staging buffer: page-rounded, zeroed, optionally filled. */
int host_stage(swsev_host *h, size_t cap, const void *data, size_t len, uint64_t *spa);
void host_unstage(swsev_host *h, uint64_t spa, size_t cap);
/* Platform state from PLATFORM_STATUS (-1 if the call failed). */
int host_platform_status(swsev_host *h, uint8_t out[12]);
/* The driver's __sev_platform_init_locked: INIT (+ES, TMR) if UNINIT, then
 * DF_FLUSH. Caller holds plat_lock. Returns firmware status. */
uint16_t host_platform_init_locked(swsev_host *h, int *called);
/* DF_FLUSH and mark the ASIDs dirty before the flush as free. */
uint16_t host_df_flush(swsev_host *h);
/* ASID pool. */
int host_asid_alloc(swsev_host *h, int es, unsigned *asid);
void host_asid_release(swsev_host *h, unsigned asid, int dirty);

/* ---- vmmem.c ---- */
int host_vm_mem_init(struct host_vm *vm, uint64_t mem_size);
void host_vm_mem_free(swsev_host *h, struct host_vm *vm);
/* Is [gpa, gpa+len) inside mapped guest memory? */
int host_vm_range_ok(const struct host_vm *vm, uint64_t gpa, uint64_t len);
/* Translates one GPA; populate: allocate the block if missing. Returns 0,
 * or -EFAULT (not guest memory) / -ENOMEM. *contig = bytes to the block end. */
int host_vm_translate(swsev_host *h, struct host_vm *vm, uint64_t gpa, int populate, uint64_t *spa,
		      uint64_t *contig);
int host_vm_host_write(swsev_host *h, struct host_vm *vm, uint64_t gpa, const uint8_t *p,
		       size_t len);
int host_vm_host_read(swsev_host *h, struct host_vm *vm, uint64_t gpa, uint8_t *p, size_t len);
int host_vm_guest_io(swsev_host *h, struct host_vm *vm, uint64_t gpa, uint8_t *p, size_t len,
		     int write);

/* ---- devsev.c / kvm.c ---- */
void host_sev_ioctl(swsev_host *h, const struct swsev_req *req, struct swsev_rsp *rsp);
void host_kvm_op(swsev_host *h, struct host_vm *vm, const struct swsev_req *req,
		 struct swsev_rsp *rsp);
/* Tears down the firmware side of a VM (DEACTIVATE, DECOMMISSION, ASID). vm->lock held. */
void host_vm_sev_teardown(swsev_host *h, struct host_vm *vm);

#endif
