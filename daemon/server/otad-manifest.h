/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "otad-ecu-key.h"

G_BEGIN_DECLS

/* what the primary ECU runs: for OSTree, the target name and the commit as sha256 */
typedef struct {
	const gchar *filepath; /* target name */
	const gchar *sha256;   /* hex */
	guint64 length;
} OtadManifestImage;

/* the result of the last installation; reported once with its correlation id */
typedef struct {
	const gchar *correlation_id;
	gboolean success;
	const gchar *code;        /* "OK", "INSTALL_FAILED", ... */
	const gchar *description; /* free text */
} OtadManifestReport;

/* {"signatures": [{keyid, method: "ed25519", sig}], "signed": @signed_node} */
JsonNode *otad_manifest_sign (OtadEcuKey *key, JsonNode *signed_node,
                              GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* the device manifest PUT to director/manifest, in aktualizr's shape */
JsonNode *otad_manifest_build (OtadEcuKey *key, const gchar *primary_serial,
                               const OtadManifestImage *image, guint64 report_counter,
                               const OtadManifestReport *report,
                               GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
