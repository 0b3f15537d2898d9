/* Message tables for swsev_err and the SEV firmware status codes. */
#include <stdio.h>

#include "swsev/error.h"
#include "swsev/status.h"

const char *swsev_strerror(swsev_err e)
{
	switch (e) {
	case SWSEV_OK: return "success";
	case SWSEV_E_INTERNAL: return "internal error";
	case SWSEV_E_NOMEM: return "out of memory";
	case SWSEV_E_TRUNCATED: return "input is truncated";
	case SWSEV_E_TRAILING: return "input has trailing bytes";
	case SWSEV_E_LENGTH: return "invalid length";
	case SWSEV_E_FORMAT: return "malformed field";
	case SWSEV_E_VERSION: return "unsupported version";
	case SWSEV_E_USAGE: return "wrong key usage";
	case SWSEV_E_ALGO: return "wrong or unsupported algorithm";
	case SWSEV_E_BADKEY: return "invalid public key";
	case SWSEV_E_BADSIG: return "signature does not verify";
	case SWSEV_E_NOSIG: return "no signature by the expected signer";
	case SWSEV_E_BADMAC: return "MAC or measurement mismatch";
	case SWSEV_E_CRYPTO: return "cryptographic library failure";
	case SWSEV_E_IO: return "I/O error";
	case SWSEV_E_NOTFOUND: return "not found";
	case SWSEV_E_INVALID: return "invalid argument";
	case SWSEV_E_RANGE: return "number out of range";
	case SWSEV_E_STATE: return "invalid state for this operation";
	case SWSEV_E_INTEGRITY: return "integrity check failed";
	case SWSEV_E_UNSIGNED: return "certificate is not signed";
	case SWSEV_E_UNTRUSTED: return "chain does not end at a trusted root";
	case SWSEV_E_FIRMWARE: return "firmware command failed";
	case SWSEV_E_PROTOCOL: return "protocol error";
	case SWSEV_E_PERM: return "permission denied";
	case SWSEV_E_BUSY: return "resource is busy";
	case SWSEV_E_BASE64: return "malformed base64";
	case SWSEV_E_UNSUPPORTED: return "not supported";
	}
	return "unknown error";
}

static const struct {
	const char *name;
	const char *hint;
} status_tab[] = {
	[0x00] = { "SUCCESS", "the command succeeded" },
	[0x01] = { "INVALID_PLATFORM_STATE",
		   "the platform is not in a state that allows this command (INIT it, or shut it down first)" },
	[0x02] = { "INVALID_GUEST_STATE",
		   "the guest is not in a state that allows this command; check its state with GUEST_STATUS" },
	[0x03] = { "INVALID_CONFIG",
		   "the platform configuration is invalid (check the INIT options)" },
	[0x04] = { "INVALID_LENGTH",
		   "a length is wrong or a buffer too small; the needed size was written back" },
	[0x05] = { "ALREADY_OWNED",
		   "the platform is already owned by an external OCA; reset it first" },
	[0x06] = { "INVALID_CERTIFICATE",
		   "a certificate is malformed, has the wrong usage or algorithm, or the wrong signer" },
	[0x07] = { "POLICY_FAILURE",
		   "the guest policy forbids this, or the policy is invalid for this firmware" },
	[0x08] = { "INACTIVE", "the guest has no ASID; ACTIVATE it first" },
	[0x09] = { "INVALID_ADDRESS", "an address is misaligned or outside usable memory" },
	[0x0a] = { "BAD_SIGNATURE", "a signature does not verify" },
	[0x0b] = { "BAD_MEASUREMENT",
		   "a MAC did not verify: the session, policy, packet or measurement does not match (wrong TIK, altered data, or a packet built for another launch)" },
	[0x0c] = { "ASID_OWNED", "the ASID belongs to another guest; pick a free ASID" },
	[0x0d] = { "INVALID_ASID",
		   "the ASID is 0, out of range, or in the wrong SEV/SEV-ES range" },
	[0x0e] = { "WBINVD_REQUIRED", "caches must be written back (WBINVD) before DF_FLUSH" },
	[0x0f] = { "DFFLUSH_REQUIRED",
		   "the ASID was used and must be flushed with DF_FLUSH before reuse" },
	[0x10] = { "INVALID_GUEST", "the handle names no guest" },
	[0x11] = { "INVALID_COMMAND", "the command is unknown or not supported by this firmware" },
	[0x12] = { "ACTIVE", "the guest is active; DEACTIVATE it first" },
	[0x13] = { "HWERROR_PLATFORM",
		   "hardware error: retry the command, and reboot the host if it persists (swsevd: restart it; its log names any --inject-fault)" },
	[0x14] = { "HWERROR_UNSAFE",
		   "hardware error; the platform is in an unsafe state and refuses every command until the host reboots (swsevd: restart the daemon)" },
	[0x15] = { "UNSUPPORTED",
		   "the feature is not supported (for example SEV-ES not enabled at INIT, or compression)" },
	[0x16] = { "INVALID_PARAM", "a parameter is invalid" },
	[0x17] = { "RESOURCE_LIMIT", "out of a firmware resource (guest slots, ASIDs)" },
	[0x18] = { "SECURE_DATA_INVALID",
		   "the persistent state failed its integrity check; restore it or reset the platform" },
};

const char *swsev_status_name(uint32_t status)
{
	if (status < sizeof(status_tab) / sizeof(status_tab[0]) && status_tab[status].name)
		return status_tab[status].name;
	return "UNKNOWN";
}

const char *swsev_status_hint(uint32_t status)
{
	if (status < sizeof(status_tab) / sizeof(status_tab[0]) && status_tab[status].hint)
		return status_tab[status].hint;
	return "unknown firmware status";
}

char *swsev_status_str(uint32_t status, char *buf, unsigned long buflen)
{
	snprintf(buf, buflen, "%s (0x%02x)", swsev_status_name(status), (unsigned)status);
	return buf;
}
