/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot control: tells the bootloader that a new deployment is on trial and
 * that a boot was good, and asks it whether it fell back.  The backend is
 * picked by name from the configuration; each lives in its own file.
 */
#define G_LOG_DOMAIN "OtadBootloader"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-bootloader.h"
#include "otad-spawn.h"


typedef struct {
	gchar *name; /* (owned) */
	guint boot_count_limit;
} OtadBootloaderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (OtadBootloader, otad_bootloader, G_TYPE_OBJECT)

enum { PROP_0, PROP_NAME, PROP_BOOT_COUNT_LIMIT, N_PROPS };

static GParamSpec *otad_bootloader_props[N_PROPS] = {NULL};

static void
otad_bootloader_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	OtadBootloader *self = OTAD_BOOTLOADER (object);
	OtadBootloaderPrivate *priv = otad_bootloader_get_instance_private (self);

	switch (prop_id) {
	case PROP_NAME:
		g_value_set_string (value, priv->name);
		break;
	case PROP_BOOT_COUNT_LIMIT:
		g_value_set_uint (value, priv->boot_count_limit);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
	}
}

static void
otad_bootloader_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
	OtadBootloader *self = OTAD_BOOTLOADER (object);
	OtadBootloaderPrivate *priv = otad_bootloader_get_instance_private (self);

	switch (prop_id) {
	case PROP_NAME:
		g_free (priv->name);
		priv->name = g_value_dup_string (value);
		break;
	case PROP_BOOT_COUNT_LIMIT:
		priv->boot_count_limit = g_value_get_uint (value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
	}
}

static void
otad_bootloader_finalize (GObject *object)
{
	OtadBootloader *self = OTAD_BOOTLOADER (object);
	OtadBootloaderPrivate *priv = otad_bootloader_get_instance_private (self);

	g_free (priv->name);
	G_OBJECT_CLASS (otad_bootloader_parent_class)->finalize (object);
}

static void
otad_bootloader_class_init (OtadBootloaderClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = otad_bootloader_get_property;
	object_class->set_property = otad_bootloader_set_property;
	object_class->finalize = otad_bootloader_finalize;

	otad_bootloader_props[PROP_NAME] = g_param_spec_string (
	    "name", NULL, NULL, NULL,
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
	otad_bootloader_props[PROP_BOOT_COUNT_LIMIT] = g_param_spec_uint (
	    "boot-count-limit", NULL, NULL, 1, 100, OTAD_BOOTLOADER_DEFAULT_COUNT_LIMIT,
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties (object_class, N_PROPS, otad_bootloader_props);
}

static void
otad_bootloader_init (OtadBootloader *self)
{
}

const gchar *
otad_bootloader_get_name (OtadBootloader *self)
{
	OtadBootloaderPrivate *priv = otad_bootloader_get_instance_private (self);

	g_return_val_if_fail (OTAD_IS_BOOTLOADER (self), NULL);
	return priv->name;
}

guint
otad_bootloader_get_boot_count_limit (OtadBootloader *self)
{
	OtadBootloaderPrivate *priv = otad_bootloader_get_instance_private (self);

	g_return_val_if_fail (OTAD_IS_BOOTLOADER (self), 0);
	return priv->boot_count_limit;
}

/**
 * otad_bootloader_read_env:
 * @argv: a tool that prints the bootloader environment as `name=value` lines
 *   (`fw_printenv`, `grub-editenv FILE list`)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * For backends: runs @argv (bounded by %OTAD_BOOTLOADER_TOOL_TIMEOUT_MS) and
 * reads its output.  Lines without `=` are skipped; a later line wins.
 *
 * Returns: (transfer full): name → value, or %NULL with
 *   %OTA_ERROR_BOOTLOADER when the tool fails
 */
GHashTable *
otad_bootloader_read_env (const gchar *const *argv, GCancellable *cancellable, GError **error)
{
	g_autoptr (GHashTable) env =
	    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autofree gchar *out = NULL;
	g_auto (GStrv) lines = NULL;

	if (!otad_spawn_check (argv, OTAD_BOOTLOADER_TOOL_TIMEOUT_MS, OTA_ERROR_BOOTLOADER, &out,
	                       cancellable, error))
		return NULL;
	lines = g_strsplit (out != NULL ? out : "", "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *eq = strchr (lines[i], '=');
		if (eq == NULL)
			continue;
		g_hash_table_replace (env, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
	}
	return g_steal_pointer (&env);
}

static gboolean
otad_bootloader_prefix (OtadBootloader *self, const gchar *what, GError **error)
{
	g_prefix_error (error, "bootloader %s: %s: ", otad_bootloader_get_name (self), what);
	return FALSE;
}

/**
 * otad_bootloader_mark_trial_boot:
 * @self: an #OtadBootloader
 * @deployment: (nullable): the new default deployment
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Arms the fallback for the next boot.  Call after the new deployment is
 * written as the default.
 *
 * Returns: %TRUE on success
 */
gboolean
otad_bootloader_mark_trial_boot (OtadBootloader *self, OstreeDeployment *deployment,
                                 GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOTLOADER (self), FALSE);
	if (!OTAD_BOOTLOADER_GET_CLASS (self)->mark_trial_boot (self, deployment, cancellable,
	                                                        error))
		return otad_bootloader_prefix (self, _("failed to mark the trial boot"), error);
	g_debug ("%s: trial boot armed", otad_bootloader_get_name (self));
	return TRUE;
}

/**
 * otad_bootloader_mark_boot_good:
 * @self: an #OtadBootloader
 * @deployment: (nullable): the booted deployment
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Tells the bootloader the current boot is good so it stops counting.
 *
 * Returns: %TRUE on success
 */
gboolean
otad_bootloader_mark_boot_good (OtadBootloader *self, OstreeDeployment *deployment,
                                GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOTLOADER (self), FALSE);
	if (!OTAD_BOOTLOADER_GET_CLASS (self)->mark_boot_good (self, deployment, cancellable,
	                                                       error))
		return otad_bootloader_prefix (self, _("failed to mark the boot good"), error);
	g_debug ("%s: boot marked good", otad_bootloader_get_name (self));
	return TRUE;
}

/**
 * otad_bootloader_clear_trial:
 * @self: an #OtadBootloader
 * @deployment: (nullable): the default deployment, known good
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Disarms the fallback and clears a recorded fallback: used after otad made
 * a known-good deployment the default again.
 *
 * Returns: %TRUE on success
 */
gboolean
otad_bootloader_clear_trial (OtadBootloader *self, OstreeDeployment *deployment,
                             GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOTLOADER (self), FALSE);
	if (!OTAD_BOOTLOADER_GET_CLASS (self)->clear_trial (self, deployment, cancellable, error))
		return otad_bootloader_prefix (self, _("failed to clear the trial boot"), error);
	return TRUE;
}

/**
 * otad_bootloader_query:
 * @self: an #OtadBootloader
 * @deployment: (nullable): the trial deployment, if there is one
 * @out_status: (out caller-allocates): the state read from the bootloader
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
otad_bootloader_query (OtadBootloader *self, OstreeDeployment *deployment,
                       OtadBootStatus *out_status, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOTLOADER (self), FALSE);
	out_status->trial_boot = FALSE;
	out_status->rolled_back = FALSE;
	out_status->boot_count = -1;
	if (!OTAD_BOOTLOADER_GET_CLASS (self)->query (self, deployment, out_status, cancellable,
	                                              error))
		return otad_bootloader_prefix (self, _("failed to read the boot state"), error);
	return TRUE;
}
