/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include "otad-boot-record.h"
#include "otad-history-log.h"

/*
 * Before the log, GetHistory showed the boot record's finished attempts and the
 * install waiting for confirmation.  A log that starts empty takes them over
 * once, oldest first, so an upgraded device keeps what it showed.
 */

static const gchar *
otad_history_import_action (OtadBootOutcome outcome)
{
	switch (outcome) {
	case OTAD_BOOT_OUTCOME_SUCCESS:
		return "confirm";
	case OTAD_BOOT_OUTCOME_HEALTH_CHECK_FAILED:
		return "health-check-failed";
	case OTAD_BOOT_OUTCOME_BOOTLOADER_ROLLBACK:
		return "bootloader-rollback";
	case OTAD_BOOT_OUTCOME_INSTALL_FAILED:
		return "install";
	case OTAD_BOOT_OUTCOME_MANUAL_ROLLBACK:
	default:
		return "rollback";
	}
}

/* the log's record of one of the boot record's finished attempts (borrowing its strings) */
static OtadHistoryRecord
otad_history_import_record (const OtadBootHistoryEntry *e)
{
	OtadHistoryRecord r = {
	    .time = MAX (e->time, 1),
	    .action = otad_history_import_action (e->outcome),
	    /* the old history could not tell a successful manual rollback */
	    .result = e->outcome == OTAD_BOOT_OUTCOME_SUCCESS ||
			      e->outcome == OTAD_BOOT_OUTCOME_MANUAL_ROLLBACK
			  ? OTAD_HISTORY_SUCCEEDED
			  : OTAD_HISTORY_FAILED,
	    .version = e->version,
	    .commit = e->commit,
	    .correlation_id = e->correlation_id,
	    .detail = e->detail,
	};
	return r;
}

static void
otad_history_import_append (OtadHistoryLog *log, const OtadHistoryRecord *record)
{
	g_autoptr(GError) error_local = NULL;

	if (!otad_history_log_append (log, record, &error_local))
		g_warning ("cannot import the history: %s", error_local->message);
}

void
otad_history_import_boot_record (OtadHistoryLog *log, const gchar *state_dir)
{
	g_autofree gchar *path = g_build_filename (state_dir, OTAD_BOOT_RECORD_FILENAME, NULL);
	g_autoptr(OtadBootRecord) record = otad_boot_record_new (path);
	g_autoptr(GError) error_local = NULL;
	const OtadBootPending *pending;
	GPtrArray *history;

	if (!g_file_test (path, G_FILE_TEST_EXISTS))
		return;
	if (!otad_boot_record_load (record, &error_local)) {
		g_info ("no history to import: %s", error_local->message);
		return;
	}
	history = otad_boot_record_get_history (record);
	for (guint i = 0; i < history->len; i++) {
		OtadBootHistoryEntry *e = g_ptr_array_index (history, i);
		OtadHistoryRecord r = otad_history_import_record (e);
		otad_history_import_append (log, &r);
	}
	pending = otad_boot_record_get_pending (record);
	if (pending != NULL) {
		OtadHistoryRecord r = {
		    .time = MAX (pending->installed_at, 1),
		    .action = "install",
		    .result = OTAD_HISTORY_SUCCEEDED,
		    .version = pending->version,
		    .commit = pending->commit,
		    .correlation_id = pending->correlation_id,
		    .detail = pending->detail,
		};
		otad_history_import_append (log, &r);
	}
	g_info ("imported %u entries of the boot record into the history",
		history->len + (pending != NULL ? 1 : 0));
}

/* the step the boot record finished last, and whether the log has it since then */
static gboolean
otad_history_import_has (OtadHistoryLog *log, const OtadBootHistoryEntry *e)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) entries =
	    otad_history_log_query (log, 0, (guint64)MAX (e->time, 0), &error_local);
	const gchar *action = otad_history_import_action (e->outcome);

	if (entries == NULL) {
		g_warning ("cannot read the history: %s", error_local->message);
		return TRUE; /* nothing added on a log that cannot be read */
	}
	for (gsize i = 0; i < g_variant_n_children (entries); i++) {
		g_autoptr(GVariant) entry = g_variant_get_child_value (entries, i);
		const gchar *a = NULL, *commit = NULL;
		if (g_variant_lookup (entry, "action", "&s", &a) &&
		    g_variant_lookup (entry, "commit", "&s", &commit) && g_strcmp0 (a, action) == 0 &&
		    g_strcmp0 (commit, e->commit) == 0)
			return TRUE;
	}
	return FALSE;
}

/*
 * The boot record is written by the step itself (confirmation, rollback), the log
 * after it: a kill in between (the confirmation's reports were being sent) leaves the
 * step out of the log.  At start, the step the boot record finished last is added when
 * the log does not have it since.
 */
void
otad_history_import_catch_up (OtadHistoryLog *log, const gchar *state_dir)
{
	g_autofree gchar *path = g_build_filename (state_dir, OTAD_BOOT_RECORD_FILENAME, NULL);
	g_autoptr(OtadBootRecord) record = otad_boot_record_new (path);
	const OtadBootHistoryEntry *e;
	GPtrArray *history;

	if (!g_file_test (path, G_FILE_TEST_EXISTS) || !otad_boot_record_load (record, NULL))
		return;
	history = otad_boot_record_get_history (record);
	if (history->len == 0)
		return;
	e = g_ptr_array_index (history, history->len - 1);
	if (otad_history_import_has (log, e))
		return;
	{
		OtadHistoryRecord r = otad_history_import_record (e);
		g_message ("the history lacked the last step the boot record shows (%s of %s): "
			   "added", r.action, e->commit != NULL ? e->commit : "?");
		otad_history_import_append (log, &r);
	}
}
