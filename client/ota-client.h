/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "ota-deployment.h"
#include "ota-enums.h"

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

G_END_DECLS
