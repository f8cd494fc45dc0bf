/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-common.h"
#include "ota-error.h"

/*
 * A job call (Check, Download, Install, Rollback, Consent, Discard) that finishes when
 * otad says the job has finished (JobFinished, interface version 4), with the job's
 * result as the error.  The JobFinished subscription is made before the call, in the
 * caller's context, and only signals after the call's reply count: otad sends the reply
 * before the job's signal, and one connection keeps the order, so an earlier job's signal
 * is never taken for this one.  The wait also ends when otad leaves the bus (a crash:
 * JobFinished would never come) and when the caller's cancellable fires (the job goes on
 * in otad; Cancel stops it).  An otad older than interface version 4 sends no
 * JobFinished: there the call finishes with otad's reply, as libota 0.3 did.
 */

typedef struct {
	GDBusConnection *connection; /* (owned) */
	GCancellable *cancellable;   /* (owned) (nullable) */
	gchar *operation;	     /* (owned) */
	guint signal_id;
	guint owner_id;
	gulong cancel_id;
	gboolean replied;
	gboolean returned;
} OtaClientRun;

static void
ota_client_run_unsubscribe (OtaClientRun *run)
{
	if (run->signal_id != 0)
		g_dbus_connection_signal_unsubscribe (run->connection, run->signal_id);
	if (run->owner_id != 0)
		g_dbus_connection_signal_unsubscribe (run->connection, run->owner_id);
	run->signal_id = 0;
	run->owner_id = 0;
}

static void
ota_client_run_free (OtaClientRun *run)
{
	ota_client_run_unsubscribe (run);
	/* the task is finalized from its callback, never inside the cancelled handler */
	if (run->cancel_id != 0)
		g_cancellable_disconnect (run->cancellable, run->cancel_id);
	g_clear_object (&run->cancellable);
	g_clear_object (&run->connection);
	g_free (run->operation);
	g_free (run);
}

/* ends the wait once, with @error (owned) or success when it is %NULL */
static void
ota_client_run_return (GTask *task, GError *error)
{
	OtaClientRun *run = g_task_get_task_data (task);

	if (run->returned) {
		g_clear_error (&error);
		return;
	}
	run->returned = TRUE;
	ota_client_run_unsubscribe (run);
	if (error != NULL)
		g_task_return_error (task, error);
	else
		g_task_return_boolean (task, TRUE);
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

static GError *
ota_client_run_job_error (const gchar *job, const gchar *result, GVariant *details)
{
	const gchar *name = NULL, *message = NULL;
	GError *error;

	if (g_str_equal (result, "cancelled"))
		return g_error_new (OTA_ERROR, OTA_ERROR_CANCELLED, "%s was cancelled", job);
	(void)g_variant_lookup (details, "error-name", "&s", &name);
	(void)g_variant_lookup (details, "error-message", "&s", &message);
	error = g_dbus_error_new_for_dbus_error (name != NULL ? name
							      : "org.otad.Updater1.Error.Failed",
						 message != NULL ? message : "failed");
	ota_client_fixup_error (error);
	return error;
}

static void
ota_client_run_job_finished (GTask *task, GVariant *parameters)
{
	OtaClientRun *run = g_task_get_task_data (task);
	const gchar *job = NULL, *result = NULL;
	g_autoptr(GVariant) details = NULL;

	if (!run->replied || !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ssa{sv})")))
		return;
	g_variant_get (parameters, "(&s&s@a{sv})", &job, &result, &details);
	if (!ota_client_run_is_last (run->operation, job, result))
		return;
	ota_client_run_return (task, g_str_equal (result, "success")
					 ? NULL
					 : ota_client_run_job_error (job, result, details));
}

static void
ota_client_run_name_owner_changed (GTask *task, GVariant *parameters)
{
	const gchar *name = NULL, *old_owner = NULL, *new_owner = NULL;

	if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
		return;
	g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
	if (old_owner[0] == '\0' || new_owner[0] != '\0')
		return;
	ota_client_run_return (task, g_error_new_literal (OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
							  "otad left the bus before the job "
							  "finished"));
}

/* JobFinished from otad, or NameOwnerChanged from the bus */
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

	if (run->returned)
		return;
	if (g_str_equal (signal_name, "JobFinished"))
		ota_client_run_job_finished (task, parameters);
	else
		ota_client_run_name_owner_changed (task, parameters);
}

static gboolean
ota_client_run_cancelled_idle_cb (gpointer user_data)
{
	GTask *task = G_TASK (user_data);
	GError *error = NULL;

	(void)g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error);
	ota_client_run_return (task, error);
	return G_SOURCE_REMOVE;
}

/* may run in any thread, and inside g_cancellable_connect(): the wait ends in the
 * task's own context, never in this handler (see ota_client_run_free()) */
static void
ota_client_run_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
	GTask *task = G_TASK (user_data);
	g_autoptr(GSource) source = g_idle_source_new ();

	g_source_set_callback (source, ota_client_run_cancelled_idle_cb, g_object_ref (task),
			       g_object_unref);
	g_source_attach (source, g_task_get_context (task));
}

static void
ota_client_run_reply_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK (user_data);
	OtaClientRun *run = g_task_get_task_data (task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), res, &error);

	if (reply == NULL) {
		ota_client_fixup_error (error);
		ota_client_run_return (task, g_steal_pointer (&error));
		return;
	}
	run->replied = TRUE;
	if (run->signal_id == 0)
		ota_client_run_return (task, NULL);
}

static gboolean
ota_client_run_method (const gchar *operation, const gchar **method)
{
	static const gchar *const methods[][2] = {
	    {"check", "Check"},	      {"download", "Download"}, {"install", "Install"},
	    {"rollback", "Rollback"}, {"consent", "Consent"},	{"discard", "Discard"}};

	for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
		if (g_str_equal (methods[i][0], operation)) {
			*method = methods[i][1];
			return TRUE;
		}
	}
	return FALSE;
}

static GVariant *
ota_client_run_params (const gchar *operation, const gchar *offer_id, OtaClientFlags flags)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	/* only sent when set, so that a daemon that knows no options accepts the call */
	if (flags & OTA_CLIENT_FLAGS_INTERACTIVE)
		g_variant_builder_add (&b, "{sv}", "interactive", g_variant_new_boolean (TRUE));
	if (offer_id != NULL && !g_str_equal (operation, "consent") &&
	    !g_str_equal (operation, "check") && !g_str_equal (operation, "rollback"))
		g_variant_builder_add (&b, "{sv}", "offer-id", g_variant_new_string (offer_id));
	return g_str_equal (operation, "consent") ? g_variant_new ("(sa{sv})", offer_id, &b)
						  : g_variant_new ("(a{sv})", &b);
}

/* starts @operation; @source_tag is the public _async() the caller finishes with
 * ota_client_job_finish() */
void
ota_client_job_async (OtaClient *self,
		      const gchar *operation,
		      const gchar *offer_id,
		      OtaClientFlags flags,
		      GCancellable *cancellable,
		      GAsyncReadyCallback callback,
		      gpointer callback_data,
		      gpointer source_tag)
{
	g_autoptr(GTask) task = g_task_new (self, cancellable, callback, callback_data);
	const gchar *method = NULL;
	OtaClientRun *run;

	g_task_set_source_tag (task, source_tag);
	if (!ota_client_run_method (operation, &method) ||
	    (g_str_equal (operation, "consent") && offer_id == NULL)) {
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

	run = g_new0 (OtaClientRun, 1);
	run->connection = g_object_ref (self->connection);
	run->operation = g_strdup (operation);
	g_task_set_task_data (task, run, (GDestroyNotify)ota_client_run_free);
	if (self->daemon_version >= 4) {
		run->signal_id = g_dbus_connection_signal_subscribe (
		    self->connection, OTA_DBUS_SERVICE, OTA_DBUS_INTERFACE, "JobFinished",
		    OTA_DBUS_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, ota_client_run_signal_cb,
		    g_object_ref (task), g_object_unref);
		run->owner_id = g_dbus_connection_signal_subscribe (
		    self->connection, "org.freedesktop.DBus", "org.freedesktop.DBus",
		    "NameOwnerChanged", "/org/freedesktop/DBus", OTA_DBUS_SERVICE,
		    G_DBUS_SIGNAL_FLAGS_NONE, ota_client_run_signal_cb, g_object_ref (task),
		    g_object_unref);
		if (cancellable != NULL) {
			run->cancellable = g_object_ref (cancellable);
			run->cancel_id = g_cancellable_connect (
			    cancellable, G_CALLBACK (ota_client_run_cancelled_cb), task, NULL);
		}
	}
	g_dbus_proxy_call (G_DBUS_PROXY (self->proxy), method,
			   ota_client_run_params (operation, offer_id, flags),
			   G_DBUS_CALL_FLAGS_NO_AUTO_START |
			       ((flags & OTA_CLIENT_FLAGS_INTERACTIVE)
				    ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
				    : 0),
			   /* a person typing a password is not bound by the default 25 s */
			   (flags & OTA_CLIENT_FLAGS_INTERACTIVE) ? G_MAXINT : -1, cancellable,
			   ota_client_run_reply_cb, g_steal_pointer (&task));
}

gboolean
ota_client_job_finish (OtaClient *self, GAsyncResult *res, gpointer source_tag, GError **error)
{
	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (g_task_is_valid (res, self), FALSE);
	g_return_val_if_fail (g_task_get_source_tag (G_TASK (res)) == source_tag, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
	return g_task_propagate_boolean (G_TASK (res), error);
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
 * outcome is in #OtaClient:update-info by then.  With an otad older than interface
 * version 4 it finishes when the job has started.
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
	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (operation != NULL);
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
	ota_client_job_async (self, operation, offer_id, flags, cancellable, callback,
			      callback_data, ota_client_run_async);
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
	return ota_client_job_finish (self, res, ota_client_run_async, error);
}
