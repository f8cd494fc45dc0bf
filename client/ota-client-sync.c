/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-sync.h"

/* each sync call runs its async twin on a private main context, so that no
 * other source of the caller's context is dispatched while it blocks */

typedef struct {
	GMainContext *context; /* (owned) */
	GMainLoop *loop;       /* (owned) */
	gboolean ret;
	GError *error; /* (owned) (nullable) */
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
