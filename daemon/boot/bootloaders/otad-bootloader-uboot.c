/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `uboot` backend, as aktualizr(-lite)'s "uboot_masked" rollback mode:
 * the U-Boot script counts boots in `bootcount` while `upgrade_available`
 * is 1, and past `bootlimit` runs `altbootcmd`, which boots the previous
 * deployment and sets `rollback=1`.  otad arms the counter after installing
 * (bootcount=0 rollback=0 upgrade_available=1) and disarms it once the new
 * deployment is confirmed (upgrade_available=0 bootcount=0).
 *
 * Variables are written one fw_setenv call each (the script mode of Debian's
 * u-boot-tools 2023.01 mangles "name value" lines), ordered so that a power
 * cut between two writes never leaves the counter armed with stale values,
 * and only when they change, to spare the flash.
 */
#define G_LOG_DOMAIN "OtadBootloaderUboot"

#include "config.h"

#include "ota-error.h"
#include "otad-bootloader-uboot.h"
#include "otad-spawn.h"

struct _OtadBootloaderUboot {
	OtadBootloader parent_instance;
	gchar *fw_env_config; /* (owned) (nullable) */
	gchar *fw_printenv;   /* (owned) */
	gchar *fw_setenv;     /* (owned) */
};

G_DEFINE_TYPE (OtadBootloaderUboot, otad_bootloader_uboot, OTAD_TYPE_BOOTLOADER)

typedef struct {
	const gchar *name;
	const gchar *value;
} OtadBootloaderUbootVar;

static GHashTable *
otad_bootloader_uboot_read_env (OtadBootloaderUboot *self, GCancellable *cancellable,
                                GError **error)
{
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();

	g_ptr_array_add (argv, self->fw_printenv);
	if (self->fw_env_config != NULL) {
		g_ptr_array_add (argv, (gpointer) "-c");
		g_ptr_array_add (argv, self->fw_env_config);
	}
	g_ptr_array_add (argv, NULL);
	return otad_bootloader_read_env ((const gchar *const *)argv->pdata, cancellable, error);
}

static gboolean
otad_bootloader_uboot_set (OtadBootloaderUboot *self, const OtadBootloaderUbootVar *vars,
                           GCancellable *cancellable, GError **error)
{
	g_autoptr (GHashTable) env = otad_bootloader_uboot_read_env (self, cancellable, error);

	if (env == NULL)
		return FALSE;
	for (guint i = 0; vars[i].name != NULL; i++) {
		g_autoptr (GPtrArray) argv = g_ptr_array_new ();

		if (g_strcmp0 (g_hash_table_lookup (env, vars[i].name), vars[i].value) == 0)
			continue;
		g_ptr_array_add (argv, self->fw_setenv);
		if (self->fw_env_config != NULL) {
			g_ptr_array_add (argv, (gpointer) "-c");
			g_ptr_array_add (argv, self->fw_env_config);
		}
		g_ptr_array_add (argv, (gpointer)vars[i].name);
		g_ptr_array_add (argv, (gpointer)vars[i].value);
		g_ptr_array_add (argv, NULL);
		if (!otad_spawn_check ((const gchar *const *)argv->pdata,
		                       OTAD_BOOTLOADER_TOOL_TIMEOUT_MS, OTA_ERROR_BOOTLOADER, NULL,
		                       cancellable, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
otad_bootloader_uboot_mark_trial_boot (OtadBootloader *bootloader, OstreeDeployment *deployment,
                                       GCancellable *cancellable, GError **error)
{
	/* arm last: until upgrade_available=1 U-Boot does not count at all */
	const OtadBootloaderUbootVar vars[] = {
	    {"bootcount", "0"}, {"rollback", "0"}, {"upgrade_available", "1"}, {NULL, NULL}};

	return otad_bootloader_uboot_set (OTAD_BOOTLOADER_UBOOT (bootloader), vars, cancellable,
	                                  error);
}

static gboolean
otad_bootloader_uboot_mark_boot_good (OtadBootloader *bootloader, OstreeDeployment *deployment,
                                      GCancellable *cancellable, GError **error)
{
	/* disarm first, so a reset between the writes cannot count towards a fallback */
	const OtadBootloaderUbootVar vars[] = {
	    {"upgrade_available", "0"}, {"bootcount", "0"}, {NULL, NULL}};

	return otad_bootloader_uboot_set (OTAD_BOOTLOADER_UBOOT (bootloader), vars, cancellable,
	                                  error);
}

static gboolean
otad_bootloader_uboot_clear_trial (OtadBootloader *bootloader, OstreeDeployment *deployment,
                                   GCancellable *cancellable, GError **error)
{
	/* rollback=1 makes the script keep running altbootcmd: clear it only
	 * once the good deployment is the default again, which the caller did */
	const OtadBootloaderUbootVar vars[] = {
	    {"upgrade_available", "0"}, {"bootcount", "0"}, {"rollback", "0"}, {NULL, NULL}};

	return otad_bootloader_uboot_set (OTAD_BOOTLOADER_UBOOT (bootloader), vars, cancellable,
	                                  error);
}

static gboolean
otad_bootloader_uboot_query (OtadBootloader *bootloader, OstreeDeployment *deployment,
                             OtadBootStatus *out_status, GCancellable *cancellable, GError **error)
{
	OtadBootloaderUboot *self = OTAD_BOOTLOADER_UBOOT (bootloader);
	g_autoptr (GHashTable) env = otad_bootloader_uboot_read_env (self, cancellable, error);
	const gchar *bootcount;

	if (env == NULL)
		return FALSE;
	out_status->trial_boot =
	    g_strcmp0 (g_hash_table_lookup (env, "upgrade_available"), "1") == 0;
	out_status->rolled_back = g_strcmp0 (g_hash_table_lookup (env, "rollback"), "1") == 0;
	bootcount = g_hash_table_lookup (env, "bootcount");
	if (bootcount != NULL) {
		guint64 n = 0;
		if (g_ascii_string_to_unsigned (bootcount, 10, 0, G_MAXINT, &n, NULL))
			out_status->boot_count = (gint)n;
	}
	return TRUE;
}

static void
otad_bootloader_uboot_finalize (GObject *object)
{
	OtadBootloaderUboot *self = OTAD_BOOTLOADER_UBOOT (object);

	g_free (self->fw_env_config);
	g_free (self->fw_printenv);
	g_free (self->fw_setenv);
	G_OBJECT_CLASS (otad_bootloader_uboot_parent_class)->finalize (object);
}

static void
otad_bootloader_uboot_class_init (OtadBootloaderUbootClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	OtadBootloaderClass *bl_class = OTAD_BOOTLOADER_CLASS (klass);

	object_class->finalize = otad_bootloader_uboot_finalize;
	bl_class->mark_trial_boot = otad_bootloader_uboot_mark_trial_boot;
	bl_class->mark_boot_good = otad_bootloader_uboot_mark_boot_good;
	bl_class->clear_trial = otad_bootloader_uboot_clear_trial;
	bl_class->query = otad_bootloader_uboot_query;
}

static void
otad_bootloader_uboot_init (OtadBootloaderUboot *self)
{
}

OtadBootloader *
otad_bootloader_uboot_new (const OtadBootloaderOptions *options, guint boot_count_limit)
{
	OtadBootloaderUboot *self = g_object_new (OTAD_TYPE_BOOTLOADER_UBOOT, "name", "uboot",
	                                          "boot-count-limit", boot_count_limit, NULL);

	self->fw_env_config = g_strdup (options->fw_env_config);
	self->fw_printenv =
	    g_strdup (options->fw_printenv != NULL ? options->fw_printenv : "fw_printenv");
	self->fw_setenv = g_strdup (options->fw_setenv != NULL ? options->fw_setenv : "fw_setenv");
	return OTAD_BOOTLOADER (self);
}
