/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OTA_TYPE_UPDATE_INFO (ota_update_info_get_type ())
G_DECLARE_FINAL_TYPE (OtaUpdateInfo, ota_update_info, OTA, UPDATE_INFO, GObject)

OtaUpdateInfo *ota_update_info_new_from_variant (GVariant *value) G_GNUC_WARN_UNUSED_RESULT;

const gchar *ota_update_info_get_name (OtaUpdateInfo *self);
const gchar *ota_update_info_get_version (OtaUpdateInfo *self);
const gchar *ota_update_info_get_checksum (OtaUpdateInfo *self);
guint64 ota_update_info_get_length (OtaUpdateInfo *self);
guint64 ota_update_info_get_download_size (OtaUpdateInfo *self);
const gchar *ota_update_info_get_correlation_id (OtaUpdateInfo *self);
const gchar *ota_update_info_get_hardware_id (OtaUpdateInfo *self);
const gchar *ota_update_info_get_uri (OtaUpdateInfo *self);

const gchar *ota_update_info_get_offer_id (OtaUpdateInfo *self);
guint64 ota_update_info_get_installed_size (OtaUpdateInfo *self);
const gchar *ota_update_info_get_release_notes (OtaUpdateInfo *self);
const gchar *ota_update_info_get_label (OtaUpdateInfo *self);

G_END_DECLS
