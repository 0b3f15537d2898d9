/* The /dev/sev user-pointer table (see sevabi.h). */
#include <stddef.h>

#include "client/sevabi.h"
#include "swsev/psp-sev.h"

#define PTR_IN(s, a, l)                                         \
	{                                                       \
		offsetof(struct s, a), offsetof(struct s, l), 1 \
	}
#define PTR_OUT(s, a, l)                                        \
	{                                                       \
		offsetof(struct s, a), offsetof(struct s, l), 0 \
	}

static const struct swsev_sevabi_cmd tab[] = {
	{ SEV_FACTORY_RESET, "FACTORY_RESET", 0, 0, { { 0, 0, 0 } } },
	{ SEV_PLATFORM_STATUS,
	  "PLATFORM_STATUS",
	  sizeof(struct sev_user_data_status),
	  0,
	  { { 0, 0, 0 } } },
	{ SEV_PEK_GEN, "PEK_GEN", 0, 0, { { 0, 0, 0 } } },
	{ SEV_PEK_CSR,
	  "PEK_CSR",
	  sizeof(struct sev_user_data_pek_csr),
	  1,
	  { PTR_OUT(sev_user_data_pek_csr, address, length) } },
	{ SEV_PDH_GEN, "PDH_GEN", 0, 0, { { 0, 0, 0 } } },
	{ SEV_PDH_CERT_EXPORT,
	  "PDH_CERT_EXPORT",
	  sizeof(struct sev_user_data_pdh_cert_export),
	  2,
	  { PTR_OUT(sev_user_data_pdh_cert_export, pdh_cert_address, pdh_cert_len),
	    PTR_OUT(sev_user_data_pdh_cert_export, cert_chain_address, cert_chain_len) } },
	{ SEV_PEK_CERT_IMPORT,
	  "PEK_CERT_IMPORT",
	  sizeof(struct sev_user_data_pek_cert_import),
	  2,
	  { PTR_IN(sev_user_data_pek_cert_import, pek_cert_address, pek_cert_len),
	    PTR_IN(sev_user_data_pek_cert_import, oca_cert_address, oca_cert_len) } },
	{ SEV_GET_ID, "GET_ID", sizeof(struct sev_user_data_get_id), 0, { { 0, 0, 0 } } },
	{ SEV_GET_ID2,
	  "GET_ID2",
	  sizeof(struct sev_user_data_get_id2),
	  1,
	  { PTR_OUT(sev_user_data_get_id2, address, length) } },
};

const struct swsev_sevabi_cmd *swsev_sevabi_find(uint32_t cmd)
{
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].cmd == cmd)
			return &tab[i];
	return NULL;
}
