/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ota-client.h"

G_BEGIN_DECLS

const gchar *ota_client_get_waiting_for (OtaClient *self);
guint64 ota_client_get_waiting_until (OtaClient *self);
gboolean ota_client_get_reboot_required (OtaClient *self);

gboolean ota_client_reboot_sync (OtaClient *self,
				 OtaClientFlags flags,
				 GCancellable *cancellable,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
GVariant *ota_client_get_configuration_sync (OtaClient *self,
					     GCancellable *cancellable,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_set_configuration_sync (OtaClient *self,
					    GVariant *values,
					    OtaClientFlags flags,
					    GCancellable *cancellable,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_reset_configuration_sync (OtaClient *self,
					      const gchar *const *keys,
					      OtaClientFlags flags,
					      GCancellable *cancellable,
					      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
