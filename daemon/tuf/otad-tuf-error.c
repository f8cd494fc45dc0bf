/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include "ota-error.h"
#include "otad-tuf-error.h"

G_DEFINE_QUARK (otad - tuf - error - quark, otad_tuf_error)

static const gchar *otad_tuf_error_names[] = {
    [OTAD_TUF_ERROR_FAILED] = "failed",
    [OTAD_TUF_ERROR_BAD_SIGNATURE] = "bad-signature",
    [OTAD_TUF_ERROR_THRESHOLD] = "threshold",
    [OTAD_TUF_ERROR_EXPIRED] = "freeze",
    [OTAD_TUF_ERROR_ROLLBACK] = "rollback",
    [OTAD_TUF_ERROR_MIX_AND_MATCH] = "mix-and-match",
    [OTAD_TUF_ERROR_LENGTH_MISMATCH] = "length-mismatch",
    [OTAD_TUF_ERROR_HASH_MISMATCH] = "hash-mismatch",
    [OTAD_TUF_ERROR_TOO_LARGE] = "too-large",
    [OTAD_TUF_ERROR_MALFORMED] = "malformed",
    [OTAD_TUF_ERROR_WRONG_TYPE] = "wrong-type",
    [OTAD_TUF_ERROR_UNKNOWN_ROLE] = "unknown-role",
    [OTAD_TUF_ERROR_BAD_VERSION] = "bad-version",
    [OTAD_TUF_ERROR_UNKNOWN_TARGET] = "unknown-target",
    [OTAD_TUF_ERROR_ECU_MISMATCH] = "ecu-mismatch",
    [OTAD_TUF_ERROR_HARDWARE_MISMATCH] = "hardware-mismatch",
    [OTAD_TUF_ERROR_NOT_FOUND] = "not-found",
    [OTAD_TUF_ERROR_NO_TRUSTED_ROOT] = "no-trusted-root",
    [OTAD_TUF_ERROR_UNSUPPORTED] = "unsupported",
    [OTAD_TUF_ERROR_SLOW_RETRIEVAL] = "slow-retrieval",
};
G_STATIC_ASSERT (G_N_ELEMENTS (otad_tuf_error_names) == OTAD_TUF_ERROR_LAST);

/* a stable short name of the attack class, used in logs and by tuf-client */
const gchar *
otad_tuf_error_to_string (OtadTufError code)
{
	if ((guint)code >= OTAD_TUF_ERROR_LAST)
		return "unknown";
	return otad_tuf_error_names[code];
}

/* the OtaError that crosses D-Bus for a verifier error */
gint
otad_tuf_error_to_ota_error (OtadTufError code)
{
	switch (code) {
	case OTAD_TUF_ERROR_FAILED:
		return OTA_ERROR_INTERNAL;
	case OTAD_TUF_ERROR_NOT_FOUND:
		return OTA_ERROR_SERVER;
	case OTAD_TUF_ERROR_SLOW_RETRIEVAL:
		/* a bad link looks the same: the network, named as the attack class */
		return OTA_ERROR_NETWORK;
	case OTAD_TUF_ERROR_NO_TRUSTED_ROOT:
		return OTA_ERROR_INVALID_CONFIG;
	default:
		return OTA_ERROR_VERIFICATION;
	}
}

gboolean
otad_tuf_error_convert (GError **perror)
{
	GError *error;
	g_autofree gchar *message = NULL;

	if (perror == NULL || *perror == NULL || (*perror)->domain != OTAD_TUF_ERROR)
		return FALSE;
	error = *perror;
	message =
	    g_strdup_printf ("%s: %s", otad_tuf_error_to_string (error->code), error->message);
	error->domain = OTA_ERROR;
	error->code = otad_tuf_error_to_ota_error (error->code);
	g_free (error->message);
	error->message = g_steal_pointer (&message);
	return TRUE;
}
