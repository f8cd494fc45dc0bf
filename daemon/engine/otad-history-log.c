/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-file.h"
#include "otad-history-log.h"

/*
 * The history as a log (GetHistory): one SQLite table in the state directory,
 * appended on the main thread after each step of an update.  WAL mode and one
 * transaction per entry (the insert and the trimming to max-entries): a kill or
 * a power cut mid-write leaves the last committed entry, and the next open
 * replays or drops a stale WAL by itself.  A file SQLite cannot read is moved
 * aside (PATH.corrupt, with a warning) and the log starts again: losing the
 * history must never stop updates.
 */

#define OTAD_HISTORY_LOG_SCHEMA_VERSION 1

struct _OtadHistoryLog {
	sqlite3 *db;
	gchar *path;
	guint max_entries; /* 0: unbounded */
	gboolean created;  /* the file did not exist (or was unreadable) at open */
};

static gboolean
otad_history_log_fail (OtadHistoryLog *self, int rc, const gchar *what, GError **error)
{
	g_set_error (error, OTA_ERROR, rc == SQLITE_FULL ? OTA_ERROR_NO_SPACE : OTA_ERROR_INTERNAL,
	             _("history %s: %s: %s"), self->path, what,
	             self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
	return FALSE;
}

static gboolean
otad_history_log_is_corruption (int rc)
{
	rc &= 0xff; /* the primary code of an extended one */
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

static int
otad_history_log_exec (OtadHistoryLog *self, const gchar *sql)
{
	return sqlite3_exec (self->db, sql, NULL, NULL, NULL);
}

/* an empty file of our own, 0600, never through a planted symlink */
static gboolean
otad_history_log_create_file (const gchar *path, GError **error)
{
	int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 && errno == EEXIST)
		return TRUE;
	if (fd < 0) {
		g_set_error (error, OTA_ERROR,
		             errno == ENOSPC ? OTA_ERROR_NO_SPACE : OTA_ERROR_INTERNAL,
		             _("cannot create %s: %s"), path, g_strerror (errno));
		return FALSE;
	}
	close (fd);
	return TRUE;
}

/* quick_check reads every page: a handful for a bounded log */
static gboolean
otad_history_log_intact (OtadHistoryLog *self, int *out_rc)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok = FALSE;
	int rc = sqlite3_prepare_v2 (self->db, "PRAGMA quick_check", -1, &stmt, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
		ok = g_strcmp0 ((const gchar *)sqlite3_column_text (stmt, 0), "ok") == 0;
	sqlite3_finalize (stmt);
	*out_rc = rc == SQLITE_ROW ? (ok ? SQLITE_OK : SQLITE_CORRUPT) : rc;
	return ok;
}

static gboolean
otad_history_log_setup (OtadHistoryLog *self, int *out_rc)
{
	static const gchar *const steps[] = {
	    "PRAGMA journal_mode=WAL",
	    /* a page cache of 64 KiB, not SQLite's 2 MB default: the connection stays open
	     * between jobs and a few entries per update need no more (bench/run, resident
	     * idle after an update) */
	    "PRAGMA cache_size=-64",
	    /* the log is written on the main loop, which answers D-Bus: no fsync per entry
	     * (FULL held property reads past a second on a busy disk, engine-waits).  In
	     * WAL mode NORMAL stays consistent after a power cut and may lose the newest
	     * entries; the steps that matter are in the boot record, written durably by
	     * the step itself, and come back into the log at the next start
	     * (otad_history_import_catch_up) */
	    "PRAGMA synchronous=NORMAL",
	    "CREATE TABLE IF NOT EXISTS history ("
	    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " time INTEGER NOT NULL, action TEXT NOT NULL, result TEXT NOT NULL,"
	    " name TEXT, version TEXT, checksum TEXT, offer_id TEXT, correlation_id TEXT,"
	    " detail TEXT, error_name TEXT, error_message TEXT)",
	    "CREATE INDEX IF NOT EXISTS history_time ON history (time)",
	};
	int rc = sqlite3_open_v2 (self->path, &self->db,
				  SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
				      SQLITE_OPEN_FULLMUTEX,
				  NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout (self->db, 2000);
	for (guint i = 0; rc == SQLITE_OK && i < G_N_ELEMENTS (steps); i++) {
		rc = otad_history_log_exec (self, steps[i]);
		/* quick_check before the first write: the header may still be readable */
		if (i == 2 && rc == SQLITE_OK)
			(void)otad_history_log_intact (self, &rc);
	}
	if (rc == SQLITE_OK) {
		g_autofree gchar *sql = g_strdup_printf ("PRAGMA user_version=%d",
							 OTAD_HISTORY_LOG_SCHEMA_VERSION);
		rc = otad_history_log_exec (self, sql);
	}
	*out_rc = rc;
	return rc == SQLITE_OK;
}

static void
otad_history_log_close (OtadHistoryLog *self)
{
	if (self->db != NULL)
		sqlite3_close_v2 (self->db);
	self->db = NULL;
}

/* the database and its WAL and shared-memory files go aside together */
static void
otad_history_log_move_aside (OtadHistoryLog *self, const gchar *why)
{
	static const gchar *const companions[] = {"-wal", "-shm", "-journal"};
	g_autofree gchar *aside = NULL;

	otad_history_log_close (self);
	aside = otad_file_move_aside (self->path, why);
	for (guint i = 0; i < G_N_ELEMENTS (companions); i++) {
		g_autofree gchar *from = g_strconcat (self->path, companions[i], NULL);
		g_autofree gchar *to = g_strconcat (self->path, OTAD_FILE_ASIDE_SUFFIX,
						    companions[i], NULL);
		if (g_rename (from, to) != 0 && errno != ENOENT)
			(void)g_unlink (from);
	}
}

static gboolean
otad_history_log_reopen (OtadHistoryLog *self, GError **error)
{
	int rc = SQLITE_OK;

	otad_history_log_close (self);
	self->created = !g_file_test (self->path, G_FILE_TEST_EXISTS);
	if (!otad_history_log_create_file (self->path, error))
		return FALSE;
	if (otad_history_log_setup (self, &rc))
		return TRUE;
	if (!otad_history_log_is_corruption (rc))
		return otad_history_log_fail (self, rc, _("cannot open"), error);
	otad_history_log_move_aside (self, sqlite3_errstr (rc));
	self->created = TRUE;
	if (!otad_history_log_create_file (self->path, error))
		return FALSE;
	if (!otad_history_log_setup (self, &rc))
		return otad_history_log_fail (self, rc, _("cannot create"), error);
	return TRUE;
}

/**
 * otad_history_log_open:
 * @path: the database file (the state directory's history.db)
 * @max_entries: entries kept, the newest; 0 keeps all
 *
 * Opens or creates the log; an unreadable file is moved aside and the log starts
 * empty.  Fails only when no log can be had at all (a full or read-only disk).
 */
OtadHistoryLog *
otad_history_log_open (const gchar *path, guint max_entries, GError **error)
{
	g_autoptr(OtadHistoryLog) self = g_new0 (OtadHistoryLog, 1);

	self->path = g_strdup (path);
	self->max_entries = max_entries;
	if (!otad_history_log_reopen (self, error))
		return NULL;
	return g_steal_pointer (&self);
}

void
otad_history_log_free (OtadHistoryLog *log)
{
	if (log == NULL)
		return;
	otad_history_log_close (log);
	g_free (log->path);
	g_free (log);
}

/* the page cache and lookaside back to the heap, between jobs (issue 13) */
void
otad_history_log_release_memory (OtadHistoryLog *log)
{
	if (log != NULL && log->db != NULL)
		(void)sqlite3_db_release_memory (log->db);
}

/* TRUE when the log started empty: the place to import an older history */
gboolean
otad_history_log_was_created (OtadHistoryLog *log)
{
	return log->created;
}

static void
otad_history_log_bind_text (sqlite3_stmt *stmt, int column, const gchar *value)
{
	if (value != NULL && value[0] != '\0')
		sqlite3_bind_text (stmt, column, value, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null (stmt, column);
}

static int
otad_history_log_insert (OtadHistoryLog *self, const OtadHistoryRecord *r)
{
	sqlite3_stmt *stmt = NULL;
	gint64 now = r->time > 0 ? r->time : g_get_real_time () / G_USEC_PER_SEC;
	int rc = sqlite3_prepare_v2 (
	    self->db,
	    "INSERT INTO history (time, action, result, name, version, checksum, offer_id,"
	    " correlation_id, detail, error_name, error_message)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	    -1, &stmt, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64 (stmt, 1, now);
	sqlite3_bind_text (stmt, 2, r->action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text (stmt, 3, r->result != NULL ? r->result : OTAD_HISTORY_SUCCEEDED, -1,
			   SQLITE_TRANSIENT);
	otad_history_log_bind_text (stmt, 4, r->name);
	otad_history_log_bind_text (stmt, 5, r->version);
	otad_history_log_bind_text (stmt, 6, r->commit);
	otad_history_log_bind_text (stmt, 7, r->offer_id);
	otad_history_log_bind_text (stmt, 8, r->correlation_id);
	otad_history_log_bind_text (stmt, 9, r->detail);
	otad_history_log_bind_text (stmt, 10, r->error_name);
	otad_history_log_bind_text (stmt, 11, r->error_message);
	rc = sqlite3_step (stmt);
	sqlite3_finalize (stmt);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* the newest max_entries stay; the rest goes in the same transaction */
static int
otad_history_log_trim (OtadHistoryLog *self)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (self->max_entries == 0)
		return SQLITE_OK;
	rc = sqlite3_prepare_v2 (self->db,
				 "DELETE FROM history WHERE id <= (SELECT id FROM history"
				 " ORDER BY id DESC LIMIT 1 OFFSET ?1)",
				 -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64 (stmt, 1, self->max_entries);
	rc = sqlite3_step (stmt);
	sqlite3_finalize (stmt);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
otad_history_log_append_once (OtadHistoryLog *self, const OtadHistoryRecord *record)
{
	int rc = otad_history_log_exec (self, "BEGIN IMMEDIATE");

	if (rc != SQLITE_OK)
		return rc;
	rc = otad_history_log_insert (self, record);
	if (rc == SQLITE_OK)
		rc = otad_history_log_trim (self);
	if (rc == SQLITE_OK)
		rc = otad_history_log_exec (self, "COMMIT");
	if (rc != SQLITE_OK)
		(void)otad_history_log_exec (self, "ROLLBACK");
	return rc;
}

/**
 * otad_history_log_append:
 *
 * Appends @record in one transaction, dropping the oldest entries beyond
 * max-entries.  A log found corrupt now is moved aside and started again with
 * this entry.
 */
gboolean
otad_history_log_append (OtadHistoryLog *log, const OtadHistoryRecord *record, GError **error)
{
	int rc;

	g_return_val_if_fail (record->action != NULL, FALSE);
	if (log->db == NULL && !otad_history_log_reopen (log, error))
		return FALSE;
	rc = otad_history_log_append_once (log, record);
	if (otad_history_log_is_corruption (rc)) {
		otad_history_log_move_aside (log, sqlite3_errstr (rc));
		if (!otad_history_log_reopen (log, error))
			return FALSE;
		rc = otad_history_log_append_once (log, record);
	}
	if (rc != SQLITE_OK)
		return otad_history_log_fail (log, rc, _("cannot append"), error);
	return TRUE;
}

static void
otad_history_log_add_text (GVariantBuilder *b, const gchar *key, sqlite3_stmt *stmt, int column)
{
	const gchar *value = (const gchar *)sqlite3_column_text (stmt, column);

	/* TEXT is what we stored; anything else is not ours to pass on as UTF-8 */
	if (value == NULL || !g_utf8_validate (value, -1, NULL))
		value = "";
	g_variant_builder_add (b, "{sv}", key, g_variant_new_string (value));
}

static GVariant *
otad_history_log_row (sqlite3_stmt *stmt)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	const gchar *result = (const gchar *)sqlite3_column_text (stmt, 3);

	g_variant_builder_add (&b, "{sv}", "id",
			       g_variant_new_uint64 ((guint64)sqlite3_column_int64 (stmt, 0)));
	g_variant_builder_add (&b, "{sv}", "time",
			       g_variant_new_uint64 ((guint64)MAX (sqlite3_column_int64 (stmt, 1), 0)));
	otad_history_log_add_text (&b, "action", stmt, 2);
	otad_history_log_add_text (&b, "result", stmt, 3);
	/* the key every earlier client reads */
	g_variant_builder_add (&b, "{sv}", "success",
			       g_variant_new_boolean (g_strcmp0 (result, OTAD_HISTORY_SUCCEEDED) == 0));
	otad_history_log_add_text (&b, "name", stmt, 4);
	otad_history_log_add_text (&b, "version", stmt, 5);
	otad_history_log_add_text (&b, "commit", stmt, 6);
	otad_history_log_add_text (&b, "offer-id", stmt, 7);
	otad_history_log_add_text (&b, "correlation-id", stmt, 8);
	otad_history_log_add_text (&b, "detail", stmt, 9);
	otad_history_log_add_text (&b, "error-name", stmt, 10);
	otad_history_log_add_text (&b, "error-message", stmt, 11);
	return g_variant_builder_end (&b);
}

/**
 * otad_history_log_query:
 * @limit: at most this many entries, 0 all
 * @since: only entries at or after this Unix time, 0 all
 *
 * Returns: (transfer floating): aa{sv}, newest first (the GetHistory reply)
 */
GVariant *
otad_history_log_query (OtadHistoryLog *log, guint limit, guint64 since, GError **error)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (log->db == NULL && !otad_history_log_reopen (log, error))
		return NULL;
	rc = sqlite3_prepare_v2 (
	    log->db,
	    "SELECT id, time, action, result, name, version, checksum, offer_id,"
	    " correlation_id, detail, error_name, error_message FROM history"
	    " WHERE time >= ?1 ORDER BY id DESC LIMIT ?2",
	    -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		otad_history_log_fail (log, rc, _("cannot read"), error);
		return NULL;
	}
	sqlite3_bind_int64 (stmt, 1, (sqlite3_int64)MIN (since, (guint64)G_MAXINT64));
	/* a negative LIMIT is none */
	sqlite3_bind_int64 (stmt, 2, limit > 0 ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
		g_variant_builder_add_value (&b, otad_history_log_row (stmt));
	sqlite3_finalize (stmt);
	if (otad_history_log_is_corruption (rc)) {
		g_autoptr(GError) error_local = NULL;
		/* unreadable now: what was read is shown, the log starts again */
		otad_history_log_move_aside (log, sqlite3_errstr (rc));
		if (!otad_history_log_reopen (log, &error_local))
			g_warning ("%s", error_local->message);
	} else if (rc != SQLITE_DONE) {
		otad_history_log_fail (log, rc, _("cannot read"), error);
		return NULL;
	}
	return g_variant_builder_end (&b);
}
