/*
 * Guest memory: the guest-physical to host-physical map of one VM, like a
 * nested page table with 2 MiB pages. Blocks are backed on first write (or
 * on a firmware command that needs them), so a VM of gigabytes costs only
 * what it touches.
 *
 * Layout (include/swsev/host.h): RAM [0, lowmem), [4 GiB, 4 GiB + highmem),
 * flash window [4 GiB - 64 MiB, 4 GiB).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "host/host_internal.h"

int host_vm_mem_init(struct host_vm *vm, uint64_t mem_size)
{
	vm->mem_size = mem_size;
	vm->lowmem = mem_size < HOST_LOWMEM_MAX ? mem_size : HOST_LOWMEM_MAX;
	vm->highmem = mem_size - vm->lowmem;
	vm->gpa_limit = SWSEV_GPA_4G + vm->highmem;
	vm->nblocks = (size_t)((vm->gpa_limit + HOST_BLOCK - 1) >> HOST_BLOCK_SHIFT);
	vm->blocks = calloc(vm->nblocks, sizeof(uint64_t));
	return vm->blocks ? 0 : -ENOMEM;
}

void host_vm_mem_free(swsev_host *h, struct host_vm *vm)
{
	if (vm->blocks == NULL)
		return;
	for (size_t i = 0; i < vm->nblocks; i++)
		if (vm->blocks[i])
			swsev_mem_release(h->mem, vm->blocks[i], HOST_BLOCK);
	free(vm->blocks);
	vm->blocks = NULL;
}

/* Is one GPA guest memory? */
static int gpa_ok(const struct host_vm *vm, uint64_t gpa)
{
	if (gpa < vm->lowmem)
		return 1;
	if (gpa >= SWSEV_GPA_4G - HOST_FLASH_WINDOW && gpa < SWSEV_GPA_4G)
		return 1;
	return gpa >= SWSEV_GPA_4G && gpa < vm->gpa_limit;
}

/* End (exclusive) of the memory region holding gpa. */
static uint64_t region_end(const struct host_vm *vm, uint64_t gpa)
{
	if (gpa < vm->lowmem)
		return vm->lowmem;
	if (gpa < SWSEV_GPA_4G)
		return SWSEV_GPA_4G;
	return vm->gpa_limit;
}

int host_vm_range_ok(const struct host_vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t end;

	if (len == 0 || !swsev_add64_ok(gpa, len, &end))
		return 0;
	while (gpa < end) {
		uint64_t re;

		if (!gpa_ok(vm, gpa))
			return 0;
		re = region_end(vm, gpa);
		gpa = re;
		/* regions touch only at 4 GiB (flash end, high RAM start) */
	}
	return 1;
}

int host_vm_translate(swsev_host *h, struct host_vm *vm, uint64_t gpa, int populate, uint64_t *spa,
		      uint64_t *contig)
{
	size_t bi;
	uint64_t off, re;

	*spa = 0;
	*contig = 0;
	if (!gpa_ok(vm, gpa))
		return -EFAULT;
	bi = (size_t)(gpa >> HOST_BLOCK_SHIFT);
	if (bi >= vm->nblocks)
		return -EFAULT;
	off = gpa & (HOST_BLOCK - 1);
	if (vm->blocks[bi] == 0) {
		if (!populate)
			return -ENOENT;
		if (swsev_mem_alloc(h->mem, HOST_BLOCK, &vm->blocks[bi]) != SWSEV_OK) {
			vm->blocks[bi] = 0;
			return -ENOMEM;
		}
	}
	*spa = vm->blocks[bi] + off;
	*contig = HOST_BLOCK - off;
	re = region_end(vm, gpa);
	if (*contig > re - gpa)
		*contig = re - gpa;
	return 0;
}

int host_vm_host_write(swsev_host *h, struct host_vm *vm, uint64_t gpa, const uint8_t *p,
		       size_t len)
{
	if (!host_vm_range_ok(vm, gpa, len))
		return -EFAULT;
	while (len > 0) {
		uint64_t spa, contig;
		size_t n;
		int rc = host_vm_translate(h, vm, gpa, 1, &spa, &contig);

		if (rc != 0)
			return rc;
		n = contig < len ? (size_t)contig : len;
		if (swsev_mem_write(h->mem, spa, p, n) != SWSEV_OK)
			return -EFAULT;
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

int host_vm_host_read(swsev_host *h, struct host_vm *vm, uint64_t gpa, uint8_t *p, size_t len)
{
	if (!host_vm_range_ok(vm, gpa, len))
		return -EFAULT;
	while (len > 0) {
		uint64_t spa, contig;
		size_t n;
		int rc = host_vm_translate(h, vm, gpa, 0, &spa, &contig);

		if (rc == -ENOENT) { /* never touched: reads as zero */
			contig = HOST_BLOCK - (gpa & (HOST_BLOCK - 1));
			n = contig < len ? (size_t)contig : len;
			memset(p, 0, n);
		} else if (rc != 0) {
			return rc;
		} else {
			n = contig < len ? (size_t)contig : len;
			if (swsev_mem_read(h->mem, spa, p, n) != SWSEV_OK)
				return -EFAULT;
		}
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

/* The guest's own access: with the C-bit, through its ASID's key. */
int host_vm_guest_io(swsev_host *h, struct host_vm *vm, uint64_t gpa, uint8_t *p, size_t len,
		     int write)
{
	if (!vm->sev)
		return write ? host_vm_host_write(h, vm, gpa, p, len) :
			       host_vm_host_read(h, vm, gpa, p, len);
	if (!vm->activated || vm->asid == 0)
		return -EINVAL;
	if (!host_vm_range_ok(vm, gpa, len))
		return -EFAULT;
	while (len > 0) {
		uint64_t spa, contig;
		size_t n;
		swsev_err e;
		int rc = host_vm_translate(h, vm, gpa, 1, &spa, &contig);

		if (rc != 0)
			return rc;
		n = contig < len ? (size_t)contig : len;
		if (write)
			e = swsev_mem_write_enc(h->mem, vm->asid, spa, p, n);
		else
			e = swsev_mem_read_enc(h->mem, vm->asid, spa, p, n);
		if (e != SWSEV_OK)
			return e == SWSEV_E_STATE ? -EINVAL : -EFAULT;
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}
