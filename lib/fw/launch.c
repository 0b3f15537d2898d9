/*
 * Launch commands: LAUNCH_START, LAUNCH_UPDATE_DATA, LAUNCH_UPDATE_VMSA,
 * LAUNCH_MEASURE, LAUNCH_SECRET, LAUNCH_FINISH (commands.md §10,
 * crypto.md §4-§7).
 */
#include <string.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

int fw_policy_ok(const swsev_fw *fw, uint32_t policy)
{
	uint32_t want = SWSEV_POLICY_API_MAJOR(policy) << 8 | SWSEV_POLICY_API_MINOR(policy);
	uint32_t have = (uint32_t)fw->prof->api_major << 8 | fw->prof->api_minor;

	return (policy & SWSEV_POLICY_RSVD_MASK) == 0 && have >= want;
}

/*
 * crypto.md §4.2: the cert is only sanity-checked (version 1, valid P-384
 * key, usage PDH, algo ECDH_SHA256); Z = ECDH(our PDH, its key); the MACs
 * are checked in constant time by swsev_session_open.
 */
uint16_t fw_open_session(swsev_fw *fw, uint64_t cert_pa, uint32_t cert_len, uint64_t sess_pa,
			 uint32_t policy, uint8_t tek[16], uint8_t tik[16])
{
	uint8_t raw[SWSEV_SESSION_LEN], z[48];
	struct swsev_session s;
	struct swsev_cert cert;
	swsev_ec_key *peer = NULL;
	uint16_t st;
	swsev_err r;

	if (cert_len != SWSEV_CERT_LEN)
		return SEV_STATUS_INVALID_LENGTH;
	st = fw_host_read(fw, sess_pa, raw, sizeof(raw));
	if (st == SEV_STATUS_SUCCESS)
		st = fw_read_cert(fw, cert_pa, &cert);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	if (swsev_session_parse(raw, sizeof(raw), &s) != SWSEV_OK)
		return SEV_STATUS_INVALID_LENGTH;
	if (cert.version != 1 || cert.pub_key_usage != SWSEV_USAGE_PDH ||
	    cert.pub_key_algo != SWSEV_ALGO_ECDH_SHA256)
		return SEV_STATUS_INVALID_CERTIFICATE;
	if (swsev_cert_ec_key(&cert, &peer) != SWSEV_OK)
		return SEV_STATUS_INVALID_CERTIFICATE;
	r = swsev_ecdh(fw->pdh, peer, z);
	swsev_ec_free(peer);
	if (r != SWSEV_OK) {
		st = SEV_STATUS_INVALID_CERTIFICATE;
		goto out;
	}
	r = swsev_session_open(z, sizeof(z), &s, policy, tek, tik);
	if (r == SWSEV_E_BADMAC)
		st = SEV_STATUS_BAD_MEASUREMENT;
	else if (r != SWSEV_OK)
		st = SEV_STATUS_HWERROR_PLATFORM;
out:
	if (st != SEV_STATUS_SUCCESS) {
		swsev_wipe(tek, 16);
		swsev_wipe(tik, 16);
	}
	swsev_wipe(z, sizeof(z));
	swsev_wipe(&s, sizeof(s));
	return st;
}

uint16_t fw_new_vek(swsev_fw *fw, uint32_t share_handle, uint32_t policy, uint8_t vek[FW_VEK_LEN])
{
	struct fw_guest *o;
	uint16_t st = SEV_STATUS_SUCCESS;

	if (share_handle == 0)
		return fw_vek_gen(fw, vek) == SWSEV_OK ? SEV_STATUS_SUCCESS :
							 SEV_STATUS_HWERROR_PLATFORM;
	o = fw_guest_get(fw, share_handle);
	if (o == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (o->policy != policy || (o->policy & SWSEV_POLICY_NOKS) != 0)
		st = SEV_STATUS_POLICY_FAILURE;
	else
		memcpy(vek, o->vek, FW_VEK_LEN);
	fw_guest_put(fw, o);
	return st;
}

/*
 * The guest context LAUNCH_START and RECEIVE_START make: a new handle
 * (RESOURCE_LIMIT when none is free), refused with UNSUPPORTED for an ES
 * policy on a platform not initialized for SEV-ES, holding the policy, the
 * VEK and the transport keys, in `state`. Returns it referenced in *out.
 */
uint16_t fw_guest_start(swsev_fw *fw, uint32_t policy, const uint8_t vek[FW_VEK_LEN],
			const uint8_t tek[16], const uint8_t tik[16], uint32_t state,
			struct fw_guest **out)
{
	struct fw_guest *g = fw_guest_create(fw);

	*out = NULL;
	if (g == NULL)
		return SEV_STATUS_RESOURCE_LIMIT;
	if ((policy & SWSEV_POLICY_ES) && !fw->es) {
		fw_guest_destroy(fw, g);
		fw_guest_put(fw, g);
		return SEV_STATUS_UNSUPPORTED;
	}
	g->policy = policy;
	memcpy(g->vek, vek, FW_VEK_LEN);
	memcpy(g->tek, tek, 16);
	memcpy(g->tik, tik, 16);
	g->have_channel = 1;
	g->state = state;
	*out = g;
	return SEV_STATUS_SUCCESS;
}

static uint16_t do_launch_start(swsev_fw *fw, struct fw_cmd *c)
{
	uint32_t handle = swsev_le32(c->buf), policy = swsev_le32(c->buf + 4);
	uint64_t cert_pa = swsev_le64(c->buf + 8), sess_pa = swsev_le64(c->buf + 0x18);
	uint32_t cert_len = swsev_le32(c->buf + 0x10), sess_len = swsev_le32(c->buf + 0x20);
	uint8_t tek[16] = { 0 }, tik[16] = { 0 }, vek[FW_VEK_LEN];
	swsev_sha256_ctx *ld = NULL;
	struct fw_guest *g = NULL;
	uint16_t st;

	if (!fw->initialized)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	if (cert_pa != 0) {
		if (sess_len != SWSEV_SESSION_LEN)
			return SEV_STATUS_INVALID_LENGTH;
		st = fw_open_session(fw, cert_pa, cert_len, sess_pa, policy, tek, tik);
		if (st != SEV_STATUS_SUCCESS)
			return st;
		if (!fw_policy_ok(fw, policy)) {
			st = SEV_STATUS_POLICY_FAILURE;
			goto out;
		}
	}
	/* without a session TEK = TIK = 0 and the policy is taken unchecked */
	st = fw_new_vek(fw, handle, policy, vek);
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	if (swsev_sha256_new(&ld) != SWSEV_OK) {
		st = SEV_STATUS_HWERROR_PLATFORM;
		goto out;
	}
	st = fw_guest_start(fw, policy, vek, tek, tik, SWSEV_GSTATE_LUPDATE, &g);
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	g->ld_ctx = ld;
	ld = NULL;
	swsev_wle32(c->buf, g->handle);
	fw_guest_put(fw, g);
out:
	swsev_sha256_free(ld);
	swsev_wipe(tek, sizeof(tek));
	swsev_wipe(tik, sizeof(tik));
	swsev_wipe(vek, sizeof(vek));
	return st;
}

/*
 * LAUNCH_UPDATE_DATA on the pipeline (fw_int.h, pipeline.c): chunk 0 runs
 * to the end of the first page, the others to multiples of ch (fw_span),
 * so no two chunks share a page. produce (either thread):
 * copy the plaintext into ring slot i % ahead, then encrypt it in place;
 * consume (the caller, in order): add the slot to the launch digest. The
 * digest and the memory end up exactly as with the sequential loop.
 */
#define LUD_PIPE_MIN (256u * 1024u) /* below this the handoff did not pay (measured) */
#define LUD_CHUNK_BIG (64u * 1024u) /* images of 8 such chunks and more */
#define LUD_CHUNK_SMALL (16u * 1024u)

struct lud {
	swsev_fw *fw;
	swsev_sha256_ctx *ld;
	unsigned asid;
	struct fw_span sp;
	uint32_t ahead;
	uint8_t *ring;
};

static void lud_span(const struct lud *l, uint32_t i, uint64_t *lo, size_t *n)
{
	fw_span_get(&l->sp, i, lo, n);
}

static uint8_t *lud_slot(const struct lud *l, uint32_t i)
{
	return l->ring + (size_t)(i % l->ahead) * l->sp.ch;
}

static uint16_t lud_produce(void *arg, uint32_t i)
{
	const struct lud *l = arg;
	uint8_t *buf = lud_slot(l, i);
	uint64_t lo;
	size_t n;
	uint16_t st;

	lud_span(l, i, &lo, &n);
	st = fw_host_read(l->fw, lo, buf, n);
	if (st == SEV_STATUS_SUCCESS)
		st = fw_enc_write(l->fw, l->asid, lo, buf, n);
	return st;
}

static uint16_t lud_consume(void *arg, uint32_t i)
{
	const struct lud *l = arg;
	uint64_t lo;
	size_t n;

	lud_span(l, i, &lo, &n);
	return swsev_sha256_update(l->ld, lud_slot(l, i), n) == SWSEV_OK ?
		       SEV_STATUS_SUCCESS :
		       SEV_STATUS_HWERROR_PLATFORM;
}

static uint16_t lud_pipelined(swsev_fw *fw, struct fw_guest *g, uint64_t a, uint32_t len,
			      uint8_t *ring)
{
	struct lud l = { .fw = fw, .ld = g->ld_ctx, .asid = g->asid, .ring = ring };
	struct fw_pipe_job job = { .produce = lud_produce, .consume = lud_consume, .arg = &l };
	uint32_t ch = len >= 8 * LUD_CHUNK_BIG ? LUD_CHUNK_BIG : LUD_CHUNK_SMALL;
	uint16_t st;

	fw_span_init(&l.sp, a, len, SWSEV_MEM_PAGE, ch);
	l.ahead = FW_PIPE_RING / ch < FW_PIPE_MAX_AHEAD ? FW_PIPE_RING / ch : FW_PIPE_MAX_AHEAD;
	job.n = l.sp.n;
	job.ahead = l.ahead;
	job.wait_ns = ch / 4; /* a chunk takes about 1 ns per 6 bytes to copy and encrypt */
	st = fw_pipe_run(fw, &job);
	/* the worker clears the ring slots that held plaintext */
	fw_pipe_release(fw, (size_t)(job.n < l.ahead ? job.n : l.ahead) * ch);
	return st;
}

/* Common front of LAUNCH_UPDATE_DATA/VMSA: platform, handle, state. */
static uint16_t launch_update(swsev_fw *fw, struct fw_cmd *c, int vmsa)
{
	uint64_t pa = swsev_le64(c->buf + 8), a;
	uint32_t len = swsev_le32(c->buf + 0x10);
	uint8_t buf[FW_CHUNK], *ring;
	struct fw_guest *g;
	uint16_t st = SEV_STATUS_SUCCESS;

	/* Genoa checks the VMSA length before everything else. */
	if (vmsa && len != SWSEV_MEM_PAGE)
		return SEV_STATUS_INVALID_LENGTH;
	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (g->state != SWSEV_GSTATE_LUPDATE) {
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
	if (pa % 16 != 0) {
		st = SEV_STATUS_INVALID_ADDRESS;
		goto out;
	}
	if (len == 0 || len % 16 != 0) {
		st = SEV_STATUS_INVALID_LENGTH;
		goto out;
	}
	st = fw_addr(fw, pa, len, &a);
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	if (vmsa && !fw_vmsa_room(g, a)) {
		st = SEV_STATUS_RESOURCE_LIMIT;
		goto out;
	}
	if (len >= LUD_PIPE_MIN && fw_pipe_acquire(fw, &ring)) {
		st = lud_pipelined(fw, g, a, len, ring); /* never a VMSA: one page */
		goto out;
	}
	/* read plaintext, digest it, write it back encrypted in place */
	for (uint32_t off = 0; off < len && st == SEV_STATUS_SUCCESS;) {
		uint32_t n = len - off < FW_CHUNK ? len - off : FW_CHUNK;
		st = fw_host_read(fw, a + off, buf, n);
		if (st == SEV_STATUS_SUCCESS && swsev_sha256_update(g->ld_ctx, buf, n) != SWSEV_OK)
			st = SEV_STATUS_HWERROR_PLATFORM;
		if (st == SEV_STATUS_SUCCESS)
			st = fw_enc_write(fw, g->asid, a + off, buf, n);
		off += n;
	}
	/* a VMSA is one page, one step: buf still holds its plaintext */
	if (st == SEV_STATUS_SUCCESS && vmsa)
		st = fw_vmsa_record(g, a, buf);
	swsev_wipe(buf, sizeof(buf));
out:
	fw_guest_put(fw, g);
	return st;
}

static uint16_t do_launch_measure(swsev_fw *fw, struct fw_cmd *c)
{
	uint64_t pa = swsev_le64(c->buf + 8), a;
	uint32_t len = swsev_le32(c->buf + 0x10);
	const struct swsev_profile *p = fw->prof;
	uint8_t out[SWSEV_MEASURE_BLOB_LEN];
	struct fw_guest *g;
	uint16_t st = SEV_STATUS_SUCCESS;

	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (g->state != SWSEV_GSTATE_LUPDATE) {
		st = SEV_STATUS_INVALID_GUEST_STATE;
		goto out;
	}
	if (len < SWSEV_MEASURE_BLOB_LEN) {
		swsev_wle32(c->buf + 0x10, SWSEV_MEASURE_BLOB_LEN);
		st = SEV_STATUS_INVALID_LENGTH;
		goto out;
	}
	st = fw_addr(fw, pa, SWSEV_MEASURE_BLOB_LEN, &a);
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	/* MEASURE = HMAC(TIK, 0x04 || api || build || policy || LD || MNONCE) */
	if (fw_random(fw, out + SWSEV_MEASURE_LEN, SWSEV_MNONCE_LEN) != SWSEV_OK ||
	    swsev_sha256_final(g->ld_ctx, g->ld) != SWSEV_OK ||
	    swsev_measure(g->tik, p->api_major, p->api_minor, p->build, g->policy, g->ld,
			  out + SWSEV_MEASURE_LEN, out) != SWSEV_OK) {
		st = SEV_STATUS_HWERROR_PLATFORM;
		goto out;
	}
	swsev_sha256_free(g->ld_ctx);
	g->ld_ctx = NULL;
	memcpy(g->measure, out, SWSEV_MEASURE_LEN);
	g->state = SWSEV_GSTATE_LSECRET;
	st = fw_host_write(fw, a, out, sizeof(out));
out:
	fw_guest_put(fw, g);
	return st;
}

static uint16_t do_launch_secret(swsev_fw *fw, struct fw_cmd *c)
{
	uint8_t hdr_raw[SWSEV_PKT_HDR_LEN], cipher[FW_SCRATCH], plain[FW_SCRATCH], mac[32];
	struct swsev_pkt_hdr h;
	struct xport x;
	struct fw_guest *g;
	uint64_t a;
	uint16_t st = SEV_STATUS_SUCCESS;

	fw_xport_decode(c->buf, &x);
	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, x.handle);
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (x.guest_pa % 16 != 0) {
		st = SEV_STATUS_INVALID_ADDRESS;
		goto out;
	}
	if (x.hdr_len != SWSEV_PKT_HDR_LEN || x.guest_len == 0 || x.guest_len % 16 != 0 ||
	    x.guest_len > FW_SCRATCH || x.guest_len != x.trans_len) {
		st = SEV_STATUS_INVALID_LENGTH;
		goto out;
	}
	if (g->state != SWSEV_GSTATE_LSECRET) {
		st = SEV_STATUS_INVALID_GUEST_STATE;
		goto out;
	}
	if (g->asid == 0) {
		st = SEV_STATUS_INACTIVE;
		goto out;
	}
	st = fw_addr(fw, x.guest_pa, x.guest_len, &a);
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
	if (swsev_pkt_mac(g->tik, SWSEV_CTX_SECRET, &h, x.guest_len, x.trans_len, cipher,
			  g->measure, mac) != SWSEV_OK) {
		st = SEV_STATUS_HWERROR_PLATFORM;
		goto out;
	}
	if (!swsev_ct_equal(mac, h.mac, sizeof(mac))) {
		st = SEV_STATUS_BAD_MEASUREMENT;
		goto out;
	}
	if (h.flags & SWSEV_PKT_FLAG_COMPRESSED) {
		st = SEV_STATUS_UNSUPPORTED;
		goto out;
	}
	if (swsev_aes128_ctr(g->tek, h.iv, cipher, plain, x.guest_len) != SWSEV_OK) {
		st = SEV_STATUS_HWERROR_PLATFORM;
		goto out;
	}
	st = fw_enc_write(fw, g->asid, a, plain, x.guest_len);
out:
	swsev_wipe(plain, sizeof(plain));
	fw_guest_put(fw, g);
	return st;
}

static uint16_t do_launch_finish(swsev_fw *fw, struct fw_cmd *c)
{
	struct fw_guest *g;
	uint16_t st = SEV_STATUS_SUCCESS;

	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (g->state != SWSEV_GSTATE_LSECRET) {
		st = SEV_STATUS_INVALID_GUEST_STATE;
		goto out;
	}
	fw_guest_wipe_channel(g);
	pthread_mutex_lock(&fw->tlock);
	if (g->act == FW_ACT_PENDING)
		g->act = FW_ACT_ACTIVE;
	pthread_mutex_unlock(&fw->tlock);
	g->state = SWSEV_GSTATE_RUNNING;
out:
	fw_guest_put(fw, g);
	return st;
}

uint16_t fw_cmd_launch(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c)
{
	switch (cmd) {
	case SEV_CMD_LAUNCH_START: return do_launch_start(fw, c);
	case SEV_CMD_LAUNCH_UPDATE_DATA: return launch_update(fw, c, 0);
	case SEV_CMD_LAUNCH_UPDATE_VMSA: return launch_update(fw, c, 1);
	case SEV_CMD_LAUNCH_MEASURE: return do_launch_measure(fw, c);
	case SEV_CMD_LAUNCH_SECRET: return do_launch_secret(fw, c);
	case SEV_CMD_LAUNCH_FINISH: return do_launch_finish(fw, c);
	default: return SEV_STATUS_INVALID_COMMAND;
	}
}
