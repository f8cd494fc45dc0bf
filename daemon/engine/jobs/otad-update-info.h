/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "otad-target.h"

G_BEGIN_DECLS

/**
 * OtadUpdateInfo:
 *
 * The verified update on offer (the UpdateInfo property), persisted in the
 * state store so a restarted daemon still knows what it was doing.
 */
typedef struct {
	gchar *name;
	gchar *version;
	gchar *checksum;
	guint64 length;
	guint64 download_size;
	gchar *correlation_id;
	gchar *hardware_id;
	gchar *uri;
	gchar *ecu_serial;
	/* the offer (since Version 4) */
	guint64 installed_size; /* bytes the new objects take unpacked; 0: unknown */
	gchar *release_notes;	/* custom.releaseNotes, "" when none */
	gchar *label;		/* custom.label, "" when none */
	gchar *offer_id;	/* otad_update_info_compute_offer_id() */
	gchar *campaign_id;	/* the server's campaign asking for consent, "" when none */
} OtadUpdateInfo;

void otad_update_info_free (OtadUpdateInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadUpdateInfo, otad_update_info_free)
OtadUpdateInfo *otad_update_info_copy (const OtadUpdateInfo *info) G_GNUC_WARN_UNUSED_RESULT;
OtadUpdateInfo *otad_update_info_new_from_target (const OtadTarget *target,
						  const gchar *hardware_id)
    G_GNUC_WARN_UNUSED_RESULT;
GVariant *otad_update_info_to_variant (const OtadUpdateInfo *info);
gchar *otad_update_info_compute_offer_id (const OtadUpdateInfo *info) G_GNUC_WARN_UNUSED_RESULT;
JsonNode *otad_update_info_to_json (const OtadUpdateInfo *info) G_GNUC_WARN_UNUSED_RESULT;
OtadUpdateInfo *otad_update_info_new_from_json (JsonNode *node) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
