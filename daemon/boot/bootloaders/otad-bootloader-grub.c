/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `grub` backend: GRUB's boot counting as Fedora ships it and greenboot
 * drives it.  While `boot_counter` is set and `boot_success` is 0, GRUB
 * decrements the counter on every boot; when it would go below zero GRUB
 * boots the fallback entry (the OSTree rollback deployment) and stores
 * `boot_counter=-1`.  otad arms it after installing (boot_counter=N,
 * boot_success=0) and disarms it once the boot is confirmed
 * (boot_success=1, boot_counter removed), like greenboot-grub2-set-counter
 * and greenboot-grub2-set-success.
 */
#define G_LOG_DOMAIN "OtadBootloaderGrub"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-bootloader-grub.h"
#include "otad-spawn.h"

struct _OtadBootloaderGrub {
	OtadBootloader parent_instance;
	gchar *grubenv;      /* (owned) */
	gchar *grub_editenv; /* (owned) */
};

G_DEFINE_TYPE (OtadBootloaderGrub, otad_bootloader_grub, OTAD_TYPE_BOOTLOADER)

/* runs `grub-editenv FILE COMMAND ARGS...`; one call rewrites the block once */
static gboolean
otad_bootloader_grub_editenv (OtadBootloaderGrub *self, const gchar *const *args,
                              gchar **out_stdout, GCancellable *cancellable, GError **error)
{
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();

	g_ptr_array_add (argv, self->grub_editenv);
	g_ptr_array_add (argv, self->grubenv);
	for (guint i = 0; args[i] != NULL; i++)
		g_ptr_array_add (argv, (gpointer)args[i]);
	g_ptr_array_add (argv, NULL);
	return otad_spawn_check ((const gchar *const *)argv->pdata, OTAD_BOOTLOADER_TOOL_TIMEOUT_MS,
	                         OTA_ERROR_BOOTLOADER, out_stdout, cancellable, error);
}

static GHashTable *
otad_bootloader_grub_list (OtadBootloaderGrub *self, GCancellable *cancellable, GError **error)
{
	const gchar *argv[] = {self->grub_editenv, self->grubenv, "list", NULL};

	if (!g_file_test (self->grubenv, G_FILE_TEST_IS_REGULAR)) {
		/* grub-editenv would create it; a missing block means a wrong path */
		g_set_error (error, OTA_ERROR, OTA_ERROR_BOOTLOADER,
		             _("GRUB environment block %s does not exist"), self->grubenv);
		return NULL;
	}
	return otad_bootloader_read_env (argv, cancellable, error);
}

static gboolean
otad_bootloader_grub_mark_trial_boot (OtadBootloader *bootloader, OstreeDeployment *deployment,
                                      GCancellable *cancellable, GError **error)
{
	OtadBootloaderGrub *self = OTAD_BOOTLOADER_GRUB (bootloader);
	g_autofree gchar *counter =
	    g_strdup_printf ("boot_counter=%u", otad_bootloader_get_boot_count_limit (bootloader));
	const gchar *args[] = {"set", counter, "boot_success=0", NULL};
	g_autoptr (GHashTable) env = otad_bootloader_grub_list (self, cancellable, error);

	if (env == NULL)
		return FALSE;
	return otad_bootloader_grub_editenv (self, args, NULL, cancellable, error);
}

static gboolean
otad_bootloader_grub_mark_boot_good (OtadBootloader *bootloader, OstreeDeployment *deployment,
                                     GCancellable *cancellable, GError **error)
{
	OtadBootloaderGrub *self = OTAD_BOOTLOADER_GRUB (bootloader);
	/* boot_success=1 stops the counting on its own; then drop the counter */
	const gchar *set_args[] = {"set", "boot_success=1", "boot_indeterminate=0", NULL};
	const gchar *unset_args[] = {"unset", "boot_counter", NULL};
	g_autoptr (GHashTable) env = otad_bootloader_grub_list (self, cancellable, error);

	if (env == NULL)
		return FALSE;
	if (!otad_bootloader_grub_editenv (self, set_args, NULL, cancellable, error))
		return FALSE;
	if (!g_hash_table_contains (env, "boot_counter"))
		return TRUE;
	return otad_bootloader_grub_editenv (self, unset_args, NULL, cancellable, error);
}

static gboolean
otad_bootloader_grub_clear_trial (OtadBootloader *bootloader, OstreeDeployment *deployment,
                                  GCancellable *cancellable, GError **error)
{
	OtadBootloaderGrub *self = OTAD_BOOTLOADER_GRUB (bootloader);
	const gchar *unset_args[] = {"unset", "boot_counter", NULL};
	g_autoptr (GHashTable) env = otad_bootloader_grub_list (self, cancellable, error);

	if (env == NULL)
		return FALSE;
	if (!g_hash_table_contains (env, "boot_counter"))
		return TRUE;
	return otad_bootloader_grub_editenv (self, unset_args, NULL, cancellable, error);
}

static gboolean
otad_bootloader_grub_query (OtadBootloader *bootloader, OstreeDeployment *deployment,
                            OtadBootStatus *out_status, GCancellable *cancellable, GError **error)
{
	OtadBootloaderGrub *self = OTAD_BOOTLOADER_GRUB (bootloader);
	g_autoptr (GHashTable) env = otad_bootloader_grub_list (self, cancellable, error);
	const gchar *counter_str;
	gint64 counter = 0;
	gint limit = (gint)otad_bootloader_get_boot_count_limit (bootloader);

	if (env == NULL)
		return FALSE;
	counter_str = g_hash_table_lookup (env, "boot_counter");
	if (counter_str == NULL)
		return TRUE;
	if (!g_ascii_string_to_signed (counter_str, 10, -1, G_MAXINT, &counter, error)) {
		g_prefix_error (error, _("boot_counter in %s: "), self->grubenv);
		if (error != NULL && *error != NULL) {
			(*error)->domain = OTA_ERROR;
			(*error)->code = OTA_ERROR_BOOTLOADER;
		}
		return FALSE;
	}
	if (counter < 0) {
		/* GRUB ran out of tries and booted the fallback entry */
		out_status->rolled_back = TRUE;
		out_status->boot_count = limit;
		return TRUE;
	}
	out_status->trial_boot = g_strcmp0 (g_hash_table_lookup (env, "boot_success"), "1") != 0;
	out_status->boot_count = MAX (limit - (gint)counter, 0);
	return TRUE;
}

static void
otad_bootloader_grub_finalize (GObject *object)
{
	OtadBootloaderGrub *self = OTAD_BOOTLOADER_GRUB (object);

	g_free (self->grubenv);
	g_free (self->grub_editenv);
	G_OBJECT_CLASS (otad_bootloader_grub_parent_class)->finalize (object);
}

static void
otad_bootloader_grub_class_init (OtadBootloaderGrubClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	OtadBootloaderClass *bl_class = OTAD_BOOTLOADER_CLASS (klass);

	object_class->finalize = otad_bootloader_grub_finalize;
	bl_class->mark_trial_boot = otad_bootloader_grub_mark_trial_boot;
	bl_class->mark_boot_good = otad_bootloader_grub_mark_boot_good;
	bl_class->clear_trial = otad_bootloader_grub_clear_trial;
	bl_class->query = otad_bootloader_grub_query;
}

static void
otad_bootloader_grub_init (OtadBootloaderGrub *self)
{
}

OtadBootloader *
otad_bootloader_grub_new (const OtadBootloaderOptions *options, guint boot_count_limit)
{
	OtadBootloaderGrub *self = g_object_new (OTAD_TYPE_BOOTLOADER_GRUB, "name", "grub",
	                                         "boot-count-limit", boot_count_limit, NULL);

	self->grubenv =
	    g_strdup (options->grubenv != NULL ? options->grubenv : "/boot/grub/grubenv");
	self->grub_editenv =
	    g_strdup (options->grub_editenv != NULL ? options->grub_editenv : "grub-editenv");
	return OTAD_BOOTLOADER (self);
}
