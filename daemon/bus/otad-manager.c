/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadManager"

#include "config.h"

#include "ota-error.h"
#include "otad-authority.h"
#include "otad-invocation.h"
#include "otad-manager.h"

/*
 * The bus side of the update methods: thin on purpose.  Each handler checks
 * the state (WrongState), then the options (InvalidArgument), then asks polkit
 * asynchronously (AuthFailed; a prompt only when the caller set "interactive"),
 * and only then hands the call to the engine, which starts a job and returns:
 * the call completes at once, the outcome arrives through State (STYLE.md §6-7).
 */

struct _OtadManager {
	GObject parent_instance;
	OtadDaemon *daemon;	   /* (owned) */
	OtadEngine *engine;	   /* (owned) */
	OtaDBusUpdater1 *skeleton; /* (owned) */
	OtadAuthority *authority;  /* (owned) (nullable) made on the first call */
};

G_DEFINE_TYPE (OtadManager, otad_manager, G_TYPE_OBJECT)

static const OtadOption otad_manager_interactive_option[] = {{"interactive", "b"}};

/* one polkit action per verb (DESIGN.md), as the XML documents them */
static const gchar *const otad_manager_actions[] = {
    [OTAD_ENGINE_OP_CHECK] = "org.otad.check",	     [OTAD_ENGINE_OP_DOWNLOAD] = "org.otad.install",
    [OTAD_ENGINE_OP_INSTALL] = "org.otad.install",   [OTAD_ENGINE_OP_CANCEL] = "org.otad.install",
    [OTAD_ENGINE_OP_ROLLBACK] = "org.otad.rollback",
};
G_STATIC_ASSERT (G_N_ELEMENTS (otad_manager_actions) == OTAD_ENGINE_OP_LAST);

typedef struct {
	OtadManager *manager;		   /* (owned) */
	GDBusMethodInvocation *invocation; /* (owned) */
	OtadEngineOp op;
} OtadManagerAuthHelper;

static void
otad_manager_auth_helper_free (OtadManagerAuthHelper *helper)
{
	g_object_unref (helper->manager);
	g_object_unref (helper->invocation);
	g_free (helper);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadManagerAuthHelper, otad_manager_auth_helper_free)

static void
otad_manager_complete (OtadManager *self, GDBusMethodInvocation *invocation, OtadEngineOp op)
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
	case OTAD_ENGINE_OP_LAST:
	default:
		g_assert_not_reached ();
	}
}

static void
otad_manager_auth_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(OtadManagerAuthHelper) helper = user_data;
	OtadManager *self = helper->manager;
	g_autoptr(GError) error = NULL;

	if (!otad_authority_check_finish (OTAD_AUTHORITY (source), res, &error) ||
	    !otad_engine_run_op (self->engine, helper->op, &error)) {
		otad_invocation_return_error (helper->invocation, error);
		return;
	}
	g_info ("%s from %s", otad_engine_op_to_method (helper->op),
		g_dbus_method_invocation_get_sender (helper->invocation));
	otad_manager_complete (self, helper->invocation, helper->op);
}

static gboolean
otad_manager_handle (OtadManager *self,
		     GDBusMethodInvocation *invocation,
		     OtadEngineOp op,
		     GVariant *options)
{
	g_autoptr(GError) error = NULL;
	OtadAuthorityCheckFlags flags = OTAD_AUTHORITY_CHECK_FLAG_NONE;
	gboolean interactive = FALSE;
	OtadManagerAuthHelper *helper;

	if (!otad_engine_can (self->engine, op, &error) ||
	    (options != NULL &&
	     !otad_invocation_check_options (options, otad_manager_interactive_option,
					     G_N_ELEMENTS (otad_manager_interactive_option),
					     &error))) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	if (options != NULL && g_variant_lookup (options, "interactive", "b", &interactive) &&
	    interactive)
		flags |= OTAD_AUTHORITY_CHECK_FLAG_ALLOW_INTERACTION;
	if (self->authority == NULL) {
		GDBusConnection *connection = otad_daemon_get_connection (self->daemon);
		if (connection == NULL) {
			g_set_error_literal (&error, OTA_ERROR, OTA_ERROR_INTERNAL,
					     "not connected");
			otad_invocation_return_error (invocation, error);
			return G_DBUS_METHOD_INVOCATION_HANDLED;
		}
		self->authority = otad_authority_new (connection);
	}
	helper = g_new0 (OtadManagerAuthHelper, 1);
	helper->manager = g_object_ref (self);
	helper->invocation = g_object_ref (invocation);
	helper->op = op;
	otad_authority_check (self->authority, g_dbus_method_invocation_get_sender (invocation),
			      otad_manager_actions[op], flags, NULL, otad_manager_auth_cb, helper);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
otad_manager_handle_check_cb (OtaDBusUpdater1 *skeleton,
			      GDBusMethodInvocation *invocation,
			      GVariant *options,
			      gpointer user_data)
{
	return otad_manager_handle (OTAD_MANAGER (user_data), invocation, OTAD_ENGINE_OP_CHECK,
				    options);
}

static gboolean
otad_manager_handle_download_cb (OtaDBusUpdater1 *skeleton,
				 GDBusMethodInvocation *invocation,
				 GVariant *options,
				 gpointer user_data)
{
	return otad_manager_handle (OTAD_MANAGER (user_data), invocation,
				    OTAD_ENGINE_OP_DOWNLOAD, options);
}

static gboolean
otad_manager_handle_install_cb (OtaDBusUpdater1 *skeleton,
				GDBusMethodInvocation *invocation,
				GVariant *options,
				gpointer user_data)
{
	return otad_manager_handle (OTAD_MANAGER (user_data), invocation, OTAD_ENGINE_OP_INSTALL,
				    options);
}

static gboolean
otad_manager_handle_cancel_cb (OtaDBusUpdater1 *skeleton,
			       GDBusMethodInvocation *invocation,
			       gpointer user_data)
{
	return otad_manager_handle (OTAD_MANAGER (user_data), invocation, OTAD_ENGINE_OP_CANCEL,
				    NULL);
}

static gboolean
otad_manager_handle_rollback_cb (OtaDBusUpdater1 *skeleton,
				 GDBusMethodInvocation *invocation,
				 GVariant *options,
				 gpointer user_data)
{
	return otad_manager_handle (OTAD_MANAGER (user_data), invocation,
				    OTAD_ENGINE_OP_ROLLBACK, options);
}

/* reading the history needs no authorisation, like the properties */
static gboolean
otad_manager_handle_get_history_cb (OtaDBusUpdater1 *skeleton,
				    GDBusMethodInvocation *invocation,
				    GVariant *options,
				    gpointer user_data)
{
	OtadManager *self = OTAD_MANAGER (user_data);
	g_autoptr(GError) error = NULL;
	GVariant *entries;

	if (!otad_invocation_check_options (options, NULL, 0, &error)) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	entries = otad_engine_get_history (self->engine, &error);
	if (entries == NULL) {
		otad_invocation_return_error (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	ota_dbus_updater1_complete_get_history (self->skeleton, invocation, entries);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
otad_manager_dispose (GObject *object)
{
	OtadManager *self = OTAD_MANAGER (object);

	if (self->skeleton != NULL)
		g_signal_handlers_disconnect_by_data (self->skeleton, self);
	g_clear_object (&self->authority);
	g_clear_object (&self->skeleton);
	g_clear_object (&self->engine);
	g_clear_object (&self->daemon);
	G_OBJECT_CLASS (otad_manager_parent_class)->dispose (object);
}

static void
otad_manager_class_init (OtadManagerClass *klass)
{
	G_OBJECT_CLASS (klass)->dispose = otad_manager_dispose;
}

static void
otad_manager_init (OtadManager *self)
{
}

/**
 * otad_manager_new:
 *
 * Connects the method handlers to @daemon's skeleton; create it before the
 * daemon owns its name so no call finds a method unhandled.
 */
OtadManager *
otad_manager_new (OtadDaemon *daemon, OtadEngine *engine)
{
	OtadManager *self = g_object_new (OTAD_TYPE_MANAGER, NULL);

	self->daemon = g_object_ref (daemon);
	self->engine = g_object_ref (engine);
	self->skeleton = g_object_ref (otad_daemon_get_skeleton (daemon));
	g_signal_connect (self->skeleton, "handle-check",
			  G_CALLBACK (otad_manager_handle_check_cb), self);
	g_signal_connect (self->skeleton, "handle-download",
			  G_CALLBACK (otad_manager_handle_download_cb), self);
	g_signal_connect (self->skeleton, "handle-install",
			  G_CALLBACK (otad_manager_handle_install_cb), self);
	g_signal_connect (self->skeleton, "handle-cancel",
			  G_CALLBACK (otad_manager_handle_cancel_cb), self);
	g_signal_connect (self->skeleton, "handle-rollback",
			  G_CALLBACK (otad_manager_handle_rollback_cb), self);
	g_signal_connect (self->skeleton, "handle-get-history",
			  G_CALLBACK (otad_manager_handle_get_history_cb), self);
	return self;
}
