/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OTAD_TUF_ERROR otad_tuf_error_quark ()

/*
 * OtadTufError: one code per attack class, so that callers (and tests) can tell what the
 * verifier refused.  Messages name the repository, the role and the reason.
 */
typedef enum {
	OTAD_TUF_ERROR_FAILED,            /* internal or I/O failure */
	OTAD_TUF_ERROR_BAD_SIGNATURE,     /* no valid signature from an authorised key */
	OTAD_TUF_ERROR_THRESHOLD,         /* some valid signatures, fewer than the threshold */
	OTAD_TUF_ERROR_EXPIRED,           /* freeze attack: metadata past its expiry */
	OTAD_TUF_ERROR_ROLLBACK,          /* version lower than trusted, or a role disappeared */
	OTAD_TUF_ERROR_MIX_AND_MATCH,     /* version differs from the one the parent role names */
	OTAD_TUF_ERROR_LENGTH_MISMATCH,   /* length differs from the declared one */
	OTAD_TUF_ERROR_HASH_MISMATCH,     /* hash differs from the declared one */
	OTAD_TUF_ERROR_TOO_LARGE,         /* endless data: more bytes than allowed */
	OTAD_TUF_ERROR_MALFORMED,         /* not valid JSON or not valid metadata */
	OTAD_TUF_ERROR_WRONG_TYPE,        /* `_type` is not the expected role */
	OTAD_TUF_ERROR_UNKNOWN_ROLE,      /* role not defined / not delegated */
	OTAD_TUF_ERROR_BAD_VERSION,       /* fast-forward: root version is not exactly N+1 */
	OTAD_TUF_ERROR_UNKNOWN_TARGET,    /* target not found in the repository */
	OTAD_TUF_ERROR_ECU_MISMATCH,      /* Director names an unknown ECU, or one twice */
	OTAD_TUF_ERROR_HARDWARE_MISMATCH, /* hardware identifiers disagree */
	OTAD_TUF_ERROR_NOT_FOUND,         /* the server does not have the file (404) */
	OTAD_TUF_ERROR_NO_TRUSTED_ROOT,   /* no trusted root and trust-on-first-use not allowed */
	OTAD_TUF_ERROR_UNSUPPORTED,       /* key type, scheme or spec version not supported */
	OTAD_TUF_ERROR_SLOW_RETRIEVAL,    /* the file did not arrive in time or fast enough */
	/*< private >*/
	OTAD_TUF_ERROR_LAST
} OtadTufError;

GQuark otad_tuf_error_quark (void);
const gchar *otad_tuf_error_to_string (OtadTufError code);
gint otad_tuf_error_to_ota_error (OtadTufError code);
/* rewrites an OTAD_TUF_ERROR into OTA_ERROR (VERIFICATION mostly), keeping the message and
 * naming the attack class: "rollback: targets version 3 is lower than ..." */
gboolean otad_tuf_error_convert (GError **perror);

G_END_DECLS
