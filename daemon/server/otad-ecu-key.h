/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * OtadEcuKey: the primary ECU's ed25519 key that signs the device manifest.  Created on
 * first start in the state directory (ecu.key, 0600) or taken from a PKCS#11 token.
 */
#define OTAD_TYPE_ECU_KEY (otad_ecu_key_get_type ())
G_DECLARE_FINAL_TYPE (OtadEcuKey, otad_ecu_key, OTAD, ECU_KEY, GObject)

/* loads @path, or creates a new key there when it does not exist */
OtadEcuKey *otad_ecu_key_load_or_create (const gchar *path,
                                         GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_ecu_key_was_recreated (OtadEcuKey *self);
OtadEcuKey *otad_ecu_key_new_from_pkcs11 (const gchar *uri, const gchar *pin,
                                          GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* raw public key in lower-case hex, as Uptane keyval.public for ED25519 */
const gchar *otad_ecu_key_get_public_hex (OtadEcuKey *self);
/* the key id used in signatures: sha256 of the canonical JSON of the public key string */
const gchar *otad_ecu_key_get_keyid (OtadEcuKey *self);
/* ed25519 signature of @data, base64 (aktualizr's "sig" encoding) */
gchar *otad_ecu_key_sign_base64 (OtadEcuKey *self, const guint8 *data, gsize len,
                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
