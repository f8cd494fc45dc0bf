/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boot record: what otad installed and is waiting to confirm, commits
 * that failed on this device (never installed again automatically) and the
 * outcomes of past attempts.  It lives in the state directory as JSON and is
 * replaced atomically (write to a temporary file, fsync, rename) before each
 * step it describes is taken, so a power cut at any point leaves either the
 * old or the new record and the next start knows where it was.
 */
#define G_LOG_DOMAIN "OtadBootRecord"

#include "config.h"

#include <ostree.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-boot-record-json.h"
#include "otad-file.h"
#include "otad-boot-record.h"

/* oldest entries go first: the server keeps the long-term history */
#define OTAD_BOOT_RECORD_MAX_HISTORY 100

struct _OtadBootRecord {
	GObject parent_instance;
	gchar *path;              /* (owned) */
	OtadBootPending *pending; /* (owned) (nullable) */
	GHashTable *bad;          /* (owned) commit → reason */
	GPtrArray *history;       /* (owned) (element-type OtadBootHistoryEntry) */
	gchar *on_disk; /* (owned) (nullable) what the file holds, to undo a failed save */
	gboolean recovered; /* the file was unreadable: moved aside, this record is empty */
};

G_DEFINE_TYPE (OtadBootRecord, otad_boot_record, G_TYPE_OBJECT)

static void
otad_boot_record_finalize (GObject *object)
{
	OtadBootRecord *self = OTAD_BOOT_RECORD (object);

	g_free (self->path);
	g_free (self->on_disk);
	otad_boot_pending_free (self->pending);
	g_hash_table_unref (self->bad);
	g_ptr_array_unref (self->history);
	G_OBJECT_CLASS (otad_boot_record_parent_class)->finalize (object);
}

static void
otad_boot_record_class_init (OtadBootRecordClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_boot_record_finalize;
}

static void
otad_boot_record_init (OtadBootRecord *self)
{
	self->bad = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->history =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_boot_history_entry_free);
}

/**
 * otad_boot_record_new:
 * @path: the record file, normally `OTAD_STATE_DIR/boot-record.json`
 *
 * Creates an empty record; call otad_boot_record_load() to read the file.
 *
 * Returns: (transfer full): a new #OtadBootRecord
 */
OtadBootRecord *
otad_boot_record_new (const gchar *path)
{
	OtadBootRecord *self = g_object_new (OTAD_TYPE_BOOT_RECORD, NULL);

	self->path = g_strdup (path);
	return self;
}

const gchar *
otad_boot_record_get_path (OtadBootRecord *self)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), NULL);
	return self->path;
}

static void
otad_boot_record_reset (OtadBootRecord *self)
{
	g_clear_pointer (&self->pending, otad_boot_pending_free);
	g_hash_table_remove_all (self->bad);
	g_ptr_array_set_size (self->history, 0);
}

static gboolean
otad_boot_record_load_data (OtadBootRecord *self, const gchar *data, gsize len, GError **error)
{
	g_autoptr (GError) error_local = NULL;
	OtadBootRecordData parsed = {NULL, self->bad, self->history};

	otad_boot_record_reset (self);
	if (!otad_boot_record_json_parse (data, len, &parsed, &error_local)) {
		otad_boot_pending_free (parsed.pending);
		otad_boot_record_reset (self);
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		             _("boot record %s is corrupt: %s"), self->path, error_local->message);
		return FALSE;
	}
	self->pending = parsed.pending;
	return TRUE;
}

/* reads and parses the file: FALSE with @error when it is there but unusable */
static gboolean
otad_boot_record_read (OtadBootRecord *self, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_autoptr (GError) error_local = NULL;
	gsize len = 0;

	otad_boot_record_reset (self);
	g_clear_pointer (&self->on_disk, g_free);
	self->recovered = FALSE;
	if (!otad_file_read (self->path, OTAD_BOOT_RECORD_JSON_MAX_SIZE, &contents, &len,
	                     &error_local)) {
		if (otad_file_is_not_found (error_local))
			return TRUE;
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	if (!otad_boot_record_load_data (self, contents, len, error))
		return FALSE;
	self->on_disk = g_steal_pointer (&contents);
	return TRUE;
}

/**
 * otad_boot_record_load:
 * @self: an #OtadBootRecord
 * @error: return location for a #GError
 *
 * Reads the record file.  A missing file is an empty record.  A file that
 * cannot be read or parsed (a power cut on a file system that lost the data, a
 * symlink, garbage) is moved aside with a warning and the record starts empty;
 * otad_boot_record_was_recovered() then says so, and the engine rebuilds the
 * pending install from what the sysroot and the bootloader say
 * (otad_boot_record_rebuild()).  The list of bad commits of the lost file is
 * gone: the warning says that too.
 *
 * Returns: %TRUE on success; %FALSE only when the state directory itself fails
 */
gboolean
otad_boot_record_load (OtadBootRecord *self, GError **error)
{
	g_autoptr (GError) error_local = NULL;

	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);

	if (otad_boot_record_read (self, &error_local))
		return TRUE;
	{
		g_autofree gchar *aside = otad_file_move_aside (self->path, error_local->message);
		g_warning ("boot record %s: the pending install is rebuilt from the sysroot; "
		           "commits that failed here before are forgotten",
		           self->path);
	}
	self->recovered = TRUE;
	return TRUE;
}

/**
 * otad_boot_record_peek:
 *
 * otad_boot_record_load() for a reader that only looks: a damaged file stays
 * where it is (the job that owns the record recovers it) and is an error.
 *
 * Returns: %TRUE when the record was read, or there is none
 */
gboolean
otad_boot_record_peek (OtadBootRecord *self, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	return otad_boot_record_read (self, error);
}

/* TRUE when load() found the file unreadable and moved it aside */
gboolean
otad_boot_record_was_recovered (OtadBootRecord *self)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	return self->recovered;
}

/* on failure the in-memory record goes back to what the disk holds */
static gboolean
otad_boot_record_save (OtadBootRecord *self, GError **error)
{
	OtadBootRecordData current = {self->pending, self->bad, self->history};
	g_autofree gchar *data = otad_boot_record_json_generate (&current);
	g_autofree gchar *dir = g_path_get_dirname (self->path);

	if (!otad_file_ensure_dir (dir, 0700, error) ||
	    !otad_file_replace (self->path, data, strlen (data), 0600, error)) {
		g_prefix_error (error, _("failed to write boot record: "));
		if (self->on_disk == NULL)
			otad_boot_record_reset (self);
		else if (!otad_boot_record_load_data (self, self->on_disk, strlen (self->on_disk),
		                                      NULL))
			g_warning ("boot record %s: previous state lost", self->path);
		return FALSE;
	}
	g_free (self->on_disk);
	self->on_disk = g_steal_pointer (&data);
	return TRUE;
}

/* -- the pending install ---------------------------------------------------- */

const OtadBootPending *
otad_boot_record_get_pending (OtadBootRecord *self)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), NULL);
	return self->pending;
}

/**
 * otad_boot_record_set_pending:
 * @self: an #OtadBootRecord
 * @pending: (nullable): the install now waiting for confirmation, or %NULL to drop it
 * @error: return location for a #GError
 *
 * Records a new install.  Call before writing the deployment as the default
 * so that a power cut after that write still finds the record.
 *
 * Returns: %TRUE once it is on disk
 */
gboolean
otad_boot_record_set_pending (OtadBootRecord *self, const OtadBootPending *pending, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);

	if (pending != NULL && !ostree_validate_checksum_string (pending->commit, error))
		return FALSE;
	g_clear_pointer (&self->pending, otad_boot_pending_free);
	if (pending != NULL)
		self->pending = otad_boot_pending_copy (pending);
	return otad_boot_record_save (self, error);
}

gboolean
otad_boot_record_set_phase (OtadBootRecord *self, OtadBootPhase phase, const gchar *detail,
                            GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (self->pending == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		                     _("no install is waiting for confirmation"));
		return FALSE;
	}
	if (self->pending->phase != phase)
		self->pending->reported = FALSE;
	self->pending->phase = phase;
	g_free (self->pending->detail);
	self->pending->detail = g_strdup (detail);
	return otad_boot_record_save (self, error);
}

/* recorded before the reboot is requested: a crash right after still counts it */
gboolean
otad_boot_record_count_reboot_request (OtadBootRecord *self, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (self->pending == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		                     _("no install is waiting for confirmation"));
		return FALSE;
	}
	self->pending->reboot_requests++;
	return otad_boot_record_save (self, error);
}

gboolean
otad_boot_record_set_reported (OtadBootRecord *self, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (self->pending == NULL || self->pending->reported)
		return TRUE;
	self->pending->reported = TRUE;
	return otad_boot_record_save (self, error);
}

/**
 * otad_boot_record_finish_pending:
 * @self: an #OtadBootRecord
 * @outcome: how the attempt ended
 * @detail: (nullable): why
 * @error: return location for a #GError
 *
 * Moves the pending install into the history.
 *
 * Returns: %TRUE once it is on disk
 */
gboolean
otad_boot_record_finish_pending (OtadBootRecord *self, OtadBootOutcome outcome, const gchar *detail,
                                 GError **error)
{
	OtadBootHistoryEntry *entry;

	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (self->pending == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INTERNAL,
		                     _("no install is waiting for confirmation"));
		return FALSE;
	}
	entry = g_new0 (OtadBootHistoryEntry, 1);
	entry->commit = g_strdup (self->pending->commit);
	entry->previous_commit = g_strdup (self->pending->previous_commit);
	entry->version = g_strdup (self->pending->version);
	entry->correlation_id = g_strdup (self->pending->correlation_id);
	entry->outcome = outcome;
	entry->detail = g_strdup (detail);
	entry->time = g_get_real_time () / G_USEC_PER_SEC;
	g_ptr_array_add (self->history, entry);
	if (self->history->len > OTAD_BOOT_RECORD_MAX_HISTORY)
		g_ptr_array_remove_range (self->history, 0,
		                          self->history->len - OTAD_BOOT_RECORD_MAX_HISTORY);
	g_clear_pointer (&self->pending, otad_boot_pending_free);
	return otad_boot_record_save (self, error);
}

/* -- bad commits ------------------------------------------------------------- */

/**
 * otad_boot_record_mark_bad:
 * @self: an #OtadBootRecord
 * @commit: the commit that failed on this device
 * @reason: why
 * @error: return location for a #GError
 *
 * Returns: %TRUE once it is on disk
 */
gboolean
otad_boot_record_mark_bad (OtadBootRecord *self, const gchar *commit, const gchar *reason,
                           GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (!ostree_validate_checksum_string (commit, error))
		return FALSE;
	if (g_strcmp0 (g_hash_table_lookup (self->bad, commit), reason) == 0)
		return TRUE;
	g_hash_table_replace (self->bad, g_strdup (commit),
	                      g_strdup (reason != NULL ? reason : "failed"));
	return otad_boot_record_save (self, error);
}

/* an explicit administrator decision to try a bad commit again */
gboolean
otad_boot_record_forget_bad (OtadBootRecord *self, const gchar *commit, GError **error)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	if (!g_hash_table_remove (self->bad, commit))
		return TRUE;
	return otad_boot_record_save (self, error);
}

gboolean
otad_boot_record_is_bad (OtadBootRecord *self, const gchar *commit)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), FALSE);
	return commit != NULL && g_hash_table_contains (self->bad, commit);
}

const gchar *
otad_boot_record_get_bad_reason (OtadBootRecord *self, const gchar *commit)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), NULL);
	return commit != NULL ? g_hash_table_lookup (self->bad, commit) : NULL;
}

/**
 * otad_boot_record_check_installable:
 * @self: an #OtadBootRecord
 * @commit: a commit the server offers
 * @error: return location for a #GError
 *
 * Refuses a commit that already failed on this device, with
 * %OTA_ERROR_NO_UPDATE: the engine treats it as nothing to install.
 *
 * Returns: %TRUE if @commit may be installed
 */
gboolean
otad_boot_record_check_installable (OtadBootRecord *self, const gchar *commit, GError **error)
{
	const gchar *reason = otad_boot_record_get_bad_reason (self, commit);

	if (reason == NULL)
		return TRUE;
	g_set_error (error, OTA_ERROR, OTA_ERROR_NO_UPDATE,
	             _("commit %s failed on this device (%s) and is not installed again"), commit,
	             reason);
	return FALSE;
}

/**
 * otad_boot_record_get_history:
 * @self: an #OtadBootRecord
 *
 * Returns: (transfer none) (element-type OtadBootHistoryEntry): past outcomes, oldest first
 */
GPtrArray *
otad_boot_record_get_history (OtadBootRecord *self)
{
	g_return_val_if_fail (OTAD_IS_BOOT_RECORD (self), NULL);
	return self->history;
}

/**
 * otad_boot_record_read_boot_id:
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the kernel's id of the current boot
 */
gchar *
otad_boot_record_read_boot_id (GError **error)
{
	g_autofree gchar *contents = NULL;

	if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, error))
		return NULL;
	return g_strstrip (g_steal_pointer (&contents));
}
