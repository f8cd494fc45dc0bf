/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-sync.h"

/* each sync call runs its async twin on a private main context, so that no
 * other source of the caller's context is dispatched while it blocks */

typedef struct {
	GMainContext *context; /* (owned) */
	GMainLoop *loop;       /* (owned) */
	gboolean ret;
	GError *error;	    /* (owned) (nullable) */
	GAsyncResult *res; /* (owned) (nullable) */
} OtaClientSyncHelper;

static OtaClientSyncHelper *
ota_client_sync_helper_new (void)
{
	OtaClientSyncHelper *helper = g_new0 (OtaClientSyncHelper, 1);
	helper->context = g_main_context_new ();
	helper->loop = g_main_loop_new (helper->context, FALSE);
	return helper;
}

static void
ota_client_sync_helper_free (OtaClientSyncHelper *helper)
{
	g_clear_error (&helper->error);
	g_clear_object (&helper->res);
	g_main_loop_unref (helper->loop);
	g_main_context_unref (helper->context);
	g_free (helper);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtaClientSyncHelper, ota_client_sync_helper_free)

static void
ota_client_connect_sync_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	OtaClientSyncHelper *helper = user_data;
	helper->ret = ota_client_connect_finish (OTA_CLIENT (source), res, &helper->error);
	g_main_loop_quit (helper->loop);
}

/**
 * ota_client_connect_sync:
 * @self: an #OtaClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Connects to otad and reads its properties, blocking until done.  This is
 * the synchronous version of ota_client_connect_async(); property changes
 * are still notified in the main context the client was created in.
 *
 * Returns: %TRUE when connected
 *
 * Since: 0.1
 */
gboolean
ota_client_connect_sync (OtaClient *self, GCancellable *cancellable, GError **error)
{
	g_autoptr(OtaClientSyncHelper) helper = ota_client_sync_helper_new ();
	g_autoptr(GMainContextPusher) pusher = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	pusher = g_main_context_pusher_new (helper->context);
	ota_client_connect_async (self, cancellable, ota_client_connect_sync_cb, helper);
	g_main_loop_run (helper->loop);
	if (!helper->ret) {
		g_propagate_error (error, g_steal_pointer (&helper->error));
		return FALSE;
	}

	/* success */
	return TRUE;
}

static void
ota_client_sync_result_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	OtaClientSyncHelper *helper = user_data;
	helper->res = g_object_ref (res);
	g_main_loop_quit (helper->loop);
}

typedef void (*OtaClientAsyncFunc) (OtaClient *self,
				    OtaClientFlags flags,
				    GCancellable *cancellable,
				    GAsyncReadyCallback callback,
				    gpointer callback_data);
typedef gboolean (*OtaClientFinishFunc) (OtaClient *self, GAsyncResult *res, GError **error);

/* runs @async_func on a private context and returns its result for the _finish() */
static OtaClientSyncHelper *
ota_client_sync_run (OtaClient *self,
		     OtaClientAsyncFunc async_func,
		     OtaClientFlags flags,
		     GCancellable *cancellable)
{
	OtaClientSyncHelper *helper = ota_client_sync_helper_new ();
	g_autoptr(GMainContextPusher) pusher = g_main_context_pusher_new (helper->context);

	async_func (self, flags, cancellable, ota_client_sync_result_cb, helper);
	g_main_loop_run (helper->loop);
	return helper;
}

static gboolean
ota_client_sync_call (OtaClient *self,
		      OtaClientAsyncFunc async_func,
		      OtaClientFinishFunc finish_func,
		      OtaClientFlags flags,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autoptr(OtaClientSyncHelper) helper = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	helper = ota_client_sync_run (self, async_func, flags, cancellable);
	return finish_func (self, helper->res, error);
}

/**
 * ota_client_check_sync:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The synchronous version of ota_client_check_async(): returns once the check
 * has finished.  The client's properties catch up when the main context it was
 * created in runs next.
 *
 * Returns: %TRUE when the check succeeded
 *
 * Since: 0.2
 */
gboolean
ota_client_check_sync (OtaClient *self,
		       OtaClientFlags flags,
		       GCancellable *cancellable,
		       GError **error)
{
	return ota_client_sync_call (self,
				     ota_client_check_async,
				     ota_client_check_finish,
				     flags,
				     cancellable,
				     error);
}

/**
 * ota_client_download_sync:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The synchronous version of ota_client_download_async(): returns once the
 * download has finished.
 *
 * Returns: %TRUE when the download succeeded
 *
 * Since: 0.2
 */
gboolean
ota_client_download_sync (OtaClient *self,
			  OtaClientFlags flags,
			  GCancellable *cancellable,
			  GError **error)
{
	return ota_client_sync_call (self,
				     ota_client_download_async,
				     ota_client_download_finish,
				     flags,
				     cancellable,
				     error);
}

/**
 * ota_client_install_sync:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The synchronous version of ota_client_install_async(): returns once the
 * installation has finished.
 *
 * Returns: %TRUE when the update is installed
 *
 * Since: 0.2
 */
gboolean
ota_client_install_sync (OtaClient *self,
			 OtaClientFlags flags,
			 GCancellable *cancellable,
			 GError **error)
{
	return ota_client_sync_call (self,
				     ota_client_install_async,
				     ota_client_install_finish,
				     flags,
				     cancellable,
				     error);
}

/**
 * ota_client_cancel_sync:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The synchronous version of ota_client_cancel_async().
 *
 * Returns: %TRUE when the job was cancelled
 *
 * Since: 0.2
 */
gboolean
ota_client_cancel_sync (OtaClient *self,
			OtaClientFlags flags,
			GCancellable *cancellable,
			GError **error)
{
	return ota_client_sync_call (self,
				     ota_client_cancel_async,
				     ota_client_cancel_finish,
				     flags,
				     cancellable,
				     error);
}

/**
 * ota_client_rollback_sync:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The synchronous version of ota_client_rollback_async().
 *
 * Returns: %TRUE when rolled back
 *
 * Since: 0.2
 */
gboolean
ota_client_rollback_sync (OtaClient *self,
			  OtaClientFlags flags,
			  GCancellable *cancellable,
			  GError **error)
{
	return ota_client_sync_call (self,
				     ota_client_rollback_async,
				     ota_client_rollback_finish,
				     flags,
				     cancellable,
				     error);
}

/**
 * ota_client_get_history_sync:
 * @self: a connected #OtaClient
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The synchronous version of ota_client_get_history_async().
 *
 * Returns: (transfer container) (element-type OtaHistoryEntry): the entries,
 *   newest first, or %NULL on error
 *
 * Since: 0.2
 */
GPtrArray *
ota_client_get_history_sync (OtaClient *self,
			     OtaClientFlags flags,
			     GCancellable *cancellable,
			     GError **error)
{
	g_autoptr(OtaClientSyncHelper) helper = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	helper = ota_client_sync_run (self, ota_client_get_history_async, flags, cancellable);
	return ota_client_get_history_finish (self, helper->res, error);
}

/**
 * ota_client_get_history_filtered_sync:
 * @self: a connected #OtaClient
 * @limit: at most this many entries, 0 all
 * @since: only entries at or after this time (seconds since the epoch), 0 all
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The synchronous version of ota_client_get_history_filtered_async().
 *
 * Returns: (transfer container) (element-type OtaHistoryEntry): the entries,
 *   newest first, or %NULL on error
 *
 * Since: 0.4
 */
GPtrArray *
ota_client_get_history_filtered_sync (OtaClient *self,
				      guint limit,
				      guint64 since,
				      OtaClientFlags flags,
				      GCancellable *cancellable,
				      GError **error)
{
	g_autoptr(OtaClientSyncHelper) helper = ota_client_sync_helper_new ();
	g_autoptr(GMainContextPusher) pusher = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), NULL);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	pusher = g_main_context_pusher_new (helper->context);
	ota_client_get_history_filtered_async (self, limit, since, flags, cancellable,
					       ota_client_sync_result_cb, helper);
	g_main_loop_run (helper->loop);
	return ota_client_get_history_finish (self, helper->res, error);
}
