/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-error.h"

/* the methods of org.otad.Updater1 (interface version 2) and the progress
 * properties that came with them */

/**
 * ota_client_get_update_info:
 * @self: an #OtaClient
 *
 * Returns: (transfer none) (nullable): the verified update on offer, %NULL
 *   when there is none or the client is not connected
 *
 * Since: 0.2
 */
OtaUpdateInfo *
ota_client_get_update_info (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->update_info;
}

/**
 * ota_client_get_downloaded_bytes:
 * @self: an #OtaClient
 *
 * Returns: the bytes the running download has fetched so far
 *
 * Since: 0.2
 */
guint64
ota_client_get_downloaded_bytes (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), 0);
	return self->downloaded_bytes;
}

/**
 * ota_client_get_download_size:
 * @self: an #OtaClient
 *
 * Returns: the bytes the running download fetches in all, 0 when unknown
 *
 * Since: 0.2
 */
guint64
ota_client_get_download_size (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), 0);
	return self->download_size;
}

/**
 * ota_client_get_progress:
 * @self: an #OtaClient
 *
 * Returns: the weighted progress of the running job, 0 to 100
 *
 * Since: 0.2
 */
guint
ota_client_get_progress (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), 0);
	return self->progress;
}

/**
 * ota_client_get_progress_phase:
 * @self: an #OtaClient
 *
 * Returns: (transfer none): what the running job does, e.g. "downloading";
 *   "" when no job runs
 *
 * Since: 0.4
 */
const gchar *
ota_client_get_progress_phase (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->progress_phase;
}

/**
 * ota_client_get_time_remaining:
 * @self: an #OtaClient
 *
 * Returns: the seconds the running download still needs, -1 when unknown
 *
 * Since: 0.4
 */
gint64
ota_client_get_time_remaining (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), -1);
	return self->time_remaining;
}

/**
 * ota_client_get_policy:
 * @self: an #OtaClient
 *
 * Returns: (transfer none): how updates are applied: "automatic",
 *   "download-only", "consent" or "manual"; "" when not connected
 *
 * Since: 0.2
 */
const gchar *
ota_client_get_policy (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	return self->policy;
}

/**
 * ota_client_get_next_check_time:
 * @self: an #OtaClient
 *
 * Returns: when the next automatic check is due, in seconds since the Unix
 *   epoch; 0 when polling is off
 *
 * Since: 0.2
 */
guint64
ota_client_get_next_check_time (OtaClient *self)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), 0);
	return self->next_check_time;
}

/* the finish of the methods whose reply carries nothing: only success counts */
static gboolean
ota_client_call_finish_boolean (OtaClient *self,
				GAsyncResult *res,
				gpointer source_tag,
				GError **error)
{
	g_autoptr(GVariant) reply = ota_client_call_finish (self, res, source_tag, error);
	return reply != NULL;
}

/**
 * ota_client_check_async:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags, e.g. %OTA_CLIENT_FLAGS_INTERACTIVE
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting, not the check
 * @callback: (scope async) (closure callback_data): called when the check has finished
 * @callback_data: data for @callback
 *
 * Asks otad to check the server for an update (D-Bus `Check`) and finishes when the
 * check has finished (otad's `JobFinished`).  #OtaClient:state moves to
 * %OTA_STATE_CHECKING and then to %OTA_STATE_UPDATE_AVAILABLE or
 * %OTA_STATE_AWAITING_CONSENT (with #OtaClient:update-info set), or back to
 * %OTA_STATE_IDLE when there is nothing new.  The properties follow in the main context
 * the client was created in.  With an otad older than interface version 4 (no
 * `JobFinished`) it finishes when the check has started.
 *
 * Since: 0.2 (finishes with the check since 0.4)
 */
void
ota_client_check_async (OtaClient *self,
			OtaClientFlags flags,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer callback_data)
{
	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
	ota_client_job_async (self, "check", NULL, flags, cancellable, callback, callback_data,
			      ota_client_check_async);
}

/**
 * ota_client_check_finish:
 * @self: an #OtaClient
 * @res: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes ota_client_check_async().  Errors are #OtaError codes: the call's, e.g.
 * %OTA_ERROR_WRONG_STATE while another job runs or %OTA_ERROR_AUTH_FAILED when polkit
 * refused, or the check's, e.g. %OTA_ERROR_NETWORK or %OTA_ERROR_VERIFICATION.
 * Nothing new is a success.
 *
 * Returns: %TRUE when the check succeeded
 *
 * Since: 0.2
 */
gboolean
ota_client_check_finish (OtaClient *self, GAsyncResult *res, GError **error)
{
	return ota_client_job_finish (self, res, ota_client_check_async, error);
}

/**
 * ota_client_download_async:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting, not the download
 *   (ota_client_cancel_async() does that)
 * @callback: (scope async) (closure callback_data): called when the download has finished
 * @callback_data: data for @callback
 *
 * Asks otad to download the update on offer (D-Bus `Download`) and finishes when the
 * download has finished.  The state moves to %OTA_STATE_DOWNLOADING, with
 * #OtaClient:downloaded-bytes, #OtaClient:download-size and #OtaClient:progress following
 * the transfer, then to %OTA_STATE_DOWNLOADED, or to %OTA_STATE_ERROR with
 * #OtaClient:error-name set.  With an otad older than interface version 4 it finishes
 * when the download has started.
 *
 * Since: 0.2 (finishes with the download since 0.4)
 */
void
ota_client_download_async (OtaClient *self,
			   OtaClientFlags flags,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer callback_data)
{
	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
	ota_client_job_async (self, "download", NULL, flags, cancellable, callback, callback_data,
			      ota_client_download_async);
}

/**
 * ota_client_download_finish:
 * @self: an #OtaClient
 * @res: the #GAsyncResult passed to the callback
 * @error: return location for a #GError: the call's, or the download's (e.g.
 *   %OTA_ERROR_NO_SPACE, %OTA_ERROR_CANCELLED)
 *
 * Finishes ota_client_download_async().
 *
 * Returns: %TRUE when the download succeeded
 *
 * Since: 0.2
 */
gboolean
ota_client_download_finish (OtaClient *self, GAsyncResult *res, GError **error)
{
	return ota_client_job_finish (self, res, ota_client_download_async, error);
}

/**
 * ota_client_install_async:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting, not the job
 * @callback: (scope async) (closure callback_data): called when the installation has
 *   finished
 * @callback_data: data for @callback
 *
 * Asks otad to deploy the downloaded update (D-Bus `Install`); from
 * %OTA_STATE_UPDATE_AVAILABLE it downloads first.  The state moves to
 * %OTA_STATE_INSTALLING, then to %OTA_STATE_PENDING_REBOOT; the call finishes then, or
 * when the download before it failed.  With an otad older than interface version 4 it
 * finishes when the job has started.
 *
 * Since: 0.2 (finishes with the installation since 0.4)
 */
void
ota_client_install_async (OtaClient *self,
			  OtaClientFlags flags,
			  GCancellable *cancellable,
			  GAsyncReadyCallback callback,
			  gpointer callback_data)
{
	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
	ota_client_job_async (self, "install", NULL, flags, cancellable, callback, callback_data,
			      ota_client_install_async);
}

/**
 * ota_client_install_finish:
 * @self: an #OtaClient
 * @res: the #GAsyncResult passed to the callback
 * @error: return location for a #GError: the call's, or the job's
 *
 * Finishes ota_client_install_async().
 *
 * Returns: %TRUE when the update is installed and waits for the reboot
 *
 * Since: 0.2
 */
gboolean
ota_client_install_finish (OtaClient *self, GAsyncResult *res, GError **error)
{
	return ota_client_job_finish (self, res, ota_client_install_async, error);
}

/**
 * ota_client_cancel_async:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags; %OTA_CLIENT_FLAGS_INTERACTIVE allows interactive
 *   authorization on the message (`Cancel` takes no options)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called when otad answered
 * @callback_data: data for @callback
 *
 * Asks otad to stop the running check, download or installation (D-Bus
 * `Cancel`); the state returns to where it was before the job.
 *
 * Since: 0.2
 */
void
ota_client_cancel_async (OtaClient *self,
			 OtaClientFlags flags,
			 GCancellable *cancellable,
			 GAsyncReadyCallback callback,
			 gpointer callback_data)
{
	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
	ota_client_call (self, "Cancel", NULL,
			 flags, cancellable, callback, callback_data, ota_client_cancel_async);
}

/**
 * ota_client_cancel_finish:
 * @self: an #OtaClient
 * @res: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes ota_client_cancel_async().  %OTA_ERROR_WRONG_STATE means that
 * nothing was running.
 *
 * Returns: %TRUE when the job was cancelled
 *
 * Since: 0.2
 */
gboolean
ota_client_cancel_finish (OtaClient *self, GAsyncResult *res, GError **error)
{
	return ota_client_call_finish_boolean (self, res, ota_client_cancel_async, error);
}

/**
 * ota_client_rollback_async:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting, not the rollback
 * @callback: (scope async) (closure callback_data): called when the rollback has finished
 * @callback_data: data for @callback
 *
 * Asks otad to make the rollback deployment the default again, or to drop a
 * pending one (D-Bus `Rollback`); the abandoned commit is marked bad so it
 * is not offered again.  The state moves to %OTA_STATE_PENDING_REBOOT when a
 * reboot is needed, else to %OTA_STATE_IDLE.  %OTA_ERROR_NOT_FOUND means
 * there is no rollback deployment.  With an otad older than interface version 4 it
 * finishes when the rollback has started.
 *
 * Since: 0.2 (finishes with the rollback since 0.4)
 */
void
ota_client_rollback_async (OtaClient *self,
			   OtaClientFlags flags,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer callback_data)
{
	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
	ota_client_job_async (self, "rollback", NULL, flags, cancellable, callback, callback_data,
			      ota_client_rollback_async);
}

/**
 * ota_client_rollback_finish:
 * @self: an #OtaClient
 * @res: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes ota_client_rollback_async().
 *
 * Returns: %TRUE when rolled back
 *
 * Since: 0.2
 */
gboolean
ota_client_rollback_finish (OtaClient *self, GAsyncResult *res, GError **error)
{
	return ota_client_job_finish (self, res, ota_client_rollback_async, error);
}

/**
 * ota_client_get_history_async:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags (`GetHistory` defines no options yet)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called with the history
 * @callback_data: data for @callback
 *
 * Reads the past update attempts and their outcomes (D-Bus `GetHistory`).
 *
 * Since: 0.2
 */
void
ota_client_get_history_async (OtaClient *self,
			      OtaClientFlags flags,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer callback_data)
{
	ota_client_get_history_filtered_async (self, 0, 0, flags, cancellable, callback,
					       callback_data);
}

/**
 * ota_client_get_history_filtered_async:
 * @self: a connected #OtaClient
 * @limit: at most this many entries, 0 all
 * @since: only entries at or after this time (seconds since the epoch), 0 all
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called with the history
 * @callback_data: data for @callback
 *
 * Reads the newest part of the history (D-Bus `GetHistory` with `limit` and
 * `since`); finish with ota_client_get_history_finish().  Filters need otad's
 * interface version 4; without filters any otad answers.
 *
 * Since: 0.4
 */
void
ota_client_get_history_filtered_async (OtaClient *self,
				       guint limit,
				       guint64 since,
				       OtaClientFlags flags,
				       GCancellable *cancellable,
				       GAsyncReadyCallback callback,
				       gpointer callback_data)
{
	g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
	/* only the filters asked for: an older otad refuses every key */
	if (limit > 0)
		g_variant_builder_add (&options, "{sv}", "limit", g_variant_new_uint32 (limit));
	if (since > 0)
		g_variant_builder_add (&options, "{sv}", "since", g_variant_new_uint64 (since));
	/* the interactive flag is a message flag here: GetHistory needs no polkit */
	ota_client_call (self, "GetHistory",
			 g_variant_new ("(@a{sv})", g_variant_builder_end (&options)), flags,
			 cancellable, callback, callback_data, ota_client_get_history_async);
}

/**
 * ota_client_get_history_finish:
 * @self: an #OtaClient
 * @res: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes ota_client_get_history_async() and
 * ota_client_get_history_filtered_async().
 *
 * Returns: (transfer container) (element-type OtaHistoryEntry): the entries,
 *   newest first, or %NULL on error
 *
 * Since: 0.2
 */
GPtrArray *
ota_client_get_history_finish (OtaClient *self, GAsyncResult *res, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) entries = NULL;
	g_autoptr(GPtrArray) history = NULL;
	GVariantIter iter;
	GVariant *entry;

	reply = ota_client_call_finish (self, res, ota_client_get_history_async, error);
	if (reply == NULL)
		return NULL;
	if (!g_variant_is_of_type (reply, G_VARIANT_TYPE ("(aa{sv})"))) {
		g_set_error (error,
			     OTA_ERROR,
			     OTA_ERROR_NOT_SUPPORTED,
			     "unexpected GetHistory reply of type %s",
			     g_variant_get_type_string (reply));
		return NULL;
	}
	entries = g_variant_get_child_value (reply, 0);
	history = g_ptr_array_new_full (g_variant_n_children (entries), g_object_unref);
	g_variant_iter_init (&iter, entries);
	while ((entry = g_variant_iter_next_value (&iter)) != NULL) {
		g_ptr_array_add (history, ota_history_entry_new_from_variant (entry));
		g_variant_unref (entry);
	}
	return g_steal_pointer (&history);
}
