/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadAuthority"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-authority.h"

/* polkit is asked over the daemon's own bus connection (not libpolkit's
 * private system-bus singleton), so a test bus with python-dbusmock's polkitd
 * template is used exactly like the real system bus */

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_IFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_CHECK_FLAG_ALLOW_USER_INTERACTION 1u
/* long enough for a person to answer an agent's password prompt */
#define POLKIT_TIMEOUT_MS (5 * 60 * 1000)

struct _OtadAuthority {
	GObject parent_instance;
	GDBusConnection *connection; /* (owned) */
};

G_DEFINE_TYPE (OtadAuthority, otad_authority, G_TYPE_OBJECT)

typedef struct {
	gchar *action_id;
} OtadAuthorityHelper;

static void
otad_authority_helper_free (OtadAuthorityHelper *helper)
{
	g_free (helper->action_id);
	g_free (helper);
}

static void
otad_authority_check_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK (user_data);
	OtadAuthorityHelper *helper = g_task_get_task_data (task);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) reply = NULL;
	gboolean is_authorized = FALSE;
	gboolean is_challenge = FALSE;

	reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error_local);
	if (reply == NULL) {
		g_dbus_error_strip_remote_error (error_local);
		g_task_return_new_error (task,
					 OTA_ERROR,
					 OTA_ERROR_AUTH_FAILED,
					 /* TRANSLATORS: otad's error; %s: a polkit action, polkit's reason */
					 _("could not check authorization for %s: %s"),
					 helper->action_id,
					 error_local->message);
		return;
	}
	g_variant_get (reply, "((bb@a{ss}))", &is_authorized, &is_challenge, NULL);
	if (!is_authorized) {
		g_task_return_new_error (task,
					 OTA_ERROR,
					 OTA_ERROR_AUTH_FAILED,
					 /* TRANSLATORS: otad's error; %s is a polkit action id */
					 is_challenge ? _("authentication is required for %s")
						      /* TRANSLATORS: otad's error; %s is a polkit action id */
						      : _("not authorized for %s"),
					 helper->action_id);
		return;
	}

	/* success */
	g_task_return_boolean (task, TRUE);
}

/**
 * otad_authority_check:
 * @sender: the unique bus name of the caller
 * @action_id: a polkit action such as "org.otad.install"
 *
 * Asks polkit whether @sender may do @action_id.  Fails with
 * %OTA_ERROR_AUTH_FAILED when it may not, or when polkit cannot be asked:
 * without an answer nothing is allowed.
 */
void
otad_authority_check (OtadAuthority *self,
		      const gchar *sender,
		      const gchar *action_id,
		      OtadAuthorityCheckFlags flags,
		      GCancellable *cancellable,
		      GAsyncReadyCallback callback,
		      gpointer user_data)
{
	g_autoptr(GTask) task = NULL;
	OtadAuthorityHelper *helper = g_new0 (OtadAuthorityHelper, 1);
	GVariantBuilder subject_details;
	guint32 polkit_flags = 0;

	g_return_if_fail (OTAD_IS_AUTHORITY (self));
	g_return_if_fail (sender != NULL);
	g_return_if_fail (action_id != NULL);

	task = g_task_new (self, cancellable, callback, user_data);
	g_task_set_source_tag (task, otad_authority_check);
	helper->action_id = g_strdup (action_id);
	g_task_set_task_data (task, helper, (GDestroyNotify)otad_authority_helper_free);

	if (flags & OTAD_AUTHORITY_CHECK_FLAG_ALLOW_INTERACTION)
		polkit_flags |= POLKIT_CHECK_FLAG_ALLOW_USER_INTERACTION;

	g_variant_builder_init (&subject_details, G_VARIANT_TYPE ("a{sv}"));
	g_variant_builder_add (&subject_details, "{sv}", "name", g_variant_new_string (sender));
	g_dbus_connection_call (self->connection,
				POLKIT_NAME,
				POLKIT_PATH,
				POLKIT_IFACE,
				"CheckAuthorization",
				g_variant_new ("((sa{sv})sa{ss}us)",
					       "system-bus-name",
					       &subject_details,
					       action_id,
					       NULL,
					       polkit_flags,
					       ""),
				G_VARIANT_TYPE ("((bba{ss}))"),
				G_DBUS_CALL_FLAGS_NONE,
				POLKIT_TIMEOUT_MS,
				cancellable,
				otad_authority_check_cb,
				g_steal_pointer (&task));
}

gboolean
otad_authority_check_finish (OtadAuthority *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (res, self), FALSE);
	g_return_val_if_fail (g_task_get_source_tag (G_TASK (res)) == otad_authority_check,
			      FALSE);
	return g_task_propagate_boolean (G_TASK (res), error);
}

static void
otad_authority_finalize (GObject *object)
{
	OtadAuthority *self = OTAD_AUTHORITY (object);
	g_clear_object (&self->connection);
	G_OBJECT_CLASS (otad_authority_parent_class)->finalize (object);
}

static void
otad_authority_init (OtadAuthority *self)
{
}

static void
otad_authority_class_init (OtadAuthorityClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	object_class->finalize = otad_authority_finalize;
}

OtadAuthority *
otad_authority_new (GDBusConnection *connection)
{
	OtadAuthority *self = g_object_new (OTAD_TYPE_AUTHORITY, NULL);
	self->connection = g_object_ref (connection);
	return self;
}
