/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* internals shared by ota-client.c, ota-client-mirror.c and ota-client-connect.c */

#include "ota-client.h"
#include "ota-dbus-generated.h"

G_BEGIN_DECLS

enum {
	OTA_CLIENT_DEPLOYMENT_BOOTED,
	OTA_CLIENT_DEPLOYMENT_ROLLBACK,
	OTA_CLIENT_DEPLOYMENT_PENDING,
	OTA_CLIENT_DEPLOYMENT_LAST
};

struct _OtaClient {
	GObject parent_instance;
	GMainContext *context;	     /* (owned): where notify is emitted */
	GDBusConnection *connection; /* (owned) (nullable) */
	gchar *bus_address;	     /* (owned) (nullable) */
	OtaDBusUpdater1 *proxy;	     /* (owned) (nullable): bound to the current name owner */
	GCancellable *reload_cancellable; /* (owned) (nullable) */
	guint properties_changed_id;
	guint name_owner_changed_id;
	guint daemon_signals_id; /* StateChanged, JobFinished */

	/* mirror of the daemon's properties */
	guint daemon_version;
	OtaState state;
	gchar *error_name;    /* (owned) */
	gchar *error_message; /* (owned) */
	GVariant *deployment_values[OTA_CLIENT_DEPLOYMENT_LAST]; /* (owned) (nullable) */
	OtaDeployment *deployments[OTA_CLIENT_DEPLOYMENT_LAST];	 /* (owned) (nullable) */
	guint64 last_check_time;
	/* since 0.2 */
	GVariant *update_info_value; /* (owned) (nullable) */
	OtaUpdateInfo *update_info;  /* (owned) (nullable) */
	guint64 downloaded_bytes;
	guint64 download_size;
	guint progress;
	gchar *policy; /* (owned) */
	gchar *progress_phase; /* (owned) */
	gint64 time_remaining;
	guint64 next_check_time;
};


enum {
	PROP_0,
	PROP_CONNECTION,
	PROP_BUS_ADDRESS,
	PROP_CONNECTED,
	PROP_DAEMON_VERSION,
	PROP_STATE,
	PROP_ERROR_NAME,
	PROP_ERROR_MESSAGE,
	PROP_BOOTED_DEPLOYMENT,
	PROP_ROLLBACK_DEPLOYMENT,
	PROP_PENDING_DEPLOYMENT,
	PROP_LAST_CHECK_TIME,
	PROP_UPDATE_INFO,
	PROP_DOWNLOADED_BYTES,
	PROP_DOWNLOAD_SIZE,
	PROP_PROGRESS,
	PROP_POLICY,
	PROP_NEXT_CHECK_TIME,
	PROP_PROGRESS_PHASE,
	PROP_TIME_REMAINING,
	PROP_LAST
};

void ota_client_notify (OtaClient *self, guint prop_id);
void ota_client_fixup_error (GError *error);
gboolean ota_client_set_name_owner (OtaClient *self, const gchar *owner, GError **error);
void ota_client_apply_properties (OtaClient *self, GVariant *dict);
void ota_client_subscribe (OtaClient *self);
void ota_client_unsubscribe (OtaClient *self);
/* ota-client-call.c: one method call */
GVariant *ota_client_call_sync (OtaClient *self,
				const gchar *method,
				GVariant *params,
				OtaClientFlags flags,
				guint since_version,
				GCancellable *cancellable,
				GError **error);
void ota_client_call (OtaClient *self,
		      const gchar *method,
		      GVariant *params,
		      OtaClientFlags flags,
		      GCancellable *cancellable,
		      GAsyncReadyCallback callback,
		      gpointer callback_data,
		      gpointer source_tag);
GVariant *ota_client_call_finish (OtaClient *self,
				  GAsyncResult *res,
				  gpointer source_tag,
				  GError **error);
/* ota-client-run.c: a job call that finishes when the job has */
void ota_client_job_async (OtaClient *self,
			   const gchar *operation,
			   const gchar *offer_id,
			   OtaClientFlags flags,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer callback_data,
			   gpointer source_tag);
gboolean ota_client_job_finish (OtaClient *self,
				GAsyncResult *res,
				gpointer source_tag,
				GError **error);
/* ota-client-consent.c */
void ota_client_signals_class_init (OtaClientClass *klass);
void ota_client_emit_daemon_signal (OtaClient *self, const gchar *name, GVariant *parameters);

G_END_DECLS
