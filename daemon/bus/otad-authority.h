/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OTAD_TYPE_AUTHORITY (otad_authority_get_type ())
G_DECLARE_FINAL_TYPE (OtadAuthority, otad_authority, OTAD, AUTHORITY, GObject)

typedef enum {
	OTAD_AUTHORITY_CHECK_FLAG_NONE = 0,
	OTAD_AUTHORITY_CHECK_FLAG_ALLOW_INTERACTION = 1 << 0,
} OtadAuthorityCheckFlags;

OtadAuthority *otad_authority_new (GDBusConnection *connection) G_GNUC_WARN_UNUSED_RESULT;
void otad_authority_check (OtadAuthority *self,
			   const gchar *sender,
			   const gchar *action_id,
			   OtadAuthorityCheckFlags flags,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer user_data);
gboolean otad_authority_check_finish (OtadAuthority *self,
				      GAsyncResult *res,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
