/*
 * Migration: SEND_START, SEND_UPDATE_DATA/VMSA, SEND_FINISH, SEND_CANCEL,
 * RECEIVE_START, RECEIVE_UPDATE_DATA/VMSA, RECEIVE_FINISH (commands.md §11,
 * crypto.md §4.3, §7).
 */
#include <string.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

/* Genoa's valid ASK || ARK sizes (certificates.md §6). */
static int amd_len_ok(uint32_t n)
{
	return n == 1664 || n == 2176 || n == 2688 || n == 3200;
}

/* policy.SEV: ARK (must be this platform's own, "fused", ARK) -> ASK -> CEK
 * -> PEK -> PDH, then the target PEK's API version against the policy. */
static uint16_t check_amd_chain(swsev_fw *fw, uint64_t amd_pa, uint32_t amd_len,
				const struct swsev_cert *pek, const struct swsev_cert *cek,
				const struct swsev_cert *pdh, uint32_t policy)
{
	static __thread struct swsev_amd_cert ask, ark; /* 3.3 KiB each: off the stack */
	uint8_t buf[3200];
	size_t used = 0, used2 = 0;
	uint16_t st;
	uint32_t want, have;

	st = fw_host_read(fw, amd_pa, buf, amd_len);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	if (swsev_amd_cert_parse(buf, amd_len, 0, &ask, &used) != SWSEV_OK ||
	    swsev_amd_cert_parse(buf + used, amd_len - used, 0, &ark, &used2) != SWSEV_OK ||
	    used + used2 != amd_len)
		return SEV_STATUS_INVALID_CERTIFICATE;
	if (ark.key_usage != SWSEV_USAGE_ARK || ask.key_usage != SWSEV_USAGE_ASK ||
	    memcmp(ask.certifying_id, ark.key_id, 16) != 0)
		return SEV_STATUS_INVALID_CERTIFICATE;
	/* on hardware the ARK must match the fused ARK hash */
	if (ark.len != fw->nv.ark_len || memcmp(ark.raw, fw->nv.ark, ark.len) != 0)
		return SEV_STATUS_INVALID_CERTIFICATE;
	if (swsev_amd_cert_verify(&ark, &ark) != SWSEV_OK)
		return SEV_STATUS_BAD_SIGNATURE;
	if (swsev_amd_cert_verify(&ask, &ark) != SWSEV_OK)
		return SEV_STATUS_BAD_SIGNATURE;
	if (cek->pub_key_usage != SWSEV_USAGE_CEK)
		return SEV_STATUS_INVALID_CERTIFICATE;
	st = fw_cert_status(swsev_cert_verify_amd(cek, &ask));
	if (st == SEV_STATUS_SUCCESS)
		st = swsev_cert_validate_fw(pek, cek);
	if (st == SEV_STATUS_SUCCESS)
		st = swsev_cert_validate_fw(pdh, pek);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	want = SWSEV_POLICY_API_MAJOR(policy) << 8 | SWSEV_POLICY_API_MINOR(policy);
	have = (uint32_t)pek->api_major << 8 | pek->api_minor;
	return have >= want ? SEV_STATUS_SUCCESS : SEV_STATUS_POLICY_FAILURE;
}

static uint16_t do_send_start(swsev_fw *fw, struct fw_cmd *c)
{
	uint64_t pdh_pa = swsev_le64(c->buf + 0x08), plat_pa = swsev_le64(c->buf + 0x18);
	uint64_t amd_pa = swsev_le64(c->buf + 0x28), sess_pa = swsev_le64(c->buf + 0x38), a;
	uint32_t pdh_len = swsev_le32(c->buf + 0x10), plat_len = swsev_le32(c->buf + 0x20);
	uint32_t amd_len = swsev_le32(c->buf + 0x30), sess_len = swsev_le32(c->buf + 0x40);
	static __thread struct swsev_cert pdh, pek, oca, cek;
	uint8_t keys[64], z[48], blob[SWSEV_SESSION_LEN];
	struct swsev_session s;
	swsev_ec_key *peer = NULL;
	struct fw_guest *g;
	uint16_t st = SEV_STATUS_SUCCESS;
	uint32_t policy;

	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	policy = g->policy;
	if (sess_len != SWSEV_SESSION_LEN) {
		swsev_wle32(c->buf + 0x40, SWSEV_SESSION_LEN);
		st = SEV_STATUS_INVALID_LENGTH;
		goto out;
	}
	if (g->state != SWSEV_GSTATE_RUNNING) {
		st = SEV_STATUS_INVALID_GUEST_STATE;
		goto out;
	}
	if (policy & SWSEV_POLICY_NOSEND) {
		st = SEV_STATUS_POLICY_FAILURE;
		goto out;
	}
	if (pdh_len != SWSEV_CERT_LEN) {
		st = SEV_STATUS_INVALID_LENGTH;
		goto out;
	}
	if (policy & (SWSEV_POLICY_SEV | SWSEV_POLICY_DOMAIN)) {
		if (plat_len != SWSEV_CHAIN_LEN ||
		    ((policy & SWSEV_POLICY_SEV) && !amd_len_ok(amd_len))) {
			st = SEV_STATUS_INVALID_LENGTH;
			goto out;
		}
		st = fw_read_cert(fw, pdh_pa, &pdh);
		if (st == SEV_STATUS_SUCCESS)
			st = fw_read_cert(fw, plat_pa, &pek);
		if (st == SEV_STATUS_SUCCESS)
			st = fw_read_cert(fw, plat_pa + SWSEV_CERT_LEN, &oca);
		if (st == SEV_STATUS_SUCCESS)
			st = fw_read_cert(fw, plat_pa + 2 * SWSEV_CERT_LEN, &cek);
		if (st != SEV_STATUS_SUCCESS)
			goto out;
		if (policy & SWSEV_POLICY_SEV) {
			st = check_amd_chain(fw, amd_pa, amd_len, &pek, &cek, &pdh, policy);
			if (st != SEV_STATUS_SUCCESS)
				goto out;
		}
		if (policy & SWSEV_POLICY_DOMAIN) {
			if (oca.pub_key_usage != SWSEV_USAGE_OCA)
				st = SEV_STATUS_INVALID_CERTIFICATE;
			if (st == SEV_STATUS_SUCCESS)
				st = swsev_cert_validate_fw(&oca, &oca);
			if (st == SEV_STATUS_SUCCESS)
				st = swsev_cert_validate_fw(&pek, &oca);
			if (st == SEV_STATUS_SUCCESS)
				st = swsev_cert_validate_fw(&pdh, &pek);
			if (st == SEV_STATUS_SUCCESS &&
			    memcmp(oca.raw, fw->oca_cert.raw, SWSEV_CERT_LEN) != 0)
				st = SEV_STATUS_POLICY_FAILURE;
			if (st != SEV_STATUS_SUCCESS)
				goto out;
		}
	} else {
		st = fw_read_cert(fw, pdh_pa, &pdh);
		if (st != SEV_STATUS_SUCCESS)
			goto out;
	}
	if (pdh.version != 1 || pdh.pub_key_usage != SWSEV_USAGE_PDH ||
	    pdh.pub_key_algo != SWSEV_ALGO_ECDH_SHA256 ||
	    swsev_cert_ec_key(&pdh, &peer) != SWSEV_OK) {
		st = SEV_STATUS_INVALID_CERTIFICATE;
		goto out;
	}
	st = fw_addr(fw, sess_pa, SWSEV_SESSION_LEN, &a);
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	/* crypto.md §4.3: fresh TEK, TIK, nonce, wrap IV; Z with our PDH */
	if (fw_random(fw, keys, sizeof(keys)) != SWSEV_OK ||
	    swsev_ecdh(fw->pdh, peer, z) != SWSEV_OK ||
	    swsev_session_build(z, sizeof(z), keys + 32, keys + 48, keys, keys + 16, policy, &s) !=
		    SWSEV_OK) {
		st = SEV_STATUS_HWERROR_PLATFORM;
		goto out;
	}
	swsev_session_encode(&s, blob);
	st = fw_host_write(fw, a, blob, sizeof(blob));
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	memcpy(g->tek, keys, 16);
	memcpy(g->tik, keys + 16, 16);
	g->have_channel = 1;
	g->state = SWSEV_GSTATE_SUPDATE;
	swsev_wle32(c->buf + 4, policy);
out:
	swsev_ec_free(peer);
	swsev_wipe(keys, sizeof(keys));
	swsev_wipe(z, sizeof(z));
	swsev_wipe(&s, sizeof(s));
	fw_guest_put(fw, g);
	return st;
}

/*
 * The SEND_UPDATE_* seal (crypto.md §7), the bytes of swsev_pkt_seal:
 * AES-128-CTR under the TEK from a fresh IV, then HMAC(TIK, CTX ||
 * LE32(flags) || IV || LE32(guest_len) || LE32(trans_len) || ciphertext),
 * both lengths being guest_len on Genoa. The channel keeps its keyed
 * contexts (fw_guest_wipe_channel frees them): an HMAC context keyed with
 * the TIK and CTR contexts keyed with the TEK, one per thread that encrypts
 * (keying them per packet cost about 10% of a 16 KiB packet).
 *
 * seal_begin draws the IV and MACs the header fields; the ciphertext is
 * then MACed in order (on one thread: send_seal; on the pipeline:
 * send_pipelined), and seal_end writes the MAC.
 */
static uint16_t seal_begin(swsev_fw *fw, struct fw_guest *g, uint8_t ctx, uint32_t len,
			   struct swsev_pkt_hdr *h)
{
	uint8_t pre[1 + 4 + 16 + 4 + 4];
	swsev_err r = SWSEV_OK;

	memset(h, 0, sizeof(*h));
	/* IVs from the pool: one 16-byte RAND_bytes costs 15% of a 16 KiB packet */
	if (fw_xport_iv(fw, h->iv) != SWSEV_OK)
		return SEV_STATUS_HWERROR_PLATFORM;
	pre[0] = ctx;
	swsev_wle32(pre + 1, 0); /* flags */
	memcpy(pre + 5, h->iv, 16);
	swsev_wle32(pre + 21, len);
	swsev_wle32(pre + 25, len);
	if (g->xport_ctr == NULL)
		r = swsev_ctr_new(g->tek, &g->xport_ctr);
	if (r == SWSEV_OK)
		r = g->xport_mac != NULL ? swsev_hmac_sha256_reset(g->xport_mac) :
					   swsev_hmac_sha256_new(g->tik, 16, &g->xport_mac);
	if (r == SWSEV_OK)
		r = swsev_hmac_sha256_update(g->xport_mac, pre, sizeof(pre));
	if (r != SWSEV_OK) {
		memset(h, 0, sizeof(*h));
		return SEV_STATUS_HWERROR_PLATFORM;
	}
	return SEV_STATUS_SUCCESS;
}

static uint16_t seal_end(struct fw_guest *g, struct swsev_pkt_hdr *h)
{
	if (swsev_hmac_sha256_final(g->xport_mac, h->mac) == SWSEV_OK)
		return SEV_STATUS_SUCCESS;
	swsev_hmac_sha256_free(g->xport_mac); /* in an unknown state */
	g->xport_mac = NULL;
	memset(h, 0, sizeof(*h));
	return SEV_STATUS_HWERROR_PLATFORM;
}

/* On the calling thread: buf holds the guest plaintext and leaves holding
 * the packet's ciphertext (encrypted in place), so nothing secret is left in
 * it on success; on failure it is wiped. */
static uint16_t send_seal(swsev_fw *fw, struct fw_guest *g, uint8_t ctx, uint8_t *buf, uint32_t len,
			  struct swsev_pkt_hdr *h)
{
	uint16_t st = seal_begin(fw, g, ctx, len, h);

	if (st == SEV_STATUS_SUCCESS &&
	    (swsev_ctr_crypt(g->xport_ctr, h->iv, buf, buf, len) != SWSEV_OK ||
	     swsev_hmac_sha256_update(g->xport_mac, buf, len) != SWSEV_OK))
		st = SEV_STATUS_HWERROR_PLATFORM;
	if (st == SEV_STATUS_SUCCESS)
		st = seal_end(g, h);
	if (st != SEV_STATUS_SUCCESS) {
		swsev_wipe(buf, len); /* may still hold plaintext */
		memset(h, 0, sizeof(*h));
	}
	return st;
}

/*
 * SEND_UPDATE_DATA on the pipeline (pipeline.c; docs/firmware.md
 * "Pipelining"): the MAC, the one step that cannot be split, stays on the
 * calling thread, and the worker does the rest of chunk k+1 while the
 * caller MACs chunk k: decrypt the guest range under the VEK into a ring
 * slot, encrypt it there with the TEK at the counter of its offset, and
 * copy it to the transport buffer. Chunk 0 is short, as the caller does it
 * itself unless the worker is quicker. Every byte of the packet is that of
 * send_seal. A slot holds plaintext only inside one produce call (wiped if
 * that call fails), so the ring needs no wipe afterwards. The transport
 * buffer is written chunk by chunk, so do_send_update keeps a buffer that
 * overlaps the guest range on one thread, and a failure can leave part of
 * a packet's ciphertext (never plaintext) in it without a header.
 */
#define SUD_FIRST 0x800u /* chunk 0: usually the caller's, short */
#define SUD_CHUNK 0x1000u
_Static_assert((SUD_CHUNK * FW_PIPE_MAX_AHEAD) <= FW_PIPE_RING, "SEND ring slots");

struct sud {
	swsev_fw *fw;
	struct fw_guest *g;
	struct fw_span sp;
	uint8_t *ring;
	uint64_t ta;
	pthread_t caller;
	const uint8_t *iv;
};

static uint8_t *sud_slot(const struct sud *s, uint32_t i)
{
	return s->ring + (size_t)(i % FW_PIPE_MAX_AHEAD) * SUD_CHUNK;
}

/* The counter block `blocks` 16-byte blocks after iv (128-bit big-endian). */
static void ctr_at(const uint8_t iv[16], uint64_t blocks, uint8_t out[16])
{
	unsigned carry = 0;

	for (int i = 15; i >= 0; i--) {
		unsigned v = iv[i] + (unsigned)(blocks & 0xff) + carry;
		out[i] = (uint8_t)v;
		carry = v >> 8;
		blocks >>= 8;
	}
}

static uint16_t sud_produce(void *arg, uint32_t i)
{
	const struct sud *s = arg;
	uint8_t *slot = sud_slot(s, i), ctr[16];
	int on_caller = pthread_equal(pthread_self(), s->caller);
	swsev_ctr *c;
	uint64_t lo;
	size_t n;
	uint16_t st;

	/* the worker's context is made on the worker, from its own malloc
	 * arena: next to the caller's, the two could share cache lines */
	if (!on_caller && s->g->xport_ctr_w == NULL &&
	    swsev_ctr_new(s->g->tek, &s->g->xport_ctr_w) != SWSEV_OK)
		return SEV_STATUS_HWERROR_PLATFORM;
	c = on_caller ? s->g->xport_ctr : s->g->xport_ctr_w;
	fw_span_get(&s->sp, i, &lo, &n);
	st = fw_enc_read(s->fw, s->g->asid, lo, slot, n);
	if (st == SEV_STATUS_SUCCESS) {
		ctr_at(s->iv, (lo - s->sp.a) / 16, ctr);
		if (swsev_ctr_crypt(c, ctr, slot, slot, n) != SWSEV_OK)
			st = SEV_STATUS_HWERROR_PLATFORM;
	}
	if (st == SEV_STATUS_SUCCESS)
		st = fw_host_write(s->fw, s->ta + (lo - s->sp.a), slot, n);
	if (st != SEV_STATUS_SUCCESS)
		swsev_wipe(slot, n); /* may hold plaintext */
	return st;
}

static uint16_t sud_consume(void *arg, uint32_t i)
{
	const struct sud *s = arg;
	const uint8_t *slot = sud_slot(s, i);
	uint64_t lo;
	size_t n;

	fw_span_get(&s->sp, i, &lo, &n);
	return swsev_hmac_sha256_update(s->g->xport_mac, slot, n) == SWSEV_OK ?
		       SEV_STATUS_SUCCESS :
		       SEV_STATUS_HWERROR_PLATFORM;
}

static uint16_t send_pipelined(swsev_fw *fw, struct fw_guest *g, uint64_t ga, uint32_t len,
			       uint64_t ta, uint8_t *ring, struct swsev_pkt_hdr *h,
			       uint32_t *worker_chunks)
{
	struct sud s = { .fw = fw, .g = g, .ring = ring, .ta = ta, .caller = pthread_self() };
	struct fw_pipe_job job = { .produce = sud_produce,
				   .consume = sud_consume,
				   .arg = &s,
				   .ahead = FW_PIPE_MAX_AHEAD,
				   .worker_chunks = worker_chunks };
	uint16_t st = seal_begin(fw, g, SWSEV_CTX_DATA, len, h);

	if (st == SEV_STATUS_SUCCESS) {
		s.iv = h->iv;
		fw_span_init(&s.sp, ga, len, SUD_FIRST, SUD_CHUNK);
		job.n = s.sp.n;
		st = fw_pipe_run(fw, &job);
	}
	if (st == SEV_STATUS_SUCCESS)
		st = seal_end(g, h);
	fw_pipe_release(fw, 0); /* the slots hold ciphertext or were wiped */
	if (st != SEV_STATUS_SUCCESS)
		memset(h, 0, sizeof(*h));
	return st;
}

static uint16_t do_send_update(swsev_fw *fw, struct fw_cmd *c, int vmsa)
{
	uint8_t buf[FW_SCRATCH], hdr[SWSEV_PKT_HDR_LEN], *ring;
	uint32_t vi = 0;
	int eligible, piped = 0;
	unsigned way = 0;
	uint32_t wchunks = 0;
	uint64_t t0 = 0;
	uint8_t ctx = vmsa ? SWSEV_CTX_VMSA_XPORT : SWSEV_CTX_DATA;
	struct swsev_pkt_hdr h;
	struct xport x;
	struct fw_guest *g;
	uint64_t ga, ta, ha;
	uint16_t st = SEV_STATUS_SUCCESS;

	fw_xport_decode(c->buf, &x);
	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	if (x.hdr_len < SWSEV_PKT_HDR_LEN) {
		swsev_wle32(c->buf + 0x10, SWSEV_PKT_HDR_LEN);
		return SEV_STATUS_INVALID_LENGTH;
	}
	g = fw_guest_get(fw, x.handle);
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (g->state != SWSEV_GSTATE_SUPDATE) {
		st = SEV_STATUS_INVALID_GUEST_STATE;
		goto out;
	}
	if (vmsa && !(g->policy & SWSEV_POLICY_ES)) {
		st = SEV_STATUS_UNSUPPORTED;
		goto out;
	}
	if (g->asid == 0) {
		st = SEV_STATUS_INACTIVE;
		goto out;
	}
	if (x.guest_len == 0 || x.guest_len % 16 != 0 || x.guest_len > FW_SCRATCH ||
	    x.trans_len == 0 || x.trans_len < x.guest_len) {
		st = SEV_STATUS_INVALID_LENGTH;
		goto out;
	}
	if (x.guest_pa % 16 != 0) {
		st = SEV_STATUS_INVALID_ADDRESS;
		goto out;
	}
	st = fw_addr(fw, x.guest_pa, x.guest_len, &ga);
	if (st == SEV_STATUS_SUCCESS)
		st = fw_addr(fw, x.trans_pa, x.guest_len, &ta);
	if (st == SEV_STATUS_SUCCESS)
		st = fw_addr(fw, x.hdr_pa, SWSEV_PKT_HDR_LEN, &ha);
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	/* Genoa: a VMSA leaves only if its integrity sum still holds */
	if (vmsa) {
		st = fw_vmsa_lookup(g, ga, x.guest_len, &vi);
		if (st != SEV_STATUS_SUCCESS)
			goto out;
	}
	/* pipelined, the transport buffer is written while the guest range is
	 * still being read: not when they overlap */
	eligible = !vmsa && x.guest_len >= FW_SEND_PIPE_MIN &&
		   (ta + x.guest_len <= ga || ga + x.guest_len <= ta);
	if (eligible) {
		way = fw_pipe_choose(fw, FW_PIPE_SEND);
		t0 = fw_now_ns();
	}
	if ((way & FW_WAY_PIPE) && fw_pipe_acquire(fw, &ring)) {
		piped = 1;
		st = send_pipelined(fw, g, ga, x.guest_len, ta, ring, &h, &wchunks);
	} else {
		st = fw_enc_read(fw, g->asid, ga, buf, x.guest_len);
		if (st == SEV_STATUS_SUCCESS && vmsa)
			st = fw_vmsa_verify(g, vi, buf);
		/* buf leaves send_seal holding ciphertext, or wiped */
		if (st == SEV_STATUS_SUCCESS)
			st = send_seal(fw, g, ctx, buf, x.guest_len, &h);
		else
			swsev_wipe(buf, x.guest_len);
		if (st == SEV_STATUS_SUCCESS)
			st = fw_host_write(fw, ta, buf, x.guest_len);
	}
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	if (eligible)
		fw_pipe_record(fw, FW_PIPE_SEND, way, piped, wchunks, fw_now_ns() - t0,
			       x.guest_len);
	swsev_pkt_hdr_encode(&h, hdr);
	st = fw_host_write(fw, ha, hdr, sizeof(hdr));
	if (st == SEV_STATUS_SUCCESS)
		swsev_wle32(c->buf + 0x10, SWSEV_PKT_HDR_LEN);
out:
	fw_guest_put(fw, g);
	return st;
}

/* SEND_FINISH, SEND_CANCEL, RECEIVE_FINISH: close the channel. */
static uint16_t finish(swsev_fw *fw, struct fw_cmd *c, uint8_t from, uint8_t to)
{
	struct fw_guest *g;
	uint16_t st = SEV_STATUS_SUCCESS;

	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (g->state != from) {
		st = SEV_STATUS_INVALID_GUEST_STATE;
		goto out;
	}
	fw_guest_wipe_channel(g);
	if (to == SWSEV_GSTATE_RUNNING) {
		pthread_mutex_lock(&fw->tlock);
		if (g->act == FW_ACT_PENDING)
			g->act = FW_ACT_ACTIVE;
		pthread_mutex_unlock(&fw->tlock);
	}
	g->state = to;
out:
	fw_guest_put(fw, g);
	return st;
}

static uint16_t do_receive_start(swsev_fw *fw, struct fw_cmd *c)
{
	uint32_t handle = swsev_le32(c->buf), policy = swsev_le32(c->buf + 4);
	uint64_t pdh_pa = swsev_le64(c->buf + 8), sess_pa = swsev_le64(c->buf + 0x18);
	uint32_t pdh_len = swsev_le32(c->buf + 0x10), sess_len = swsev_le32(c->buf + 0x20);
	uint8_t tek[16], tik[16], vek[FW_VEK_LEN];
	struct fw_guest *g;
	uint16_t st;

	if (!fw->initialized)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	if (sess_len != SWSEV_SESSION_LEN)
		return SEV_STATUS_INVALID_LENGTH;
	st = fw_open_session(fw, pdh_pa, pdh_len, sess_pa, policy, tek, tik);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	if (!fw_policy_ok(fw, policy)) {
		st = SEV_STATUS_POLICY_FAILURE;
		goto out;
	}
	st = fw_new_vek(fw, handle, policy, vek);
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	st = fw_guest_start(fw, policy, vek, tek, tik, SWSEV_GSTATE_RUPDATE, &g);
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	swsev_wle32(c->buf, g->handle);
	fw_guest_put(fw, g);
out:
	swsev_wipe(tek, sizeof(tek));
	swsev_wipe(tik, sizeof(tik));
	swsev_wipe(vek, sizeof(vek));
	return st;
}

static uint16_t do_receive_update(swsev_fw *fw, struct fw_cmd *c, int vmsa)
{
	uint8_t plain[FW_SCRATCH], cipher[FW_SCRATCH], hdr_raw[SWSEV_PKT_HDR_LEN], mac[32];
	struct swsev_pkt_hdr h;
	struct xport x;
	struct fw_guest *g;
	uint64_t ga;
	uint16_t st = SEV_STATUS_SUCCESS;
	uint8_t ctx = vmsa ? SWSEV_CTX_VMSA_XPORT : SWSEV_CTX_DATA;

	fw_xport_decode(c->buf, &x);
	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, x.handle);
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (g->state != SWSEV_GSTATE_RUPDATE) {
		st = SEV_STATUS_INVALID_GUEST_STATE;
		goto out;
	}
	if (vmsa && !(g->policy & SWSEV_POLICY_ES)) {
		st = SEV_STATUS_UNSUPPORTED;
		goto out;
	}
	if (g->asid == 0) {
		st = SEV_STATUS_INACTIVE;
		goto out;
	}
	if (x.trans_len == 0 || x.trans_len > FW_SCRATCH || x.guest_len != x.trans_len ||
	    x.guest_len % 16 != 0 || x.hdr_len < SWSEV_PKT_HDR_LEN) {
		st = SEV_STATUS_INVALID_LENGTH;
		goto out;
	}
	/* a VMSA is one page; its sum is recorded below */
	if (vmsa && x.guest_len != SWSEV_MEM_PAGE) {
		st = SEV_STATUS_INVALID_LENGTH;
		goto out;
	}
	if (x.guest_pa % 16 != 0) {
		st = SEV_STATUS_INVALID_ADDRESS;
		goto out;
	}
	st = fw_addr(fw, x.guest_pa, x.guest_len, &ga);
	if (st == SEV_STATUS_SUCCESS && vmsa && !fw_vmsa_room(g, ga))
		st = SEV_STATUS_RESOURCE_LIMIT;
	if (st == SEV_STATUS_SUCCESS)
		st = fw_host_read(fw, x.hdr_pa, hdr_raw, sizeof(hdr_raw));
	if (st == SEV_STATUS_SUCCESS)
		st = fw_host_read(fw, x.trans_pa, cipher, x.trans_len);
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	if (swsev_pkt_hdr_parse(hdr_raw, sizeof(hdr_raw), &h) != SWSEV_OK) {
		st = SEV_STATUS_INVALID_PARAM;
		goto out;
	}
	if (h.flags & SWSEV_PKT_FLAG_COMPRESSED) {
		st = SEV_STATUS_UNSUPPORTED;
		goto out;
	}
	if (swsev_pkt_mac(g->tik, ctx, &h, x.guest_len, x.trans_len, cipher, NULL, mac) !=
	    SWSEV_OK) {
		st = SEV_STATUS_HWERROR_PLATFORM;
		goto out;
	}
	if (!swsev_ct_equal(mac, h.mac, sizeof(mac))) {
		st = SEV_STATUS_BAD_MEASUREMENT;
		goto out;
	}
	if (swsev_aes128_ctr(g->tek, h.iv, cipher, plain, x.guest_len) != SWSEV_OK) {
		st = SEV_STATUS_HWERROR_PLATFORM;
		goto out;
	}
	st = fw_enc_write(fw, g->asid, ga, plain, x.guest_len);
	if (st == SEV_STATUS_SUCCESS && vmsa)
		st = fw_vmsa_record(g, ga, plain);
	swsev_wipe(plain, x.guest_len);
out:
	fw_guest_put(fw, g);
	return st;
}

uint16_t fw_cmd_migrate(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c)
{
	switch (cmd) {
	case SEV_CMD_SEND_START: return do_send_start(fw, c);
	case SEV_CMD_SEND_UPDATE_DATA: return do_send_update(fw, c, 0);
	case SEV_CMD_SEND_UPDATE_VMSA: return do_send_update(fw, c, 1);
	case SEV_CMD_SEND_FINISH: return finish(fw, c, SWSEV_GSTATE_SUPDATE, SWSEV_GSTATE_SENT);
	case SEV_CMD_SEND_CANCEL: return finish(fw, c, SWSEV_GSTATE_SUPDATE, SWSEV_GSTATE_RUNNING);
	case SEV_CMD_RECEIVE_START: return do_receive_start(fw, c);
	case SEV_CMD_RECEIVE_UPDATE_DATA: return do_receive_update(fw, c, 0);
	case SEV_CMD_RECEIVE_UPDATE_VMSA: return do_receive_update(fw, c, 1);
	case SEV_CMD_RECEIVE_FINISH:
		return finish(fw, c, SWSEV_GSTATE_RUPDATE, SWSEV_GSTATE_RUNNING);
	default: return SEV_STATUS_INVALID_COMMAND;
	}
}
