/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadBus"

#include "config.h"

#include "ota-error.h"
#include "otad-bus-private.h"
#include "otad-invocation.h"

/*
 * The bus side of the update methods: thin on purpose.  Each handler checks
 * the state (WrongState), the options (InvalidArgument) and the offer the call
 * names (StaleOffer), then asks polkit
 * asynchronously (AuthFailed; a prompt only when the caller set "interactive"),
 * and only then hands the call to the engine, which starts a job and returns:
 * the call completes at once, the outcome arrives through State (STYLE.md §6-7).
 */

/* the options each method understands (the XML's @options) */
static const OtadOption otad_bus_methods_interactive_option[] = {{"interactive", "b"}};
/* GetHistory: at most limit entries (0 all), none older than since (Unix seconds) */
static const OtadOption otad_bus_methods_history_options[] = {{"limit", "u"}, {"since", "t"}};
static const OtadOption otad_bus_methods_offer_options[] = {{"interactive", "b"},
							    {"offer-id", "s"}};
static const OtadOption otad_bus_methods_consent_options[] = {{"interactive", "b"},
							      {"download-only", "b"}};

/* one polkit action per verb (DESIGN.md), as the XML documents them */
static const gchar *const otad_bus_methods_actions[] = {
    [OTAD_ENGINE_OP_CHECK] = "org.otad.check",	     [OTAD_ENGINE_OP_DOWNLOAD] = "org.otad.install",
    [OTAD_ENGINE_OP_INSTALL] = "org.otad.install",   [OTAD_ENGINE_OP_CANCEL] = "org.otad.install",
    [OTAD_ENGINE_OP_ROLLBACK] = "org.otad.rollback", [OTAD_ENGINE_OP_CONSENT] = "org.otad.install",
    [OTAD_ENGINE_OP_DECLINE] = "org.otad.install",   [OTAD_ENGINE_OP_POSTPONE] = "org.otad.install",
    [OTAD_ENGINE_OP_DISCARD] = "org.otad.install",
};
G_STATIC_ASSERT (G_N_ELEMENTS (otad_bus_methods_actions) == OTAD_ENGINE_OP_LAST);

typedef struct {
	OtadBus *bus;		   /* (owned) */
	GDBusMethodInvocation *invocation; /* (owned) */
	OtadEngineOp op;
	gchar *offer_id; /* (owned) (nullable) */
	guint64 until;
	gboolean download_only;
} OtadBusAuthHelper;

static void
otad_bus_methods_auth_helper_free (OtadBusAuthHelper *helper)
{
	g_object_unref (helper->bus);
	g_object_unref (helper->invocation);
	g_free (helper->offer_id);
	g_free (helper);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadBusAuthHelper, otad_bus_methods_auth_helper_free)

static void
otad_bus_methods_complete (OtadBus *self, GDBusMethodInvocation *invocation, OtadEngineOp op)
{
	switch (op) {
	case OTAD_ENGINE_OP_CHECK:
		ota_dbus_updater1_complete_check (self->skeleton, invocation);
		break;
	case OTAD_ENGINE_OP_DOWNLOAD:
		ota_dbus_updater1_complete_download (self->skeleton, invocation);
		break;
	case OTAD_ENGINE_OP_INSTALL:
		ota_dbus_updater1_complete_install (self->skeleton, invocation);
		break;
	case OTAD_ENGINE_OP_CANCEL:
		ota_dbus_updater1_complete_cancel (self->skeleton, invocation);
		break;
	case OTAD_ENGINE_OP_ROLLBACK:
		ota_dbus_updater1_complete_rollback (self->skeleton, invocation);
		break;
	case OTAD_ENGINE_OP_CONSENT:
		ota_dbus_updater1_complete_consent (self->skeleton, invocation);
		break;
	case OTAD_ENGINE_OP_DECLINE:
		ota_dbus_updater1_complete_decline (self->skeleton, invocation);
		break;
	case OTAD_ENGINE_OP_POSTPONE:
		ota_dbus_updater1_complete_postpone (self->skeleton, invocation);
		break;
	case OTAD_ENGINE_OP_DISCARD:
		ota_dbus_updater1_complete_discard (self->skeleton, invocation);
		break;
	case OTAD_ENGINE_OP_LAST:
	default:
		g_assert_not_reached ();
	}
}

static void
otad_bus_methods_args (const OtadBusAuthHelper *helper, OtadEngineOpArgs *args)
{
	args->offer_id = helper->offer_id;
	args->until = helper->until;
	args->download_only = helper->download_only;
	args->automatic = FALSE;
}

static void
otad_bus_methods_auth_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(OtadBusAuthHelper) helper = user_data;
	OtadBus *self = helper->bus;
	g_autoptr(GError) error = NULL;
	OtadEngineOpArgs args;

	otad_bus_methods_args (helper, &args);
	if (!otad_authority_check_finish (OTAD_AUTHORITY (source), res, &error) ||
	    !otad_engine_run_op_args (self->engine, helper->op, &args, &error)) {
		otad_invocation_return_error (helper->invocation, error);
		return;
	}
	g_info ("%s from %s", otad_engine_op_to_method (helper->op),
		g_dbus_method_invocation_get_sender (helper->invocation));
	otad_bus_methods_complete (self, helper->invocation, helper->op);
}

static const OtadOption *
otad_bus_methods_known_options (OtadEngineOp op, gsize *out_n)
{
	switch (op) {
	case OTAD_ENGINE_OP_DOWNLOAD:
	case OTAD_ENGINE_OP_INSTALL:
	case OTAD_ENGINE_OP_DISCARD:
		*out_n = G_N_ELEMENTS (otad_bus_methods_offer_options);
		return otad_bus_methods_offer_options;
	case OTAD_ENGINE_OP_CONSENT:
		*out_n = G_N_ELEMENTS (otad_bus_methods_consent_options);
		return otad_bus_methods_consent_options;
	default:
		*out_n = G_N_ELEMENTS (otad_bus_methods_interactive_option);
		return otad_bus_methods_interactive_option;
	}
}

/* state guard → strict options → the offer named → polkit → the engine */
static gboolean
otad_bus_methods_handle_full (OtadBus *self,
			      GDBusMethodInvocation *invocation,
			      OtadEngineOp op,
			      const gchar *offer_id,
			      guint64 until,
			      GVariant *options)
{
	g_autoptr(GError) error = NULL;
	OtadAuthorityCheckFlags flags = OTAD_AUTHORITY_CHECK_FLAG_NONE;
	gboolean interactive = FALSE;
	g_autoptr(OtadBusAuthHelper) helper = g_new0 (OtadBusAuthHelper, 1);
	OtadEngineOpArgs args;
	const OtadOption *known;
	gsize n_known = 0;

	helper->bus = g_object_ref (self);
	helper->invocation = g_object_ref (invocation);
	helper->op = op;
	helper->offer_id = g_strdup (offer_id);
	helper->until = until;
	known = otad_bus_methods_known_options (op, &n_known);
	if (!otad_engine_can (self->engine, op, &error) ||
	    (options != NULL &&
	     !otad_invocation_check_options (options, known, n_known, &error))) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	if (options != NULL) {
		if (g_variant_lookup (options, "interactive", "b", &interactive) && interactive)
			flags |= OTAD_AUTHORITY_CHECK_FLAG_ALLOW_INTERACTION;
		if (helper->offer_id == NULL)
			(void)g_variant_lookup (options, "offer-id", "s", &helper->offer_id);
		(void)g_variant_lookup (options, "download-only", "b", &helper->download_only);
	}
	otad_bus_methods_args (helper, &args);
	if (!otad_engine_check_args (self->engine, op, &args, &error)) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	if (otad_bus_ensure_authority (self, &error) == NULL) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	otad_authority_check (self->authority, g_dbus_method_invocation_get_sender (invocation),
			      otad_bus_methods_actions[op], flags, NULL, otad_bus_methods_auth_cb,
			      g_steal_pointer (&helper));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
otad_bus_methods_handle (OtadBus *self,
			 GDBusMethodInvocation *invocation,
			 OtadEngineOp op,
			 GVariant *options)
{
	return otad_bus_methods_handle_full (self, invocation, op, NULL, 0, options);
}

static gboolean
otad_bus_methods_handle_check_cb (OtaDBusUpdater1 *skeleton,
			      GDBusMethodInvocation *invocation,
			      GVariant *options,
			      gpointer user_data)
{
	return otad_bus_methods_handle (OTAD_BUS (user_data), invocation, OTAD_ENGINE_OP_CHECK,
				    options);
}

static gboolean
otad_bus_methods_handle_download_cb (OtaDBusUpdater1 *skeleton,
				 GDBusMethodInvocation *invocation,
				 GVariant *options,
				 gpointer user_data)
{
	return otad_bus_methods_handle (OTAD_BUS (user_data), invocation,
				    OTAD_ENGINE_OP_DOWNLOAD, options);
}

static gboolean
otad_bus_methods_handle_install_cb (OtaDBusUpdater1 *skeleton,
				GDBusMethodInvocation *invocation,
				GVariant *options,
				gpointer user_data)
{
	return otad_bus_methods_handle (OTAD_BUS (user_data), invocation, OTAD_ENGINE_OP_INSTALL,
				    options);
}

static gboolean
otad_bus_methods_handle_cancel_cb (OtaDBusUpdater1 *skeleton,
			       GDBusMethodInvocation *invocation,
			       gpointer user_data)
{
	return otad_bus_methods_handle (OTAD_BUS (user_data), invocation, OTAD_ENGINE_OP_CANCEL,
				    NULL);
}

static gboolean
otad_bus_methods_handle_rollback_cb (OtaDBusUpdater1 *skeleton,
				 GDBusMethodInvocation *invocation,
				 GVariant *options,
				 gpointer user_data)
{
	return otad_bus_methods_handle (OTAD_BUS (user_data), invocation,
				    OTAD_ENGINE_OP_ROLLBACK, options);
}

static gboolean
otad_bus_methods_handle_consent_cb (OtaDBusUpdater1 *skeleton,
				    GDBusMethodInvocation *invocation,
				    const gchar *offer_id,
				    GVariant *options,
				    gpointer user_data)
{
	return otad_bus_methods_handle_full (OTAD_BUS (user_data), invocation,
					     OTAD_ENGINE_OP_CONSENT, offer_id, 0, options);
}

static gboolean
otad_bus_methods_handle_decline_cb (OtaDBusUpdater1 *skeleton,
				    GDBusMethodInvocation *invocation,
				    const gchar *offer_id,
				    gpointer user_data)
{
	return otad_bus_methods_handle_full (OTAD_BUS (user_data), invocation,
					     OTAD_ENGINE_OP_DECLINE, offer_id, 0, NULL);
}

static gboolean
otad_bus_methods_handle_postpone_cb (OtaDBusUpdater1 *skeleton,
				     GDBusMethodInvocation *invocation,
				     const gchar *offer_id,
				     guint64 until,
				     gpointer user_data)
{
	return otad_bus_methods_handle_full (OTAD_BUS (user_data), invocation,
					     OTAD_ENGINE_OP_POSTPONE, offer_id, until, NULL);
}

static gboolean
otad_bus_methods_handle_discard_cb (OtaDBusUpdater1 *skeleton,
				    GDBusMethodInvocation *invocation,
				    GVariant *options,
				    gpointer user_data)
{
	return otad_bus_methods_handle (OTAD_BUS (user_data), invocation, OTAD_ENGINE_OP_DISCARD,
					options);
}

/* reading the history needs no authorisation, like the properties */
static gboolean
otad_bus_methods_handle_get_history_cb (OtaDBusUpdater1 *skeleton,
				    GDBusMethodInvocation *invocation,
				    GVariant *options,
				    gpointer user_data)
{
	OtadBus *self = OTAD_BUS (user_data);
	g_autoptr(GError) error = NULL;
	GVariant *entries;

	guint32 limit = 0;
	guint64 since = 0;

	if (!otad_invocation_check_options (options, otad_bus_methods_history_options,
					    G_N_ELEMENTS (otad_bus_methods_history_options),
					    &error)) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	(void)g_variant_lookup (options, "limit", "u", &limit);
	(void)g_variant_lookup (options, "since", "t", &since);
	entries = otad_engine_get_history (self->engine, limit, since, &error);
	if (entries == NULL) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	ota_dbus_updater1_complete_get_history (self->skeleton, invocation, entries);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* connected before the name is owned, so no call finds a method unhandled */
void
otad_bus_methods_connect (OtadBus *self)
{
	g_signal_connect (self->skeleton, "handle-check",
			  G_CALLBACK (otad_bus_methods_handle_check_cb), self);
	g_signal_connect (self->skeleton, "handle-download",
			  G_CALLBACK (otad_bus_methods_handle_download_cb), self);
	g_signal_connect (self->skeleton, "handle-install",
			  G_CALLBACK (otad_bus_methods_handle_install_cb), self);
	g_signal_connect (self->skeleton, "handle-cancel",
			  G_CALLBACK (otad_bus_methods_handle_cancel_cb), self);
	g_signal_connect (self->skeleton, "handle-rollback",
			  G_CALLBACK (otad_bus_methods_handle_rollback_cb), self);
	g_signal_connect (self->skeleton, "handle-consent",
			  G_CALLBACK (otad_bus_methods_handle_consent_cb), self);
	g_signal_connect (self->skeleton, "handle-decline",
			  G_CALLBACK (otad_bus_methods_handle_decline_cb), self);
	g_signal_connect (self->skeleton, "handle-postpone",
			  G_CALLBACK (otad_bus_methods_handle_postpone_cb), self);
	g_signal_connect (self->skeleton, "handle-discard",
			  G_CALLBACK (otad_bus_methods_handle_discard_cb), self);
	g_signal_connect (self->skeleton, "handle-get-history",
			  G_CALLBACK (otad_bus_methods_handle_get_history_cb), self);
}
