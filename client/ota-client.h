/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "ota-deployment.h"
#include "ota-enums.h"
#include "ota-history-entry.h"
#include "ota-update-info.h"

G_BEGIN_DECLS

#define OTA_TYPE_CLIENT (ota_client_get_type ())
G_DECLARE_FINAL_TYPE (OtaClient, ota_client, OTA, CLIENT, GObject)

OtaClient *ota_client_new (void) G_GNUC_WARN_UNUSED_RESULT;
OtaClient *ota_client_new_for_bus_address (const gchar *address) G_GNUC_WARN_UNUSED_RESULT
   ;
OtaClient *ota_client_new_for_connection (GDBusConnection *connection) G_GNUC_WARN_UNUSED_RESULT
   ;

void ota_client_connect_async (OtaClient *self,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer callback_data);
gboolean ota_client_connect_finish (OtaClient *self, GAsyncResult *res, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

gboolean ota_client_get_connected (OtaClient *self);
GDBusConnection *ota_client_get_connection (OtaClient *self);
const gchar *ota_client_get_bus_address (OtaClient *self);

guint ota_client_get_daemon_version (OtaClient *self);
OtaState ota_client_get_state (OtaClient *self);
const gchar *ota_client_get_error_name (OtaClient *self);
const gchar *ota_client_get_error_message (OtaClient *self);
OtaDeployment *ota_client_get_booted_deployment (OtaClient *self);
OtaDeployment *ota_client_get_rollback_deployment (OtaClient *self);
OtaDeployment *ota_client_get_pending_deployment (OtaClient *self);
guint64 ota_client_get_last_check_time (OtaClient *self);
OtaUpdateInfo *ota_client_get_update_info (OtaClient *self);
guint64 ota_client_get_downloaded_bytes (OtaClient *self);
guint64 ota_client_get_download_size (OtaClient *self);
guint ota_client_get_progress (OtaClient *self);
const gchar *ota_client_get_policy (OtaClient *self);
const gchar *ota_client_get_progress_phase (OtaClient *self);
gint64 ota_client_get_time_remaining (OtaClient *self);
guint64 ota_client_get_next_check_time (OtaClient *self);

void ota_client_check_async (OtaClient *self,
			     OtaClientFlags flags,
			     GCancellable *cancellable,
			     GAsyncReadyCallback callback,
			     gpointer callback_data);
gboolean ota_client_check_finish (OtaClient *self, GAsyncResult *res, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void ota_client_download_async (OtaClient *self,
				OtaClientFlags flags,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer callback_data);
gboolean ota_client_download_finish (OtaClient *self, GAsyncResult *res, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void ota_client_install_async (OtaClient *self,
			       OtaClientFlags flags,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer callback_data);
gboolean ota_client_install_finish (OtaClient *self, GAsyncResult *res, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void ota_client_cancel_async (OtaClient *self,
			      OtaClientFlags flags,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer callback_data);
gboolean ota_client_cancel_finish (OtaClient *self, GAsyncResult *res, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void ota_client_rollback_async (OtaClient *self,
				OtaClientFlags flags,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer callback_data);
gboolean ota_client_rollback_finish (OtaClient *self, GAsyncResult *res, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void ota_client_get_history_async (OtaClient *self,
				   OtaClientFlags flags,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer callback_data);
void ota_client_get_history_filtered_async (OtaClient *self,
					    guint limit,
					    guint64 since,
					    OtaClientFlags flags,
					    GCancellable *cancellable,
					    GAsyncReadyCallback callback,
					    gpointer callback_data);
GPtrArray *ota_client_get_history_finish (OtaClient *self, GAsyncResult *res, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* since 0.4 (interface version 4) */
void ota_client_run_async (OtaClient *self,
			   const gchar *operation,
			   const gchar *offer_id,
			   OtaClientFlags flags,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer callback_data);
gboolean ota_client_run_finish (OtaClient *self, GAsyncResult *res, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void ota_client_consent_async (OtaClient *self,
			       const gchar *offer_id,
			       OtaClientFlags flags,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer callback_data);
void ota_client_decline_async (OtaClient *self,
			       const gchar *offer_id,
			       OtaClientFlags flags,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer callback_data);
void ota_client_postpone_async (OtaClient *self,
				const gchar *offer_id,
				guint64 until,
				OtaClientFlags flags,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer callback_data);
void ota_client_discard_async (OtaClient *self,
			       const gchar *offer_id,
			       OtaClientFlags flags,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer callback_data);
gboolean ota_client_answer_finish (OtaClient *self, GAsyncResult *res, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
