/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ota-client.h"

G_BEGIN_DECLS

gboolean ota_client_connect_sync (OtaClient *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

gboolean ota_client_check_sync (OtaClient *self,
				OtaClientFlags flags,
				GCancellable *cancellable,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_download_sync (OtaClient *self,
				   OtaClientFlags flags,
				   GCancellable *cancellable,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_install_sync (OtaClient *self,
				  OtaClientFlags flags,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_cancel_sync (OtaClient *self,
				 OtaClientFlags flags,
				 GCancellable *cancellable,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_rollback_sync (OtaClient *self,
				   OtaClientFlags flags,
				   GCancellable *cancellable,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *ota_client_get_history_sync (OtaClient *self,
					OtaClientFlags flags,
					GCancellable *cancellable,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* since 0.3 */
gboolean ota_client_hold_sync (OtaClient *self,
			       guint *out_handle,
			       GCancellable *cancellable,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_release_sync (OtaClient *self,
				  guint handle,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* since 0.4 */
GPtrArray *ota_client_get_history_filtered_sync (OtaClient *self,
						 guint limit,
						 guint64 since,
						 OtaClientFlags flags,
						 GCancellable *cancellable,
						 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_inhibit_sync (OtaClient *self,
				  const gchar *reason,
				  OtaClientFlags flags,
				  guint *out_handle,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_uninhibit_sync (OtaClient *self,
				    guint handle,
				    GCancellable *cancellable,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_consent_sync (OtaClient *self,
				  const gchar *offer_id,
				  OtaClientFlags flags,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_decline_sync (OtaClient *self,
				  const gchar *offer_id,
				  OtaClientFlags flags,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_postpone_sync (OtaClient *self,
				   const gchar *offer_id,
				   guint64 until,
				   OtaClientFlags flags,
				   GCancellable *cancellable,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ota_client_discard_sync (OtaClient *self,
				  const gchar *offer_id,
				  OtaClientFlags flags,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
