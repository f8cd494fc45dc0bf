/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-boot-pending.h"

G_BEGIN_DECLS

/* larger files are refused: 100 history entries are a few tens of kB */
#define OTAD_BOOT_RECORD_JSON_MAX_SIZE (4 * 1024 * 1024)

/* what the file holds; the containers belong to the caller */
typedef struct {
	OtadBootPending *pending; /* (nullable) */
	GHashTable *bad;          /* commit → reason */
	GPtrArray *history;       /* (element-type OtadBootHistoryEntry) */
} OtadBootRecordData;

gboolean otad_boot_record_json_parse (const gchar *data, gsize len, OtadBootRecordData *out,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *otad_boot_record_json_generate (const OtadBootRecordData *data) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
