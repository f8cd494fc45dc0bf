/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "otad-config-schema.h"

G_BEGIN_DECLS

#define OTAD_TYPE_CONFIG (otad_config_get_type ())
G_DECLARE_FINAL_TYPE (OtadConfig, otad_config, OTAD, CONFIG, GObject)

OtadConfig *otad_config_new (void) G_GNUC_WARN_UNUSED_RESULT;

gboolean otad_config_load_file (OtadConfig *self, const gchar *path, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_config_load_data (OtadConfig *self,
				const gchar *origin,
				const gchar *data,
				gssize length,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_config_load_dropin_dir (OtadConfig *self, const gchar *dir, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_config_load_default (OtadConfig *self,
				   const gchar *config_file,
				   const gchar *vendor_file,
				   gboolean required,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

const gchar *otad_config_get_string (OtadConfig *self, const gchar *group, const gchar *key);
gboolean otad_config_get_boolean (OtadConfig *self, const gchar *group, const gchar *key);
guint64 otad_config_get_uint (OtadConfig *self, const gchar *group, const gchar *key);
const gchar *const *otad_config_get_string_list (OtadConfig *self,
						 const gchar *group,
						 const gchar *key);
const gchar *otad_config_get_origin (OtadConfig *self, const gchar *group, const gchar *key);
gboolean otad_config_is_set (OtadConfig *self, const gchar *group, const gchar *key);
gchar *otad_config_to_string (OtadConfig *self) G_GNUC_WARN_UNUSED_RESULT;
gchar *otad_config_to_string_full (OtadConfig *self, gboolean origins) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_config_import_value (OtadConfig *self,
				   const gchar *group,
				   const gchar *key,
				   const gchar *text,
				   const gchar *const *list,
				   const gchar *origin,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
