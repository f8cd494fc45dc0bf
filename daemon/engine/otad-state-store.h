/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ota-enums.h"

G_BEGIN_DECLS

#define OTAD_TYPE_STATE_STORE (otad_state_store_get_type ())
G_DECLARE_FINAL_TYPE (OtadStateStore, otad_state_store, OTAD, STATE_STORE, GObject)

/* the file inside the state directory */
#define OTAD_STATE_STORE_FILENAME "state.json"

OtadStateStore *otad_state_store_new (const gchar *state_dir, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_state_store_save (OtadStateStore *self, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

void otad_state_store_announce_unsaved (OtadStateStore *self);
gboolean otad_state_store_is_unsaved (OtadStateStore *self);
gboolean otad_state_store_was_recovered (OtadStateStore *self);

const gchar *otad_state_store_get_state_dir (OtadStateStore *self);
const gchar *otad_state_store_get_path (OtadStateStore *self);

OtaState otad_state_store_get_state (OtadStateStore *self);
void otad_state_store_set_state (OtadStateStore *self, OtaState state);
guint64 otad_state_store_get_last_check_time (OtadStateStore *self);
void otad_state_store_set_last_check_time (OtadStateStore *self, guint64 unix_time);
const gchar *otad_state_store_get_error_name (OtadStateStore *self);
const gchar *otad_state_store_get_error_message (OtadStateStore *self);
void otad_state_store_set_error (OtadStateStore *self,
				 const gchar *error_name,
				 const gchar *error_message);

JsonNode *otad_state_store_get_field (OtadStateStore *self, const gchar *name);
void otad_state_store_set_field (OtadStateStore *self, const gchar *name, JsonNode *value);

G_END_DECLS
