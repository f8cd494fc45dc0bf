/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-client-private.h"
#include "ota-client-sync.h"
#include "ota-error.h"

/*
 * Interface version 4: the answers to an offer (Consent, Decline, Postpone, Discard),
 * and otad's StateChanged and JobFinished as GObject signals.
 */

enum { SIGNAL_STATE_CHANGED, SIGNAL_JOB_FINISHED, SIGNAL_LAST };
static guint ota_client_signals[SIGNAL_LAST] = {0};

void
ota_client_signals_class_init (OtaClientClass *klass)
{
	/**
	 * OtaClient::state-changed:
	 * @self: the #OtaClient
	 * @state: the new state, e.g. "awaiting-consent"
	 * @details: an `a{sv}`: "previous" (s), "offer-id" (s), "error-name" and
	 *   "error-message" (s) in the error state
	 *
	 * otad's StateChanged: once per change of state, after #OtaClient:state shows it.
	 *
	 * Since: 0.4
	 */
	ota_client_signals[SIGNAL_STATE_CHANGED] =
	    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
			  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_VARIANT);
	/**
	 * OtaClient::job-finished:
	 * @self: the #OtaClient
	 * @job: "check", "download", "install", "rollback", "confirm" or "discard"
	 * @result: "success", "failed" or "cancelled"
	 * @details: an `a{sv}`: "offer-id" (s), "found" (b) for a check, "error-name"
	 *   and "error-message" (s) when it failed
	 *
	 * otad's JobFinished: exactly once for every job otad ran.
	 *
	 * Since: 0.4
	 */
	ota_client_signals[SIGNAL_JOB_FINISHED] =
	    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
			  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_VARIANT);
}

void
ota_client_emit_daemon_signal (OtaClient *self, const gchar *name, GVariant *parameters)
{
	const gchar *a = NULL, *b = NULL;
	g_autoptr(GVariant) details = NULL;

	if (g_strcmp0 (name, "StateChanged") == 0 &&
	    g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv})"))) {
		g_variant_get (parameters, "(&s@a{sv})", &a, &details);
		g_signal_emit (self, ota_client_signals[SIGNAL_STATE_CHANGED], 0, a, details);
	} else if (g_strcmp0 (name, "JobFinished") == 0 &&
		   g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ssa{sv})"))) {
		g_variant_get (parameters, "(&s&s@a{sv})", &a, &b, &details);
		g_signal_emit (self, ota_client_signals[SIGNAL_JOB_FINISHED], 0, a, b, details);
	}
}

/* -- calls that answer at once ---------------------------------------------------- */

static GVariant *
ota_client_consent_options (OtaClientFlags flags, const gchar *offer_id)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	if (flags & OTA_CLIENT_FLAGS_INTERACTIVE)
		g_variant_builder_add (&b, "{sv}", "interactive", g_variant_new_boolean (TRUE));
	if (offer_id != NULL)
		g_variant_builder_add (&b, "{sv}", "offer-id", g_variant_new_string (offer_id));
	return g_variant_builder_end (&b);
}

/**
 * ota_client_consent_async:
 * @self: a connected #OtaClient
 * @offer_id: the offer the user agreed to (ota_update_info_get_offer_id())
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called when otad answered
 * @callback_data: data for @callback
 *
 * Consents to the offer (D-Bus `Consent`): otad downloads it when needed and installs
 * it.  %OTA_ERROR_STALE_OFFER means the offer changed since it was shown: show the new
 * one and ask again.
 *
 * Since: 0.4
 */
void
ota_client_consent_async (OtaClient *self,
			  const gchar *offer_id,
			  OtaClientFlags flags,
			  GCancellable *cancellable,
			  GAsyncReadyCallback callback,
			  gpointer callback_data)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (offer_id != NULL);
	if (flags & OTA_CLIENT_FLAGS_INTERACTIVE)
		g_variant_builder_add (&b, "{sv}", "interactive", g_variant_new_boolean (TRUE));
	ota_client_call (self, "Consent", g_variant_new ("(sa{sv})", offer_id, &b), flags,
				 cancellable, callback, callback_data, ota_client_consent_async);
}

/**
 * ota_client_decline_async:
 * @self: a connected #OtaClient
 * @offer_id: the offer the user refused
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called when otad answered
 * @callback_data: data for @callback
 *
 * Declines the offer (D-Bus `Decline`): otad drops it and automatic checks do not
 * offer it again.
 *
 * Since: 0.4
 */
void
ota_client_decline_async (OtaClient *self,
			  const gchar *offer_id,
			  OtaClientFlags flags,
			  GCancellable *cancellable,
			  GAsyncReadyCallback callback,
			  gpointer callback_data)
{
	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (offer_id != NULL);
	ota_client_call (self, "Decline", g_variant_new ("(s)", offer_id), flags,
				 cancellable, callback, callback_data, ota_client_decline_async);
}

/**
 * ota_client_postpone_async:
 * @self: a connected #OtaClient
 * @offer_id: the offer to put off
 * @until: Unix seconds, in the future
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called when otad answered
 * @callback_data: data for @callback
 *
 * Postpones the offer (D-Bus `Postpone`): otad offers it again at @until.
 *
 * Since: 0.4
 */
void
ota_client_postpone_async (OtaClient *self,
			   const gchar *offer_id,
			   guint64 until,
			   OtaClientFlags flags,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer callback_data)
{
	g_return_if_fail (OTA_IS_CLIENT (self));
	g_return_if_fail (offer_id != NULL);
	ota_client_call (self, "Postpone", g_variant_new ("(st)", offer_id, until), flags,
				 cancellable, callback, callback_data, ota_client_postpone_async);
}

/**
 * ota_client_discard_async:
 * @self: a connected #OtaClient
 * @offer_id: (nullable): only discard this offer
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called when otad answered
 * @callback_data: data for @callback
 *
 * Lets go of a downloaded update (D-Bus `Discard`); #OtaClient::job-finished
 * ("discard") follows.
 *
 * Since: 0.4
 */
void
ota_client_discard_async (OtaClient *self,
			  const gchar *offer_id,
			  OtaClientFlags flags,
			  GCancellable *cancellable,
			  GAsyncReadyCallback callback,
			  gpointer callback_data)
{
	g_return_if_fail (OTA_IS_CLIENT (self));
	ota_client_call (self, "Discard",
				 g_variant_new_tuple ((GVariant *[]){ota_client_consent_options (
							  flags, offer_id)},
						      1),
				 flags, cancellable, callback, callback_data,
				 ota_client_discard_async);
}

/**
 * ota_client_answer_finish:
 * @self: an #OtaClient
 * @res: the #GAsyncResult of ota_client_consent_async(), ota_client_decline_async(),
 *   ota_client_postpone_async() or ota_client_discard_async()
 * @error: return location for a #GError
 *
 * Returns: %TRUE when otad took the answer
 *
 * Since: 0.4
 */
gboolean
ota_client_answer_finish (OtaClient *self, GAsyncResult *res, GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	g_return_val_if_fail (OTA_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (g_task_is_valid (res, self), FALSE);
	reply = ota_client_call_finish (self, res, g_task_get_source_tag (G_TASK (res)), error);
	return reply != NULL;
}

/* -- blocking twins, on a private main context (as ota-client-sync.c) -------------- */

typedef struct {
	GMainLoop *loop;
	GAsyncResult *res;
} OtaClientAnswerWait;

static void
ota_client_answer_sync_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	OtaClientAnswerWait *wait = user_data;

	wait->res = g_object_ref (res);
	g_main_loop_quit (wait->loop);
}

typedef enum { OTA_ANSWER_CONSENT, OTA_ANSWER_DECLINE, OTA_ANSWER_POSTPONE, OTA_ANSWER_DISCARD } OtaAnswer;

static gboolean
ota_client_answer_sync (OtaClient *self,
			OtaAnswer answer,
			const gchar *offer_id,
			guint64 until,
			OtaClientFlags flags,
			GCancellable *cancellable,
			GError **error)
{
	g_autoptr(GMainContext) context = g_main_context_new ();
	g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
	OtaClientAnswerWait wait = {loop, NULL};
	gboolean ret;

	g_main_context_push_thread_default (context);
	switch (answer) {
	case OTA_ANSWER_CONSENT:
		ota_client_consent_async (self, offer_id, flags, cancellable,
					  ota_client_answer_sync_cb, &wait);
		break;
	case OTA_ANSWER_DECLINE:
		ota_client_decline_async (self, offer_id, flags, cancellable,
					  ota_client_answer_sync_cb, &wait);
		break;
	case OTA_ANSWER_POSTPONE:
		ota_client_postpone_async (self, offer_id, until, flags, cancellable,
					   ota_client_answer_sync_cb, &wait);
		break;
	case OTA_ANSWER_DISCARD:
	default:
		ota_client_discard_async (self, offer_id, flags, cancellable,
					  ota_client_answer_sync_cb, &wait);
		break;
	}
	g_main_loop_run (loop);
	g_main_context_pop_thread_default (context);
	ret = ota_client_answer_finish (self, wait.res, error);
	g_object_unref (wait.res);
	return ret;
}

/**
 * ota_client_consent_sync:
 * @self: a connected #OtaClient
 * @offer_id: the offer the user agreed to
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking ota_client_consent_async().
 *
 * Returns: %TRUE when otad took the consent
 *
 * Since: 0.4
 */
gboolean
ota_client_consent_sync (OtaClient *self,
			 const gchar *offer_id,
			 OtaClientFlags flags,
			 GCancellable *cancellable,
			 GError **error)
{
	return ota_client_answer_sync (self, OTA_ANSWER_CONSENT, offer_id, 0, flags, cancellable,
				       error);
}

/**
 * ota_client_decline_sync:
 * @self: a connected #OtaClient
 * @offer_id: the offer the user refused
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking ota_client_decline_async().
 *
 * Returns: %TRUE when otad took the answer
 *
 * Since: 0.4
 */
gboolean
ota_client_decline_sync (OtaClient *self,
			 const gchar *offer_id,
			 OtaClientFlags flags,
			 GCancellable *cancellable,
			 GError **error)
{
	return ota_client_answer_sync (self, OTA_ANSWER_DECLINE, offer_id, 0, flags, cancellable,
				       error);
}

/**
 * ota_client_postpone_sync:
 * @self: a connected #OtaClient
 * @offer_id: the offer to put off
 * @until: Unix seconds, in the future
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking ota_client_postpone_async().
 *
 * Returns: %TRUE when otad took the answer
 *
 * Since: 0.4
 */
gboolean
ota_client_postpone_sync (OtaClient *self,
			  const gchar *offer_id,
			  guint64 until,
			  OtaClientFlags flags,
			  GCancellable *cancellable,
			  GError **error)
{
	return ota_client_answer_sync (self, OTA_ANSWER_POSTPONE, offer_id, until, flags,
				       cancellable, error);
}

/**
 * ota_client_discard_sync:
 * @self: a connected #OtaClient
 * @offer_id: (nullable): only discard this offer
 * @flags: #OtaClientFlags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking ota_client_discard_async(); returns when the discard has started.
 *
 * Returns: %TRUE when otad took it
 *
 * Since: 0.4
 */
gboolean
ota_client_discard_sync (OtaClient *self,
			 const gchar *offer_id,
			 OtaClientFlags flags,
			 GCancellable *cancellable,
			 GError **error)
{
	return ota_client_answer_sync (self, OTA_ANSWER_DISCARD, offer_id, 0, flags, cancellable,
				       error);
}
