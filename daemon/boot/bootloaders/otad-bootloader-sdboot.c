/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `systemd-boot` backend: Boot Loader Specification boot counting.  An
 * entry file named `NAME+LEFT[-DONE].conf` is on trial: at each boot of it
 * systemd-boot moves one try from LEFT to DONE, and an entry with LEFT=0
 * sorts last, so the previous deployment boots instead.  A good boot drops
 * the counter from the name (what systemd-bless-boot.service does once
 * boot-complete.target is reached; otad's health gate belongs before that
 * target, and renaming an already blessed entry is a no-op here).
 *
 * OSTree writes one entry per deployment under loader/entries; the entry of
 * a deployment is the one whose `options` carry its `ostree=` argument.
 */
#define G_LOG_DOMAIN "OtadBootloaderSdboot"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-bootloader-sdboot.h"

struct _OtadBootloaderSdboot {
	OtadBootloader parent_instance;
	gchar *entries_dir; /* (owned) */
};

G_DEFINE_TYPE (OtadBootloaderSdboot, otad_bootloader_sdboot, OTAD_TYPE_BOOTLOADER)

typedef struct {
	gchar *filename; /* (owned) current name, counter included */
	gchar *base;     /* (owned) name without counter and without .conf */
	gboolean counting;
	guint64 left;
	guint64 done;
} OtadBootloaderSdbootEntry;

static void
otad_bootloader_sdboot_entry_free (OtadBootloaderSdbootEntry *entry)
{
	g_free (entry->filename);
	g_free (entry->base);
	g_free (entry);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadBootloaderSdbootEntry, otad_bootloader_sdboot_entry_free)

/* splits "NAME+LEFT[-DONE].conf" as the Boot Loader Specification defines it */
static OtadBootloaderSdbootEntry *
otad_bootloader_sdboot_entry_parse (const gchar *filename)
{
	g_autoptr (OtadBootloaderSdbootEntry) entry = g_new0 (OtadBootloaderSdbootEntry, 1);
	g_autofree gchar *stem = NULL;
	const gchar *plus;

	if (!g_str_has_suffix (filename, ".conf") || filename[0] == '.')
		return NULL;
	entry->filename = g_strdup (filename);
	stem = g_strndup (filename, strlen (filename) - strlen (".conf"));
	plus = strrchr (stem, '+');
	if (plus != NULL) {
		g_auto (GStrv) parts = g_strsplit (plus + 1, "-", 2);
		if (g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT32, &entry->left, NULL) &&
		    (parts[1] == NULL || g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT32,
		                                                     &entry->done, NULL))) {
			entry->counting = TRUE;
			entry->base = g_strndup (stem, plus - stem);
			return g_steal_pointer (&entry);
		}
	}
	entry->base = g_steal_pointer (&stem);
	return g_steal_pointer (&entry);
}

/* the `ostree=` kernel argument names the deployment an entry boots */
static gchar *
otad_bootloader_sdboot_ostree_arg (const gchar *options)
{
	g_auto (GStrv) args = g_strsplit_set (options != NULL ? options : "", " \t", -1);

	for (guint i = 0; args[i] != NULL; i++) {
		if (g_str_has_prefix (args[i], "ostree="))
			return g_strdup (args[i]);
	}
	return NULL;
}

static gchar *
otad_bootloader_sdboot_entry_options (const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;

	if (!g_file_get_contents (path, &contents, NULL, error))
		return NULL;
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		if (g_str_has_prefix (line, "options") && (line[7] == ' ' || line[7] == '\t'))
			return g_strstrip (g_strdup (line + 8));
	}
	return g_strdup ("");
}

/* all entries, or only the one booting @deployment when it is given */
static GPtrArray *
otad_bootloader_sdboot_list (OtadBootloaderSdboot *self, OstreeDeployment *deployment,
                             GError **error)
{
	g_autoptr (GDir) dir = NULL;
	g_autoptr (GPtrArray) entries =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_bootloader_sdboot_entry_free);
	g_autofree gchar *wanted = NULL;
	const gchar *name;

	if (deployment != NULL) {
		OstreeBootconfigParser *bc = ostree_deployment_get_bootconfig (deployment);
		wanted = otad_bootloader_sdboot_ostree_arg (
		    bc != NULL ? ostree_bootconfig_parser_get (bc, "options") : NULL);
		if (wanted == NULL) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_BOOTLOADER,
			             _("deployment %s.%d has no ostree= boot argument"),
			             ostree_deployment_get_csum (deployment),
			             ostree_deployment_get_deployserial (deployment));
			return NULL;
		}
	}
	dir = g_dir_open (self->entries_dir, 0, error);
	if (dir == NULL)
		return NULL;
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autoptr (OtadBootloaderSdbootEntry) entry =
		    otad_bootloader_sdboot_entry_parse (name);
		g_autofree gchar *path = NULL;
		g_autofree gchar *options = NULL;
		g_autofree gchar *arg = NULL;

		if (entry == NULL)
			continue;
		if (wanted != NULL) {
			path = g_build_filename (self->entries_dir, name, NULL);
			options = otad_bootloader_sdboot_entry_options (path, error);
			if (options == NULL)
				return NULL;
			arg = otad_bootloader_sdboot_ostree_arg (options);
			if (g_strcmp0 (arg, wanted) != 0)
				continue;
		}
		g_ptr_array_add (entries, g_steal_pointer (&entry));
	}
	if (wanted != NULL && entries->len == 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_BOOTLOADER,
		             _("no boot entry in %s has %s"), self->entries_dir, wanted);
		return NULL;
	}
	return g_steal_pointer (&entries);
}

static gboolean
otad_bootloader_sdboot_rename (OtadBootloaderSdboot *self, const gchar *from, const gchar *to,
                               GError **error)
{
	g_autofree gchar *from_path = g_build_filename (self->entries_dir, from, NULL);
	g_autofree gchar *to_path = g_build_filename (self->entries_dir, to, NULL);
	int dfd;

	if (g_strcmp0 (from, to) == 0)
		return TRUE;
	if (rename (from_path, to_path) != 0) {
		int errsv = errno;
		g_set_error (error, OTA_ERROR, OTA_ERROR_BOOTLOADER,
		             _("failed to rename %s to %s: %s"), from_path, to,
		             g_strerror (errsv));
		return FALSE;
	}
	/* the new name must survive a power cut */
	dfd = open (self->entries_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync (dfd);
		close (dfd);
	}
	g_debug ("renamed boot entry %s to %s", from, to);
	return TRUE;
}

static gboolean
otad_bootloader_sdboot_mark_trial_boot (OtadBootloader *bootloader, OstreeDeployment *deployment,
                                        GCancellable *cancellable, GError **error)
{
	OtadBootloaderSdboot *self = OTAD_BOOTLOADER_SDBOOT (bootloader);
	g_autoptr (GPtrArray) entries = NULL;

	if (deployment == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_BOOTLOADER,
		                     _("boot counting needs the trial deployment"));
		return FALSE;
	}
	entries = otad_bootloader_sdboot_list (self, deployment, error);
	if (entries == NULL)
		return FALSE;
	for (guint i = 0; i < entries->len; i++) {
		OtadBootloaderSdbootEntry *entry = g_ptr_array_index (entries, i);
		g_autofree gchar *to = g_strdup_printf (
		    "%s+%u.conf", entry->base, otad_bootloader_get_boot_count_limit (bootloader));
		if (!otad_bootloader_sdboot_rename (self, entry->filename, to, error))
			return FALSE;
	}
	return TRUE;
}

/* drops the counter from the entries, as systemd-bless-boot marks a boot good */
static gboolean
otad_bootloader_sdboot_bless (OtadBootloaderSdboot *self, OstreeDeployment *deployment,
                              GError **error)
{
	g_autoptr (GPtrArray) entries = otad_bootloader_sdboot_list (self, deployment, error);

	if (entries == NULL)
		return FALSE;
	for (guint i = 0; i < entries->len; i++) {
		OtadBootloaderSdbootEntry *entry = g_ptr_array_index (entries, i);
		g_autofree gchar *to = NULL;

		if (!entry->counting)
			continue;
		to = g_strdup_printf ("%s.conf", entry->base);
		if (!otad_bootloader_sdboot_rename (self, entry->filename, to, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
otad_bootloader_sdboot_mark_boot_good (OtadBootloader *bootloader, OstreeDeployment *deployment,
                                       GCancellable *cancellable, GError **error)
{
	if (deployment == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_BOOTLOADER,
		                     _("blessing a boot entry needs the booted deployment"));
		return FALSE;
	}
	return otad_bootloader_sdboot_bless (OTAD_BOOTLOADER_SDBOOT (bootloader), deployment,
	                                     error);
}

static gboolean
otad_bootloader_sdboot_clear_trial (OtadBootloader *bootloader, OstreeDeployment *deployment,
                                    GCancellable *cancellable, GError **error)
{
	/* no counter anywhere: the default entry boots normally again */
	return otad_bootloader_sdboot_bless (OTAD_BOOTLOADER_SDBOOT (bootloader), NULL, error);
}

static gboolean
otad_bootloader_sdboot_query (OtadBootloader *bootloader, OstreeDeployment *deployment,
                              OtadBootStatus *out_status, GCancellable *cancellable, GError **error)
{
	OtadBootloaderSdboot *self = OTAD_BOOTLOADER_SDBOOT (bootloader);
	g_autoptr (GPtrArray) entries = otad_bootloader_sdboot_list (self, deployment, error);

	if (entries == NULL)
		return FALSE;
	for (guint i = 0; i < entries->len; i++) {
		OtadBootloaderSdbootEntry *entry = g_ptr_array_index (entries, i);

		if (!entry->counting)
			continue;
		if (entry->left == 0)
			out_status->rolled_back = TRUE;
		else
			out_status->trial_boot = TRUE;
		out_status->boot_count = (gint)MIN (entry->done, (guint64)G_MAXINT);
	}
	return TRUE;
}

static void
otad_bootloader_sdboot_finalize (GObject *object)
{
	OtadBootloaderSdboot *self = OTAD_BOOTLOADER_SDBOOT (object);

	g_free (self->entries_dir);
	G_OBJECT_CLASS (otad_bootloader_sdboot_parent_class)->finalize (object);
}

static void
otad_bootloader_sdboot_class_init (OtadBootloaderSdbootClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	OtadBootloaderClass *bl_class = OTAD_BOOTLOADER_CLASS (klass);

	object_class->finalize = otad_bootloader_sdboot_finalize;
	bl_class->mark_trial_boot = otad_bootloader_sdboot_mark_trial_boot;
	bl_class->mark_boot_good = otad_bootloader_sdboot_mark_boot_good;
	bl_class->clear_trial = otad_bootloader_sdboot_clear_trial;
	bl_class->query = otad_bootloader_sdboot_query;
}

static void
otad_bootloader_sdboot_init (OtadBootloaderSdboot *self)
{
}

OtadBootloader *
otad_bootloader_sdboot_new (const OtadBootloaderOptions *options, guint boot_count_limit)
{
	OtadBootloaderSdboot *self =
	    g_object_new (OTAD_TYPE_BOOTLOADER_SDBOOT, "name", "systemd-boot", "boot-count-limit",
	                  boot_count_limit, NULL);

	self->entries_dir = g_build_filename (options->esp != NULL ? options->esp : "/boot",
	                                      "loader", "entries", NULL);
	return OTAD_BOOTLOADER (self);
}
