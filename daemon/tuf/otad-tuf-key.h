/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "otad-json.h"

G_BEGIN_DECLS

/*
 * A public key of a TUF/Uptane role.  Both dialects are read: TUF (`ed25519`, `rsa`,
 * `ecdsa`/`ecdsa-sha2-nistp256` with a `scheme`) and OTA CE/aktualizr (`ED25519`, `RSA` with a
 * PEM key, no scheme).  Key ids are labels chosen by the server and never recomputed.
 * A key of a type otad does not support parses (so that a root listing it is still usable)
 * but never verifies anything.
 */
typedef struct _OtadTufKey OtadTufKey;

OtadTufKey *otad_tuf_key_new_from_json (const OtadJsonNode *node,
                                        GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_tuf_key_free (OtadTufKey *key);
gboolean otad_tuf_key_is_supported (const OtadTufKey *key);
/* a digest of the key material, equal for the same key listed under two key ids */
const gchar *otad_tuf_key_get_fingerprint (const OtadTufKey *key);
const gchar *otad_tuf_key_get_keytype (const OtadTufKey *key);

/* checks one signature object ({keyid, sig[, method]}) over data; FALSE with an error
 * saying why when it does not verify */
gboolean otad_tuf_key_verify (const OtadTufKey *key, const OtadJsonNode *signature,
                              const guint8 *data, gsize data_len, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadTufKey, otad_tuf_key_free)

G_END_DECLS
