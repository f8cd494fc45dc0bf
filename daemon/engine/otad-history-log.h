/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OTAD_HISTORY_LOG_FILENAME "history.db"

/* the result of an entry (GetHistory's "result") */
#define OTAD_HISTORY_SUCCEEDED "succeeded"
#define OTAD_HISTORY_FAILED    "failed"
#define OTAD_HISTORY_CANCELLED "cancelled"

/**
 * OtadHistoryRecord:
 * @time: Unix seconds; 0 is now
 * @action: check, download, install, confirm, health-check-failed,
 *   bootloader-rollback, rollback, consent, decline, postpone, discard
 * @result: %OTAD_HISTORY_SUCCEEDED, %OTAD_HISTORY_FAILED or %OTAD_HISTORY_CANCELLED
 *
 * One entry of the history, as the engine records it; every string is nullable.
 */
typedef struct {
	gint64 time;
	const gchar *action;
	const gchar *result;
	const gchar *name;
	const gchar *version;
	const gchar *commit;
	const gchar *offer_id;
	const gchar *correlation_id;
	const gchar *detail;
	const gchar *error_name;
	const gchar *error_message;
} OtadHistoryRecord;

typedef struct _OtadHistoryLog OtadHistoryLog;

OtadHistoryLog *otad_history_log_open (const gchar *path, guint max_entries, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void otad_history_log_free (OtadHistoryLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadHistoryLog, otad_history_log_free)

gboolean otad_history_log_was_created (OtadHistoryLog *log);
void otad_history_log_release_memory (OtadHistoryLog *log);
gboolean otad_history_log_append (OtadHistoryLog *log,
				  const OtadHistoryRecord *record,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
GVariant *otad_history_log_query (OtadHistoryLog *log, guint limit, guint64 since,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* otad-history-import.c: what the boot record showed before there was a log */
void otad_history_import_boot_record (OtadHistoryLog *log, const gchar *state_dir);
/* a step the boot record finished that the log lacks (a kill in between) */
void otad_history_import_catch_up (OtadHistoryLog *log, const gchar *state_dir);

G_END_DECLS
