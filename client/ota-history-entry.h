/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OTA_TYPE_HISTORY_ENTRY (ota_history_entry_get_type ())
G_DECLARE_FINAL_TYPE (OtaHistoryEntry, ota_history_entry, OTA, HISTORY_ENTRY, GObject)

OtaHistoryEntry *ota_history_entry_new_from_variant (GVariant *value) G_GNUC_WARN_UNUSED_RESULT;

guint64 ota_history_entry_get_time (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_action (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_commit (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_version (OtaHistoryEntry *self);
gboolean ota_history_entry_get_success (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_detail (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_correlation_id (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_result (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_name (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_offer_id (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_error_name (OtaHistoryEntry *self);
const gchar *ota_history_entry_get_error_message (OtaHistoryEntry *self);

G_END_DECLS
