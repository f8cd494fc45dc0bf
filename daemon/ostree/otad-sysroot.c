/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadSysroot"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-sysroot.h"

/*
 * Read-only view of the OSTree sysroot for the main thread: the deployment
 * list and its A/B roles, reloaded when libostree touches ostree/deploy
 * (it bumps that directory's mtime on every deployment change, staging
 * included, for watchers like this one).  Workers that write open their own
 * OstreeSysroot.
 */

#define OTAD_SYSROOT_RELOAD_DELAY_MS 100

struct _OtadSysroot {
	GObject parent_instance;
	gchar *path;			/* (owned) */
	OstreeSysroot *sysroot;		/* (owned) */
	gchar *test_booted_checksum;	/* (owned) (nullable) */
	gint test_booted_serial;	/* -1: any serial */
	GPtrArray *deployments;		/* (owned) (element-type OstreeDeployment) */
	OstreeDeployment *roles[OTAD_SYSROOT_ROLE_LAST]; /* (owned) (nullable) */
	GVariant *snapshot;		/* (owned) (nullable): roles as seen by the last load */
	GFileMonitor *monitor;		/* (owned) (nullable) */
	guint reload_id;
};

enum { SIGNAL_CHANGED, SIGNAL_LAST };
static guint otad_sysroot_signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE (OtadSysroot, otad_sysroot, G_TYPE_OBJECT)

/**
 * otad_sysroot_parse_test_booted:
 * @spec: "CHECKSUM" or "CHECKSUM.SERIAL"
 * @serial: (out): the serial, -1 when @spec has none
 */
gboolean
otad_sysroot_parse_test_booted (const gchar *spec, gchar **checksum, gint *serial, GError **error)
{
	const gchar *dot = strchr (spec, '.');
	gsize csum_len = dot != NULL ? (gsize)(dot - spec) : strlen (spec);
	g_autofree gchar *csum = g_strndup (spec, csum_len);
	g_autoptr(GError) error_local = NULL;
	gint64 num = -1;

	if (!ostree_validate_checksum_string (csum, &error_local)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("\"%s\" is not CHECKSUM[.SERIAL]: %s"), spec, error_local->message);
		return FALSE;
	}
	if (dot != NULL &&
	    !g_ascii_string_to_signed (dot + 1, 10, 0, G_MAXINT, &num, &error_local)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("\"%s\" is not CHECKSUM[.SERIAL]: bad serial: %s"), spec,
		             error_local->message);
		return FALSE;
	}
	*checksum = g_steal_pointer (&csum);
	*serial = (gint)num;
	return TRUE;
}

/**
 * otad_sysroot_new:
 * @path: the sysroot, "/" on a device
 * @test_booted: (nullable): CHECKSUM[.SERIAL] of the deployment to treat as booted; only
 *   for test sysroots, refused when @path is the real root
 *
 * Returns: (transfer full): a sysroot that is not loaded yet
 */
OtadSysroot *
otad_sysroot_new (const gchar *path, const gchar *test_booted, GError **error)
{
	g_autoptr(OtadSysroot) self = g_object_new (OTAD_TYPE_SYSROOT, NULL);
	g_autoptr(GFile) file = NULL;

	if (test_booted != NULL) {
		g_autofree gchar *real = realpath (path, NULL);

		/* a device must never be told a different truth about what it runs */
		if (real == NULL || g_strcmp0 (real, "/") == 0) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
			             _("--test-booted-deployment is only for test sysroots and "
			                "is refused for %s"),
			             real != NULL ? "the system root /" : path);
			return NULL;
		}
		if (!otad_sysroot_parse_test_booted (test_booted, &self->test_booted_checksum,
						     &self->test_booted_serial, error))
			return NULL;
	}
	self->path = g_strdup (path);
	file = g_file_new_for_path (path);
	self->sysroot = ostree_sysroot_new (file);
	return g_steal_pointer (&self);
}

/* the deployment of @deployments with @checksum and, unless it is -1, @serial */
static OstreeDeployment *
otad_sysroot_match_deployment (GPtrArray *deployments, const gchar *checksum, gint serial)
{
	for (guint i = 0; i < deployments->len; i++) {
		OstreeDeployment *d = g_ptr_array_index (deployments, i);
		if (g_strcmp0 (ostree_deployment_get_csum (d), checksum) == 0 &&
		    (serial < 0 || ostree_deployment_get_deployserial (d) == serial))
			return d;
	}
	return NULL;
}

static void
otad_sysroot_set_not_found (GError **error, const gchar *checksum, gint serial, const gchar *path)
{
	if (serial < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND,
		             _("the test booted deployment %s is not in sysroot %s"), checksum,
		             path);
	} else {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND,
		             _("the test booted deployment %s.%d is not in sysroot %s"), checksum,
		             serial, path);
	}
}

static OstreeDeployment *
otad_sysroot_find_test_booted (OtadSysroot *self, GError **error)
{
	OstreeDeployment *d = otad_sysroot_match_deployment (self->deployments,
							     self->test_booted_checksum,
							     self->test_booted_serial);
	if (d == NULL)
		otad_sysroot_set_not_found (error, self->test_booted_checksum,
					    self->test_booted_serial, self->path);
	return d;
}

/**
 * otad_sysroot_resolve_booted:
 * @sysroot: a loaded sysroot, as a worker opens its own
 * @test_booted: (nullable): the test-only CHECKSUM[.SERIAL] override
 * @out_booted: (out) (transfer full) (nullable): the booted deployment, %NULL when the
 *   sysroot is not booted and no override names one
 *
 * The one place outside #OtadSysroot that applies the test override, for workers
 * holding a plain #OstreeSysroot.  Refuses the override for a booted or real root.
 */
gboolean
otad_sysroot_resolve_booted (OstreeSysroot *sysroot,
			     const gchar *test_booted,
			     OstreeDeployment **out_booted,
			     GError **error)
{
	g_autoptr(GPtrArray) deployments = NULL;
	g_autofree gchar *checksum = NULL;
	g_autofree gchar *root = NULL;
	OstreeDeployment *d;
	gint serial = -1;

	*out_booted = NULL;
	if (test_booted == NULL) {
		d = ostree_sysroot_get_booted_deployment (sysroot);
		*out_booted = d != NULL ? g_object_ref (d) : NULL;
		return TRUE;
	}
	root = g_file_get_path (ostree_sysroot_get_path (sysroot));
	if (root == NULL || g_strcmp0 (root, "/") == 0 ||
	    ostree_sysroot_get_booted_deployment (sysroot) != NULL) {
		g_set_error_literal (
		    error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		    _("a test booted deployment is only allowed for a test sysroot"));
		return FALSE;
	}
	if (!otad_sysroot_parse_test_booted (test_booted, &checksum, &serial, error))
		return FALSE;
	deployments = ostree_sysroot_get_deployments (sysroot);
	d = otad_sysroot_match_deployment (deployments, checksum, serial);
	if (d == NULL) {
		otad_sysroot_set_not_found (error, checksum, serial, root);
		return FALSE;
	}
	*out_booted = g_object_ref (d);
	return TRUE;
}

/* the commit's "version" metadata, "" when it has none or the commit is gone */
gchar *
otad_sysroot_get_commit_version (OtadSysroot *self, const gchar *checksum)
{
	OstreeRepo *repo = ostree_sysroot_repo (self->sysroot);
	g_autoptr(GVariant) commit = NULL;
	g_autoptr(GVariant) metadata = NULL;
	const gchar *version = NULL;

	if (repo == NULL ||
	    !ostree_repo_load_variant_if_exists (repo, OSTREE_OBJECT_TYPE_COMMIT, checksum,
						 &commit, NULL) ||
	    commit == NULL)
		return g_strdup ("");
	metadata = g_variant_get_child_value (commit, 0);
	if (!g_variant_lookup (metadata, OSTREE_COMMIT_META_KEY_VERSION, "&s", &version))
		return g_strdup ("");
	return g_strdup (version);
}

/**
 * otad_sysroot_deployment_to_variant:
 * @deployment: (nullable): a deployment of this sysroot
 *
 * Returns: (transfer full): the a{sv} of dbus/org.otad.Updater1.xml, empty for %NULL
 */
GVariant *
otad_sysroot_deployment_to_variant (OtadSysroot *self, OstreeDeployment *deployment)
{
	g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	g_autofree gchar *version = NULL;
	g_autofree gchar *refspec = NULL;
	GKeyFile *origin;

	if (deployment == NULL)
		return g_variant_ref_sink (g_variant_builder_end (&builder));

	version = otad_sysroot_get_commit_version (self, ostree_deployment_get_csum (deployment));
	origin = ostree_deployment_get_origin (deployment);
	if (origin != NULL)
		refspec = g_key_file_get_string (origin, "origin", "refspec", NULL);

	g_variant_builder_add (&builder, "{sv}", "osname",
			       g_variant_new_string (ostree_deployment_get_osname (deployment)));
	g_variant_builder_add (&builder, "{sv}", "checksum",
			       g_variant_new_string (ostree_deployment_get_csum (deployment)));
	g_variant_builder_add (&builder, "{sv}", "version", g_variant_new_string (version));
	g_variant_builder_add (
	    &builder, "{sv}", "serial",
	    g_variant_new_int32 (ostree_deployment_get_deployserial (deployment)));
	g_variant_builder_add (&builder, "{sv}", "index",
			       g_variant_new_int32 (ostree_deployment_get_index (deployment)));
	g_variant_builder_add (&builder, "{sv}", "origin",
			       g_variant_new_string (refspec != NULL ? refspec : ""));
	g_variant_builder_add (
	    &builder, "{sv}", "booted",
	    g_variant_new_boolean (deployment == self->roles[OTAD_SYSROOT_ROLE_BOOTED]));
	g_variant_builder_add (&builder, "{sv}", "staged",
			       g_variant_new_boolean (ostree_deployment_is_staged (deployment)));
	g_variant_builder_add (&builder, "{sv}", "pinned",
			       g_variant_new_boolean (ostree_deployment_is_pinned (deployment)));
	return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/**
 * otad_sysroot_dup_role_variant:
 *
 * Returns: (transfer full): the deployment in @role as a{sv}, empty when there is none
 */
GVariant *
otad_sysroot_dup_role_variant (OtadSysroot *self, OtadSysrootRole role)
{
	g_return_val_if_fail (OTAD_IS_SYSROOT (self), NULL);
	g_return_val_if_fail (role < OTAD_SYSROOT_ROLE_LAST, NULL);
	return otad_sysroot_deployment_to_variant (self, self->roles[role]);
}

static GVariant *
otad_sysroot_build_snapshot (OtadSysroot *self)
{
	g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

	for (guint i = 0; i < OTAD_SYSROOT_ROLE_LAST; i++) {
		g_autoptr(GVariant) v = otad_sysroot_dup_role_variant (self, i);
		g_variant_builder_add_value (&builder, v);
	}
	for (guint i = 0; i < self->deployments->len; i++) {
		OstreeDeployment *d = g_ptr_array_index (self->deployments, i);
		g_autoptr(GVariant) v = otad_sysroot_deployment_to_variant (self, d);
		g_variant_builder_add_value (&builder, v);
	}
	return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/**
 * otad_sysroot_load:
 *
 * (Re)loads the deployments and derives the roles; emits ::changed when they differ from
 * the previous load.  On failure the previous view is kept.
 */
gboolean
otad_sysroot_load (OtadSysroot *self, GCancellable *cancellable, GError **error)
{
	g_autoptr(GPtrArray) deployments = NULL;
	g_autoptr(GVariant) snapshot = NULL;
	OstreeDeployment *booted = NULL;
	OstreeDeployment *roles[OTAD_SYSROOT_ROLE_LAST] = {NULL};
	g_autoptr(GPtrArray) old_deployments = NULL;

	g_return_val_if_fail (OTAD_IS_SYSROOT (self), FALSE);

	if (!ostree_sysroot_load (self->sysroot, cancellable, error)) {
		g_prefix_error (error, _("failed to load sysroot %s: "), self->path);
		return FALSE;
	}
	deployments = ostree_sysroot_get_deployments (self->sysroot);
	old_deployments = g_steal_pointer (&self->deployments);
	self->deployments = g_ptr_array_ref (deployments);

	if (self->test_booted_checksum != NULL &&
	    ostree_sysroot_get_booted_deployment (self->sysroot) != NULL) {
		/* e.g. --sysroot=/sysroot on a device: the real root under another name */
		g_clear_pointer (&self->deployments, g_ptr_array_unref);
		self->deployments = g_steal_pointer (&old_deployments);
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("--test-booted-deployment is refused: sysroot %s is booted"),
		             self->path);
		return FALSE;
	}
	if (self->test_booted_checksum != NULL) {
		booted = otad_sysroot_find_test_booted (self, error);
		if (booted == NULL) {
			g_clear_pointer (&self->deployments, g_ptr_array_unref);
			self->deployments = g_steal_pointer (&old_deployments);
			return FALSE;
		}
	} else {
		booted = ostree_sysroot_get_booted_deployment (self->sysroot);
	}

	roles[OTAD_SYSROOT_ROLE_BOOTED] = booted;
	if (deployments->len > 0) {
		OstreeDeployment *def = g_ptr_array_index (deployments, 0);
		roles[OTAD_SYSROOT_ROLE_DEFAULT] = def;
		if (def != booted)
			roles[OTAD_SYSROOT_ROLE_PENDING] = def;
	}
	/* the list is newest first after the default */
	if (deployments->len > 1)
		roles[OTAD_SYSROOT_ROLE_ROLLBACK] = g_ptr_array_index (deployments, 1);

	for (guint i = 0; i < OTAD_SYSROOT_ROLE_LAST; i++) {
		g_clear_object (&self->roles[i]);
		self->roles[i] = roles[i] != NULL ? g_object_ref (roles[i]) : NULL;
	}

	snapshot = otad_sysroot_build_snapshot (self);
	if (self->snapshot == NULL || !g_variant_equal (self->snapshot, snapshot)) {
		gboolean first = self->snapshot == NULL;
		g_clear_pointer (&self->snapshot, g_variant_unref);
		self->snapshot = g_steal_pointer (&snapshot);
		g_debug ("sysroot %s: %u deployments, booted %s", self->path, deployments->len,
			 booted != NULL ? ostree_deployment_get_csum (booted) : "(none)");
		if (!first)
			g_signal_emit (self, otad_sysroot_signals[SIGNAL_CHANGED], 0);
	}

	/* success */
	return TRUE;
}

static gboolean
otad_sysroot_reload_cb (gpointer user_data)
{
	OtadSysroot *self = OTAD_SYSROOT (user_data);
	g_autoptr(GError) error = NULL;

	self->reload_id = 0;
	if (!otad_sysroot_load (self, NULL, &error))
		g_warning ("keeping the previous deployment list: %s", error->message);
	return G_SOURCE_REMOVE;
}

static void
otad_sysroot_monitor_changed_cb (GFileMonitor *monitor,
				 GFile *file,
				 GFile *other_file,
				 GFileMonitorEvent event,
				 gpointer user_data)
{
	OtadSysroot *self = OTAD_SYSROOT (user_data);

	/* one deployment writes several files: reload once after they settle */
	if (self->reload_id != 0)
		g_source_remove (self->reload_id);
	self->reload_id =
	    g_timeout_add (OTAD_SYSROOT_RELOAD_DELAY_MS, otad_sysroot_reload_cb, self);
}

/* reload automatically when libostree changes the deployments */
gboolean
otad_sysroot_watch (OtadSysroot *self, GError **error)
{
	g_autofree gchar *dir = g_build_filename (self->path, "ostree", "deploy", NULL);
	g_autoptr(GFile) file = g_file_new_for_path (dir);

	g_return_val_if_fail (OTAD_IS_SYSROOT (self), FALSE);

	if (self->monitor != NULL)
		return TRUE;
	self->monitor = g_file_monitor_directory (file, G_FILE_MONITOR_NONE, NULL, error);
	if (self->monitor == NULL) {
		g_prefix_error (error, _("failed to watch %s: "), dir);
		return FALSE;
	}
	g_signal_connect (self->monitor, "changed", G_CALLBACK (otad_sysroot_monitor_changed_cb),
			  self);
	return TRUE;
}

const gchar *
otad_sysroot_get_path (OtadSysroot *self)
{
	g_return_val_if_fail (OTAD_IS_SYSROOT (self), NULL);
	return self->path;
}

/* whether a test override decides the booted deployment */
gboolean
otad_sysroot_is_test (OtadSysroot *self)
{
	g_return_val_if_fail (OTAD_IS_SYSROOT (self), FALSE);
	return self->test_booted_checksum != NULL;
}

OstreeSysroot *
otad_sysroot_get_ostree (OtadSysroot *self)
{
	g_return_val_if_fail (OTAD_IS_SYSROOT (self), NULL);
	return self->sysroot;
}

/**
 * otad_sysroot_get_deployments:
 *
 * Returns: (transfer none) (element-type OstreeDeployment): the deployments, default first
 */
GPtrArray *
otad_sysroot_get_deployments (OtadSysroot *self)
{
	g_return_val_if_fail (OTAD_IS_SYSROOT (self), NULL);
	return self->deployments;
}

/**
 * otad_sysroot_get_deployment:
 *
 * Returns: (transfer none) (nullable): the deployment in @role
 */
OstreeDeployment *
otad_sysroot_get_deployment (OtadSysroot *self, OtadSysrootRole role)
{
	g_return_val_if_fail (OTAD_IS_SYSROOT (self), NULL);
	g_return_val_if_fail (role < OTAD_SYSROOT_ROLE_LAST, NULL);
	return self->roles[role];
}

static void
otad_sysroot_finalize (GObject *object)
{
	OtadSysroot *self = OTAD_SYSROOT (object);

	if (self->reload_id != 0)
		g_source_remove (self->reload_id);
	if (self->monitor != NULL) {
		g_signal_handlers_disconnect_by_data (self->monitor, self);
		g_file_monitor_cancel (self->monitor);
		g_object_unref (self->monitor);
	}
	for (guint i = 0; i < OTAD_SYSROOT_ROLE_LAST; i++)
		g_clear_object (&self->roles[i]);
	g_clear_pointer (&self->deployments, g_ptr_array_unref);
	g_clear_pointer (&self->snapshot, g_variant_unref);
	g_clear_object (&self->sysroot);
	g_free (self->test_booted_checksum);
	g_free (self->path);
	G_OBJECT_CLASS (otad_sysroot_parent_class)->finalize (object);
}

static void
otad_sysroot_class_init (OtadSysrootClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->finalize = otad_sysroot_finalize;

	/* the deployment list or a role changed after a reload */
	otad_sysroot_signals[SIGNAL_CHANGED] =
	    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			  NULL, G_TYPE_NONE, 0);
}

static void
otad_sysroot_init (OtadSysroot *self)
{
	self->test_booted_serial = -1;
	self->deployments = g_ptr_array_new_with_free_func (g_object_unref);
}
