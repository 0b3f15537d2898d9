/*
 * Generation profiles and the command table (names, buffer sizes).
 * The profile choices are explained in docs/firmware.md "Profiles".
 */
#include <string.h>

#include "fw/fw_int.h"

static const struct swsev_profile profiles[] = {
	/* name     api   build ASIDs ES  root  memc            C-bit */
	{ "naples", 0, 17, 48, 15, 0, 2048, SWSEV_MEMC_XE, 47 },
	{ "rome", 0, 22, 13, 509, 100, 4096, SWSEV_MEMC_XTS, 47 },
	{ "milan", 0, 22, 15, 509, 100, 4096, SWSEV_MEMC_XTS, 51 },
	{ "genoa", 0, 22, 21, 1006, 200, 4096, SWSEV_MEMC_XTS, 51 },
};

const struct swsev_profile *swsev_profile_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

const struct swsev_profile *swsev_profile_default(void)
{
	return &profiles[3];
}

struct cmd_desc {
	uint32_t id;
	const char *name;
	size_t len;
};

/* Buffer sizes from commands.md §8-§12 (packed little-endian layouts). */
static const struct cmd_desc cmds[] = {
	{ SEV_CMD_INIT, "INIT", 0x14 },
	{ SEV_CMD_SHUTDOWN, "SHUTDOWN", 0 },
	{ SEV_CMD_PLATFORM_RESET, "PLATFORM_RESET", 0 },
	{ SEV_CMD_PLATFORM_STATUS, "PLATFORM_STATUS", 12 },
	{ SEV_CMD_PEK_GEN, "PEK_GEN", 0 },
	{ SEV_CMD_PEK_CSR, "PEK_CSR", 12 },
	{ SEV_CMD_PEK_CERT_IMPORT, "PEK_CERT_IMPORT", 0x1C },
	{ SEV_CMD_PDH_CERT_EXPORT, "PDH_CERT_EXPORT", 0x1C },
	{ SEV_CMD_PDH_GEN, "PDH_GEN", 0 },
	{ SEV_CMD_DF_FLUSH, "DF_FLUSH", 0 },
	{ SEV_CMD_DOWNLOAD_FIRMWARE, "DOWNLOAD_FIRMWARE", 12 },
	{ SEV_CMD_GET_ID, "GET_ID", 12 },
	{ SEV_CMD_DECOMMISSION, "DECOMMISSION", 4 },
	{ SEV_CMD_ACTIVATE, "ACTIVATE", 8 },
	{ SEV_CMD_DEACTIVATE, "DEACTIVATE", 4 },
	{ SEV_CMD_GUEST_STATUS, "GUEST_STATUS", 13 },
	{ SEV_CMD_COPY, "COPY", 0x18 },
	{ SEV_CMD_ACTIVATE_EX, "ACTIVATE_EX", 0x18 },
	{ SEV_CMD_LAUNCH_START, "LAUNCH_START", 0x24 },
	{ SEV_CMD_LAUNCH_UPDATE_DATA, "LAUNCH_UPDATE_DATA", 0x14 },
	{ SEV_CMD_LAUNCH_UPDATE_VMSA, "LAUNCH_UPDATE_VMSA", 0x14 },
	{ SEV_CMD_LAUNCH_MEASURE, "LAUNCH_MEASURE", 0x14 },
	{ SEV_CMD_LAUNCH_SECRET, "LAUNCH_SECRET", 0x34 },
	{ SEV_CMD_LAUNCH_FINISH, "LAUNCH_FINISH", 4 },
	{ SEV_CMD_SEND_START, "SEND_START", 0x44 },
	{ SEV_CMD_SEND_UPDATE_DATA, "SEND_UPDATE_DATA", 0x34 },
	{ SEV_CMD_SEND_UPDATE_VMSA, "SEND_UPDATE_VMSA", 0x34 },
	{ SEV_CMD_SEND_FINISH, "SEND_FINISH", 4 },
	{ SEV_CMD_SEND_CANCEL, "SEND_CANCEL", 4 },
	{ SEV_CMD_RECEIVE_START, "RECEIVE_START", 0x24 },
	{ SEV_CMD_RECEIVE_UPDATE_DATA, "RECEIVE_UPDATE_DATA", 0x34 },
	{ SEV_CMD_RECEIVE_UPDATE_VMSA, "RECEIVE_UPDATE_VMSA", 0x34 },
	{ SEV_CMD_RECEIVE_FINISH, "RECEIVE_FINISH", 4 },
	{ SEV_CMD_DBG_DECRYPT, "DBG_DECRYPT", 0x1C },
	{ SEV_CMD_DBG_ENCRYPT, "DBG_ENCRYPT", 0x1C },
};

static const struct cmd_desc *cmd_find(uint32_t id)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].id == id)
			return &cmds[i];
	return NULL;
}

const char *swsev_cmd_name(uint32_t cmd)
{
	const struct cmd_desc *d = cmd_find(cmd);
	return d ? d->name : "UNKNOWN";
}

size_t swsev_cmd_buf_len(uint32_t cmd)
{
	const struct cmd_desc *d = cmd_find(cmd);
	return d ? d->len : 0;
}

int fw_cmd_known(uint32_t cmd)
{
	return cmd_find(cmd) != NULL;
}
