/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-common.h"
#include "ota-error.h"

/*
 * ota_client_run_async(): start a job and finish when otad says it has finished
 * (JobFinished, interface version 4), with its result as the error.  The JobFinished
 * subscription is made before the call, in the caller's context, and only signals after
 * the call's reply count: otad sends the reply before the job's signal, and one
 * connection keeps the order, so an earlier job's signal is never taken for this one.
 */

typedef struct {
	GDBusConnection *connection; /* (owned) */
	guint signal_id;
	gboolean replied;
	gchar *operation; /* (owned) */
} OtaClientRun;

static void
ota_client_run_free (OtaClientRun *run)
{
	if (run->signal_id != 0)
		g_dbus_connection_signal_unsubscribe (run->connection, run->signal_id);
	g_clear_object (&run->connection);
	g_free (run->operation);
	g_free (run);
}

/* the job whose end ends @operation; a failed download also ends an install */
static gboolean
ota_client_run_is_last (const gchar *operation, const gchar *job, const gchar *result)
{
	const gchar *last = g_str_equal (operation, "consent") ? "install" : operation;

	if (g_str_equal (job, last))
		return TRUE;
	return g_str_equal (last, "install") && g_str_equal (job, "download") &&
	       !g_str_equal (result, "success");
}

static void
ota_client_run_signal_cb (GDBusConnection *connection,
			  const gchar *sender_name,
			  const gchar *object_path,
			  const gchar *interface_name,
			  const gchar *signal_name,
			  GVariant *parameters,
			  gpointer user_data)
{
	GTask *task = G_TASK (user_data);
	OtaClientRun *run = g_task_get_task_data (task);
	const gchar *job = NULL, *result = NULL;
	g_autoptr(GVariant) details = NULL;
	const gchar *name = NULL, *message = NULL;
	GError *error;

	if (!run->replied || g_task_get_completed (task) ||
	    !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ssa{sv})")))
		return;
	g_variant_get (parameters, "(&s&s@a{sv})", &job, &result, &details);
	if (!ota_client_run_is_last (run->operation, job, result))
		return;
	g_dbus_connection_signal_unsubscribe (run->connection, run->signal_id);
	run->signal_id = 0;
	if (g_str_equal (result, "success")) {
		g_task_return_boolean (task, TRUE);
	} else if (g_str_equal (result, "cancelled")) {
		g_task_return_new_error (task, OTA_ERROR, OTA_ERROR_CANCELLED, "%s was cancelled",
					 job);
	} else {
		(void)g_variant_lookup (details, "error-name", "&s", &name);
		(void)g_variant_lookup (details, "error-message", "&s", &message);
		error = g_dbus_error_new_for_dbus_error (name != NULL ? name
								      : "org.otad.Updater1.Error.Failed",
							 message != NULL ? message : "failed");
		ota_client_fixup_error (error);
		g_task_return_error (task, error);
	}
	g_object_unref (task); /* the subscription's */
}

static void
ota_client_run_reply_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK (user_data);
	OtaClientRun *run = g_task_get_task_data (task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), res, &error);

	if (reply == NULL) {
		if (run->signal_id != 0) {
			g_dbus_connection_signal_unsubscribe (run->connection, run->signal_id);
			run->signal_id = 0;
			g_object_unref (task); /* the subscription's */
		}
		ota_client_fixup_error (error);
		g_task_return_error (task, g_steal_pointer (&error));
		return;
	}
	run->replied = TRUE;
}

/**
 * ota_client_run_async:
 * @self: a connected #OtaClient
 * @operation: "check", "download", "install", "rollback", "consent" or "discard"
 * @offer_id: (nullable): the offer the call is for (needed for "consent"); otad refuses
 *   with %OTA_ERROR_STALE_OFFER when it is not on offer any more
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting, not the job
 *   (ota_client_cancel_async() does that)
 * @callback: (scope async) (closure callback_data): called when the job has finished
 * @callback_data: data for @callback
 *
 * Starts @operation and finishes when otad reports the job done (JobFinished; for
 * "install" and "consent" the install, or a download that failed first).  The check's
 * outcome is in #OtaClient:update-info by then.  Needs otad of interface version 4.
 *
 * Since: 0.4
 */
void
ota_client_run_async (OtaClient *self,
		      const gchar *operation,
		      const gchar *offer_id,
		      OtaClientFlags flags,
		      GCancellable *cancellable,
		      GAsyncReadyCallback callback,
		      gpointer callback_data)
{
	static const gchar *const methods[][2] = {
	    {"check", "Check"},	      {"download", "Download"}, {"install", "Install"},
	    {"rollback", "Rollback"}, {"consent", "Consent"},	{"discard", "Discard"}};
	g_autoptr(GTask) task = g_task_new (self, cancellable, callback, callback_data);
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	const gchar *method = NULL;
	OtaClientRun *run;
	GVariant *params;

	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (operation != NULL);
	g_task_set_source_tag (task, ota_client_run_async);
	for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
		if (g_str_equal (methods[i][0], operation))
			method = methods[i][1];
	}
	if (method == NULL || (g_str_equal (operation, "consent") && offer_id == NULL)) {
		g_task_return_new_error (task, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
					 "cannot run \"%s\"%s", operation,
					 method != NULL ? " without an offer id" : "");
		return;
	}
	if (self->proxy == NULL || self->connection == NULL) {
		g_task_return_new_error (task, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
					 "not connected to otad");
		return;
	}
	if (flags & OTA_CLIENT_FLAGS_INTERACTIVE)
		g_variant_builder_add (&b, "{sv}", "interactive", g_variant_new_boolean (TRUE));
	if (offer_id != NULL && !g_str_equal (operation, "consent") &&
	    !g_str_equal (operation, "check") && !g_str_equal (operation, "rollback"))
		g_variant_builder_add (&b, "{sv}", "offer-id", g_variant_new_string (offer_id));
	params = g_str_equal (operation, "consent") ? g_variant_new ("(sa{sv})", offer_id, &b)
						     : g_variant_new ("(a{sv})", &b);

	run = g_new0 (OtaClientRun, 1);
	run->connection = g_object_ref (self->connection);
	run->operation = g_strdup (operation);
	g_task_set_task_data (task, run, (GDestroyNotify)ota_client_run_free);
	run->signal_id = g_dbus_connection_signal_subscribe (
	    self->connection, OTA_DBUS_SERVICE, OTA_DBUS_INTERFACE, "JobFinished", OTA_DBUS_PATH,
	    NULL, G_DBUS_SIGNAL_FLAGS_NONE, ota_client_run_signal_cb, g_object_ref (task), NULL);
	g_dbus_proxy_call (G_DBUS_PROXY (self->proxy), method, params,
			   G_DBUS_CALL_FLAGS_NO_AUTO_START |
			       ((flags & OTA_CLIENT_FLAGS_INTERACTIVE)
				    ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
				    : 0),
			   (flags & OTA_CLIENT_FLAGS_INTERACTIVE) ? G_MAXINT : -1, cancellable,
			   ota_client_run_reply_cb, g_steal_pointer (&task));
}

/**
 * ota_client_run_finish:
 * @self: an #OtaClient
 * @res: the #GAsyncResult passed to the callback
 * @error: return location for a #GError: the call's, or the job's (e.g.
 *   %OTA_ERROR_NETWORK, %OTA_ERROR_CANCELLED)
 *
 * Returns: %TRUE when the job succeeded
 *
 * Since: 0.4
 */
gboolean
ota_client_run_finish (OtaClient *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (g_task_is_valid (res, self), FALSE);
	return g_task_propagate_boolean (G_TASK (res), error);
}
