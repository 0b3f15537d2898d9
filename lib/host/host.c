/*
 * The host layer's entry point: one request in, one response out
 * (include/swsev/host.h). This file keeps the VM table and the generic
 * VMM operations (create, destroy, list, info, raw and guest views,
 * platform certificates); devsev.c and kvm.c carry the Linux semantics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "host/host_internal.h"
#include "swsev/crypto.h"
#include "swsev/psp-sev.h"
#include "swsev/status.h"

void swsev_rsp_clear(struct swsev_rsp *rsp)
{
	if (rsp == NULL)
		return;
	for (unsigned i = 0; i < SWSEV_REQ_BLOBS; i++) {
		if (rsp->out[i].p)
			swsev_clear_free(rsp->out[i].p, rsp->out[i].len);
	}
	swsev_wipe(rsp, sizeof(*rsp));
}

void host_set_err(struct swsev_rsp *rsp, int err)
{
	rsp->err = err;
}

int host_out_blob(struct swsev_rsp *rsp, unsigned i, const void *p, size_t len)
{
	uint8_t *b;

	if (i >= SWSEV_REQ_BLOBS || len > SWSEV_BLOB_MAX)
		return -EINVAL;
	b = malloc(len ? len : 1);
	if (b == NULL)
		return -ENOMEM;
	if (len)
		memcpy(b, p, len);
	if (rsp->out[i].p)
		swsev_clear_free(rsp->out[i].p, rsp->out[i].len);
	rsp->out[i].p = b;
	rsp->out[i].len = (uint32_t)len;
	rsp->out[i].present = 1;
	return 0;
}

void host_out_arg(struct swsev_rsp *rsp, const void *p, size_t len)
{
	if (len > SWSEV_REQ_ARG_MAX)
		len = SWSEV_REQ_ARG_MAX;
	memcpy(rsp->arg, p, len);
	rsp->arg_len = (uint32_t)len;
}

swsev_err swsev_host_new(swsev_fw *fw, swsev_host **out)
{
	swsev_host *h;
	swsev_err ret = SWSEV_E_NOMEM;

	*out = NULL;
	if (fw == NULL)
		return SWSEV_E_INVALID;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return SWSEV_E_NOMEM;
	h->fw = fw;
	h->mem = swsev_fw_dram(fw);
	h->prof = swsev_fw_profile(fw);
	if (h->mem == NULL || h->prof == NULL || h->prof->es_asids > h->prof->asid_count) {
		ret = SWSEV_E_INVALID;
		goto out;
	}
	h->asid_state = calloc((size_t)h->prof->asid_count + 1, 1);
	h->asid_dirty_gen = calloc((size_t)h->prof->asid_count + 1, sizeof(uint64_t));
	if (h->asid_state == NULL || h->asid_dirty_gen == NULL)
		goto out;
	h->next_id = 1;
	h->flush_gen = 1;
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->plat_lock, NULL);
	*out = h;
	h = NULL;
	ret = SWSEV_OK;
out:
	if (h) {
		free(h->asid_state);
		free(h->asid_dirty_gen);
		free(h);
	}
	return ret;
}

static void vm_free(swsev_host *h, struct host_vm *vm)
{
	host_vm_mem_free(h, vm);
	if (vm->notes)
		swsev_clear_free(vm->notes, vm->notes_len);
	free(vm->vmsa_spa);
	pthread_mutex_destroy(&vm->lock);
	swsev_wipe(vm, sizeof(*vm));
	free(vm);
}

void swsev_host_free(swsev_host *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->nvms; i++) {
		struct host_vm *vm = h->vms[i];

		pthread_mutex_lock(&vm->lock);
		host_vm_sev_teardown(h, vm);
		pthread_mutex_unlock(&vm->lock);
		vm_free(h, vm);
	}
	free(h->vms);
	if (h->tmr_alloc_spa)
		swsev_mem_release(h->mem, h->tmr_alloc_spa, 2u << 20);
	free(h->asid_state);
	free(h->asid_dirty_gen);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->plat_lock);
	free(h);
}

/* ---- the VM table ---- */

struct host_vm *host_vm_get(swsev_host *h, uint32_t id)
{
	struct host_vm *vm = NULL;

	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->nvms; i++) {
		if (h->vms[i]->id == id) {
			vm = h->vms[i];
			vm->refs++;
			break;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return vm;
}

static struct host_vm *vm_get_by_name(swsev_host *h, const uint8_t *name, size_t len)
{
	struct host_vm *vm = NULL;

	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->nvms; i++) {
		if (strlen(h->vms[i]->name) == len && memcmp(h->vms[i]->name, name, len) == 0) {
			vm = h->vms[i];
			vm->refs++;
			break;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return vm;
}

/* A VM removed from the table is freed by its last reference. */
void host_vm_put(swsev_host *h, struct host_vm *vm)
{
	int last;

	if (vm == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	last = --vm->refs == 0 && vm->dead;
	pthread_mutex_unlock(&h->lock);
	if (last)
		vm_free(h, vm);
}

static int name_ok(const struct swsev_blob *b)
{
	if (!b->present || b->len == 0 || b->len > HOST_VM_NAME_MAX)
		return 0;
	for (uint32_t i = 0; i < b->len; i++) {
		uint8_t c = b->p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void op_vm_create(swsev_host *h, const struct swsev_req *req, struct swsev_rsp *rsp)
{
	struct swsev_cur c;
	uint64_t mem;
	uint32_t flags, type, id;
	struct host_vm *vm = NULL;
	int err = -EINVAL;
	uint8_t idb[4];

	swsev_cur_init(&c, req->arg, req->arg_len);
	if (swsev_cur_u64(&c, &mem) || swsev_cur_u32(&c, &flags) || swsev_cur_end(&c))
		goto out;
	type = flags & SWSEV_VM_TYPE_MASK;
	if ((flags & ~SWSEV_VM_TYPE_MASK) != 0 ||
	    (type != SWSEV_VM_TYPE_DEFAULT && type != SWSEV_VM_TYPE_SEV &&
	     type != SWSEV_VM_TYPE_SEV_ES))
		goto out;
	if (!name_ok(&req->in[0]) || mem < HOST_VM_MEM_MIN || mem > HOST_VM_MEM_MAX ||
	    (mem & (SWSEV_MEM_PAGE - 1)) != 0)
		goto out;
	if (req->in[1].present && req->in[1].len > HOST_VM_NOTES_MAX)
		goto out;
	err = -ENOMEM;
	vm = calloc(1, sizeof(*vm));
	if (vm == NULL)
		goto out;
	pthread_mutex_init(&vm->lock, NULL);
	memcpy(vm->name, req->in[0].p, req->in[0].len);
	vm->type = type;
	vm->refs = 1; /* the table's reference */
	if (host_vm_mem_init(vm, mem) != 0)
		goto out;
	if (req->in[1].present && req->in[1].len > 0) {
		vm->notes = malloc(req->in[1].len);
		if (vm->notes == NULL)
			goto out;
		memcpy(vm->notes, req->in[1].p, req->in[1].len);
		vm->notes_len = req->in[1].len;
	}
	pthread_mutex_lock(&h->lock);
	if (h->nvms >= HOST_VM_MAX) {
		err = -ENOSPC;
	} else {
		if (h->nvms == h->capvms) {
			size_t nc = h->capvms ? h->capvms * 2 : 16;
			struct host_vm **nv = realloc(h->vms, nc * sizeof(*nv));
			if (nv == NULL) {
				pthread_mutex_unlock(&h->lock);
				goto out;
			}
			h->vms = nv;
			h->capvms = nc;
		}
		err = 0;
		for (size_t i = 0; i < h->nvms; i++)
			if (strcmp(h->vms[i]->name, vm->name) == 0)
				err = -EEXIST;
		if (err == 0) {
			vm->id = id = h->next_id++;
			h->vms[h->nvms++] = vm;
			vm = NULL;
			swsev_wle32(idb, id);
			host_out_arg(rsp, idb, 4);
		}
	}
	pthread_mutex_unlock(&h->lock);
out:
	if (vm)
		vm_free(h, vm);
	host_set_err(rsp, err);
}

static void op_vm_destroy(swsev_host *h, struct host_vm *vm, struct swsev_rsp *rsp)
{
	int found = 0;

	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->nvms; i++) {
		if (h->vms[i] == vm) {
			h->vms[i] = h->vms[--h->nvms];
			found = 1;
			break;
		}
	}
	if (found)
		vm->refs--; /* the table's reference */
	pthread_mutex_unlock(&h->lock);
	if (!found) {
		host_set_err(rsp, -ENOENT);
		return;
	}
	pthread_mutex_lock(&vm->lock);
	host_vm_sev_teardown(h, vm);
	host_vm_mem_free(h, vm);
	vm->dead = 1;
	pthread_mutex_unlock(&vm->lock);
	host_set_err(rsp, 0);
}

static const char *qmp_state(uint8_t st, int sev)
{
	if (!sev)
		return "uninit";
	switch (st) {
	case SWSEV_GSTATE_LUPDATE: return "launch-update";
	case SWSEV_GSTATE_LSECRET: return "launch-secret";
	case SWSEV_GSTATE_RUNNING: return "running";
	case SWSEV_GSTATE_SUPDATE: return "send-update";
	case SWSEV_GSTATE_RUPDATE: return "receive-update";
	case SWSEV_GSTATE_SENT: return "sent";
	default: return "uninit";
	}
}

/* GUEST_STATUS of a VM's guest; state 0 if none. vm->lock held. */
static void guest_status(swsev_host *h, struct host_vm *vm, uint32_t *policy, uint32_t *asid,
			 uint8_t *state)
{
	uint8_t buf[13];

	*policy = vm->policy;
	*asid = vm->activated ? vm->asid : 0;
	*state = 0;
	if (!vm->handle)
		return;
	memset(buf, 0, sizeof(buf));
	swsev_wle32(buf, vm->handle);
	if (host_fw(h, SEV_CMD_GUEST_STATUS, buf, sizeof(buf)) == SEV_STATUS_SUCCESS) {
		*policy = swsev_le32(buf + 4);
		*asid = swsev_le32(buf + 8);
		*state = buf[12];
	}
}

static void op_vm_info(swsev_host *h, struct host_vm *vm, struct swsev_rsp *rsp)
{
	uint8_t st[12], wire[SWSEV_VM_INFO_WIRE_LEN], state, flags = 0;
	uint32_t policy, asid;
	char json[768];
	uint64_t *list = NULL;
	size_t nlist = 0;
	int n, err = -ENOMEM;

	(void)host_platform_status(h, st);
	guest_status(h, vm, &policy, &asid, &state);
	if (vm->sev)
		flags |= SWSEV_VM_INFO_SEV;
	if (vm->es)
		flags |= SWSEV_VM_INFO_ES;
	if (vm->have_measure)
		flags |= SWSEV_VM_INFO_MEASURED;
	if (vm->activated)
		flags |= SWSEV_VM_INFO_ACTIVATED;
	n = snprintf(
		json, sizeof(json),
		"{\"enabled\": %s, \"sev-type\": \"%s\", \"api-major\": %u, \"api-minor\": %u, "
		"\"build-id\": %u, \"policy\": %" PRIu32 ", \"state\": \"%s\", \"handle\": %" PRIu32
		", "
		"\"asid\": %" PRIu32 ", \"name\": \"%s\", \"id\": %" PRIu32 ", \"memory\": %" PRIu64
		", \"vcpus\": %u}",
		vm->sev ? "true" : "false", vm->es ? "sev-es" : "sev", st[0], st[1], st[7], policy,
		qmp_state(state, vm->sev), vm->handle, asid, vm->name, vm->id, vm->mem_size,
		vm->nvmsa);
	if (n < 0 || (size_t)n >= sizeof(json)) {
		err = -EOVERFLOW;
		goto out;
	}
	if (vm->blocks) {
		list = malloc(vm->nblocks * 8 + 8);
		if (list == NULL)
			goto out;
		for (size_t i = 0; i < vm->nblocks; i++)
			if (vm->blocks[i])
				swsev_wle64((uint8_t *)&list[nlist++],
					    (uint64_t)i << HOST_BLOCK_SHIFT);
	}
	if (host_out_blob(rsp, 0, json, (size_t)n) != 0 ||
	    (vm->have_measure && host_out_blob(rsp, 1, vm->measure, sizeof(vm->measure)) != 0) ||
	    host_out_blob(rsp, 2, vm->notes, vm->notes_len) != 0 ||
	    host_out_blob(rsp, 3, list, nlist * 8) != 0)
		goto out;
	swsev_wle32(wire + 0, vm->id);
	swsev_wle32(wire + 4, vm->handle);
	swsev_wle32(wire + 8, asid);
	swsev_wle32(wire + 12, policy);
	swsev_wle32(wire + 16, state);
	wire[20] = st[0];
	wire[21] = st[1];
	wire[22] = st[7];
	wire[23] = flags;
	swsev_wle64(wire + 24, vm->mem_size);
	swsev_wle32(wire + 32, vm->nvmsa);
	swsev_wle32(wire + 36, vm->type);
	host_out_arg(rsp, wire, sizeof(wire));
	err = 0;
out:
	free(list);
	host_set_err(rsp, err);
}

static void op_vm_list(swsev_host *h, struct swsev_rsp *rsp)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	uint32_t *ids;
	size_t n;
	int err = -ENOMEM;

	pthread_mutex_lock(&h->lock);
	n = h->nvms;
	ids = malloc((n ? n : 1) * sizeof(*ids));
	if (ids)
		for (size_t i = 0; i < n; i++)
			ids[i] = h->vms[i]->id;
	pthread_mutex_unlock(&h->lock);
	if (ids == NULL)
		goto out;
	/* one line per VM: id name state handle asid policy memory */
	for (size_t i = 0; i < n; i++) {
		struct host_vm *vm = host_vm_get(h, ids[i]);
		uint32_t policy, asid;
		uint8_t state;
		char line[256];
		int k;

		if (vm == NULL)
			continue;
		pthread_mutex_lock(&vm->lock);
		if (!vm->dead) {
			guest_status(h, vm, &policy, &asid, &state);
			k = snprintf(line, sizeof(line),
				     "%" PRIu32 " %s %s handle=%" PRIu32 " asid=%" PRIu32
				     " policy=0x%" PRIx32 " memory=%" PRIu64 "\n",
				     vm->id, vm->name, qmp_state(state, vm->sev), vm->handle, asid,
				     policy, vm->mem_size);
		} else {
			k = 0;
		}
		pthread_mutex_unlock(&vm->lock);
		host_vm_put(h, vm);
		if (k <= 0 || (size_t)k >= sizeof(line))
			continue;
		if (len + (size_t)k > cap) {
			size_t nc = cap ? cap * 2 : 1024;
			char *nt;
			while (nc < len + (size_t)k)
				nc *= 2;
			nt = realloc(text, nc);
			if (nt == NULL)
				goto out;
			text = nt;
			cap = nc;
		}
		memcpy(text + len, line, (size_t)k);
		len += (size_t)k;
	}
	if (len > SWSEV_BLOB_MAX)
		len = SWSEV_BLOB_MAX;
	err = host_out_blob(rsp, 0, text, len);
out:
	free(ids);
	free(text);
	host_set_err(rsp, err);
}

static int parse_gpa_len(const struct swsev_req *req, uint64_t *gpa, uint32_t *len)
{
	struct swsev_cur c;

	swsev_cur_init(&c, req->arg, req->arg_len);
	if (swsev_cur_u64(&c, gpa) || swsev_cur_u32(&c, len) || swsev_cur_end(&c))
		return -EINVAL;
	if (*len == 0 || *len > SWSEV_BLOB_MAX)
		return -EINVAL;
	return 0;
}

static int parse_gpa(const struct swsev_req *req, uint64_t *gpa)
{
	struct swsev_cur c;

	swsev_cur_init(&c, req->arg, req->arg_len);
	if (swsev_cur_u64(&c, gpa) || swsev_cur_end(&c))
		return -EINVAL;
	if (!req->in[0].present || req->in[0].len == 0)
		return -EINVAL;
	return 0;
}

static void op_vm_rw(swsev_host *h, struct host_vm *vm, const struct swsev_req *req,
		     struct swsev_rsp *rsp)
{
	uint64_t gpa;
	uint32_t len;
	uint8_t *buf = NULL;
	int err, write = req->op == SWSEV_OP_VM_WRITE || req->op == SWSEV_OP_GUEST_WRITE;
	int guest = req->op == SWSEV_OP_GUEST_READ || req->op == SWSEV_OP_GUEST_WRITE;

	if (write) {
		err = parse_gpa(req, &gpa);
		if (err == 0)
			err = guest ? host_vm_guest_io(h, vm, gpa, req->in[0].p, req->in[0].len,
						       1) :
				      host_vm_host_write(h, vm, gpa, req->in[0].p, req->in[0].len);
		host_set_err(rsp, err);
		return;
	}
	err = parse_gpa_len(req, &gpa, &len);
	if (err == 0) {
		buf = malloc(len);
		err = buf ? 0 : -ENOMEM;
	}
	if (err == 0)
		err = guest ? host_vm_guest_io(h, vm, gpa, buf, len, 0) :
			      host_vm_host_read(h, vm, gpa, buf, len);
	if (err == 0) {
		/* hand the buffer over without a copy */
		rsp->out[0].p = buf;
		rsp->out[0].len = len;
		rsp->out[0].present = 1;
		buf = NULL;
	}
	if (buf)
		swsev_clear_free(buf, len);
	host_set_err(rsp, err);
}

static void op_platform_certs(swsev_host *h, struct swsev_rsp *rsp)
{
	uint8_t cek[2084];
	uint8_t *amd = NULL;
	size_t alen = 0, cap = 2 * 1600 + 64;
	int err = -EIO;

	amd = malloc(cap);
	if (amd == NULL) {
		host_set_err(rsp, -ENOMEM);
		return;
	}
	if (swsev_fw_cek_signed(h->fw, cek) != SWSEV_OK)
		goto out;
	if (swsev_fw_amd_certs(h->fw, amd, cap, &alen) != SWSEV_OK)
		goto out;
	err = host_out_blob(rsp, 0, cek, sizeof(cek));
	if (err == 0)
		err = host_out_blob(rsp, 1, amd, alen);
out:
	free(amd);
	host_set_err(rsp, err);
}

static void op_hello(swsev_host *h, struct swsev_rsp *rsp)
{
	struct swsev_profile pr;
	char t[160];
	int n;

	swsev_fw_profile_copy(h->fw, &pr); /* API and build change with DOWNLOAD_FIRMWARE */
	n = snprintf(t, sizeof(t),
		     "swsev host 0.1; profile %s; SEV API %u.%u build %u; asids %u (SEV-ES %u)",
		     pr.name ? pr.name : "?", pr.api_major, pr.api_minor, pr.build, pr.asid_count,
		     pr.es_asids);

	host_set_err(rsp, n > 0 ? host_out_blob(rsp, 0, t, strlen(t)) : -EINVAL);
}

/* ---- raw firmware commands (tests, tools) ---- */

struct addr_pair {
	uint8_t addr_off, len_off;
};

/* (address, length) pairs of each command buffer, in buffer order
 * (commands.md §8-§12). */
static unsigned fw_pairs(uint32_t cmd, struct addr_pair p[4])
{
	switch (cmd) {
	case SEV_CMD_PEK_CSR:
	case SEV_CMD_GET_ID:
	case SEV_CMD_DOWNLOAD_FIRMWARE: p[0] = (struct addr_pair){ 0x00, 0x08 }; return 1;
	case SEV_CMD_PEK_CERT_IMPORT:
	case SEV_CMD_PDH_CERT_EXPORT:
		p[0] = (struct addr_pair){ 0x00, 0x08 };
		p[1] = (struct addr_pair){ 0x10, 0x18 };
		return 2;
	case SEV_CMD_LAUNCH_START:
		p[0] = (struct addr_pair){ 0x08, 0x10 };
		p[1] = (struct addr_pair){ 0x18, 0x20 };
		return 2;
	case SEV_CMD_RECEIVE_START:
		p[0] = (struct addr_pair){ 0x08, 0x10 };
		p[1] = (struct addr_pair){ 0x18, 0x20 };
		return 2;
	case SEV_CMD_LAUNCH_UPDATE_DATA:
	case SEV_CMD_LAUNCH_UPDATE_VMSA:
	case SEV_CMD_LAUNCH_MEASURE: p[0] = (struct addr_pair){ 0x08, 0x10 }; return 1;
	case SEV_CMD_LAUNCH_SECRET:
	case SEV_CMD_SEND_UPDATE_DATA:
	case SEV_CMD_SEND_UPDATE_VMSA:
	case SEV_CMD_RECEIVE_UPDATE_DATA:
	case SEV_CMD_RECEIVE_UPDATE_VMSA:
		p[0] = (struct addr_pair){ 0x08, 0x10 };
		p[1] = (struct addr_pair){ 0x18, 0x20 };
		p[2] = (struct addr_pair){ 0x28, 0x30 };
		return 3;
	case SEV_CMD_SEND_START:
		p[0] = (struct addr_pair){ 0x08, 0x10 };
		p[1] = (struct addr_pair){ 0x18, 0x20 };
		p[2] = (struct addr_pair){ 0x28, 0x30 };
		p[3] = (struct addr_pair){ 0x38, 0x40 };
		return 4;
	default: return 0;
	}
}

#define FW_RAW_BUF_MAX (64u * 1024)

static void op_fw_command(swsev_host *h, const struct swsev_req *req, struct swsev_rsp *rsp)
{
	struct addr_pair pairs[4];
	uint64_t spa[4] = { 0 };
	size_t cap[4] = { 0 };
	uint8_t buf[SWSEV_REQ_ARG_MAX];
	unsigned np = fw_pairs(req->cmd, pairs);
	size_t need = swsev_cmd_buf_len(req->cmd);
	uint16_t status;
	int err = -EINVAL;

	rsp->fw_error = SEV_RET_NO_FW_CALL;
	/* raw commands bypass the driver: only for a writer of the device */
	if (!(req->flags & SWSEV_REQ_WRITABLE)) {
		err = -EPERM;
		goto out;
	}
	if (req->arg_len < need || req->arg_len > sizeof(buf))
		goto out;
	memcpy(buf, req->arg, req->arg_len);
	for (unsigned i = 0; i < np; i++) {
		uint32_t flen;
		size_t c;

		if (!req->in[i].present)
			continue;
		if ((size_t)pairs[i].len_off + 4 > req->arg_len)
			goto out;
		flen = swsev_le32(buf + pairs[i].len_off);
		c = flen > req->in[i].len ? flen : req->in[i].len;
		if (c > FW_RAW_BUF_MAX)
			goto out;
		cap[i] = c;
		err = host_stage(h, c, req->in[i].p, req->in[i].len, &spa[i]);
		if (err != 0)
			goto out;
		err = -EINVAL;
		swsev_wle64(buf + pairs[i].addr_off, spa[i]);
	}
	status = host_fw(h, req->cmd, buf, req->arg_len);
	rsp->fw_error = status;
	for (unsigned i = 0; i < np; i++) {
		uint32_t flen;
		uint8_t *tmp;

		if (!spa[i])
			continue;
		flen = swsev_le32(buf + pairs[i].len_off);
		if (flen > cap[i])
			flen = (uint32_t)cap[i];
		tmp = malloc(flen ? flen : 1);
		if (tmp == NULL || swsev_mem_read(h->mem, spa[i], tmp, flen) != SWSEV_OK ||
		    host_out_blob(rsp, i, tmp, flen) != 0) {
			free(tmp);
			err = -ENOMEM;
			goto out;
		}
		swsev_clear_free(tmp, flen);
	}
	host_out_arg(rsp, buf, req->arg_len);
	err = status == SEV_STATUS_SUCCESS ? 0 : -EIO;
out:
	for (unsigned i = 0; i < 4; i++)
		host_unstage(h, spa[i], cap[i]);
	swsev_wipe(buf, sizeof(buf));
	host_set_err(rsp, err);
}

/* ---- dispatch ---- */

static struct host_vm *req_vm(swsev_host *h, const struct swsev_req *req)
{
	if (req->vm != 0)
		return host_vm_get(h, req->vm);
	if (req->in[0].present && req->in[0].len > 0 && req->in[0].len <= HOST_VM_NAME_MAX)
		return vm_get_by_name(h, req->in[0].p, req->in[0].len);
	return NULL;
}

void swsev_host_call(swsev_host *h, const struct swsev_req *req, struct swsev_rsp *rsp)
{
	struct host_vm *vm;

	memset(rsp, 0, sizeof(*rsp));
	if (h == NULL || req == NULL || req->arg_len > SWSEV_REQ_ARG_MAX) {
		rsp->err = -EINVAL;
		return;
	}
	for (unsigned i = 0; i < SWSEV_REQ_BLOBS; i++) {
		if (req->in[i].len > SWSEV_BLOB_MAX ||
		    (req->in[i].len > 0 && req->in[i].p == NULL)) {
			rsp->err = -EINVAL;
			return;
		}
	}
	switch (req->op) {
	case SWSEV_OP_HELLO: op_hello(h, rsp); return;
	case SWSEV_OP_SEV_IOCTL: host_sev_ioctl(h, req, rsp); return;
	case SWSEV_OP_VM_CREATE: op_vm_create(h, req, rsp); return;
	case SWSEV_OP_VM_LIST: op_vm_list(h, rsp); return;
	case SWSEV_OP_PLATFORM_CERTS: op_platform_certs(h, rsp); return;
	case SWSEV_OP_FW_COMMAND: op_fw_command(h, req, rsp); return;
	case SWSEV_OP_VM_LOOKUP:
		vm = req->in[0].present ? vm_get_by_name(h, req->in[0].p, req->in[0].len) : NULL;
		if (vm == NULL) {
			rsp->err = -ENOENT;
			return;
		}
		swsev_wle32(rsp->arg, vm->id);
		rsp->arg_len = 4;
		host_vm_put(h, vm);
		return;
	case SWSEV_OP_VM_DESTROY:
	case SWSEV_OP_KVM:
	case SWSEV_OP_VM_WRITE:
	case SWSEV_OP_VM_READ:
	case SWSEV_OP_VM_INFO:
	case SWSEV_OP_GUEST_READ:
	case SWSEV_OP_GUEST_WRITE: break;
	default: rsp->err = -EINVAL; return;
	}
	vm = (req->op == SWSEV_OP_VM_INFO) ? req_vm(h, req) : host_vm_get(h, req->vm);
	if (vm == NULL) {
		rsp->err = -ENOENT;
		return;
	}
	if (req->op == SWSEV_OP_VM_DESTROY) {
		op_vm_destroy(h, vm, rsp);
		host_vm_put(h, vm);
		return;
	}
	pthread_mutex_lock(&vm->lock);
	if (vm->dead) {
		rsp->err = -ENOENT;
	} else if (req->op == SWSEV_OP_KVM) {
		host_kvm_op(h, vm, req, rsp);
	} else if (req->op == SWSEV_OP_VM_INFO) {
		op_vm_info(h, vm, rsp);
	} else {
		op_vm_rw(h, vm, req, rsp);
	}
	pthread_mutex_unlock(&vm->lock);
	host_vm_put(h, vm);
}
