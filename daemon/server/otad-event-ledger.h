/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * OtadEventLedger: the id of every event otad reported, per update, fixed when the
 * event is first recorded and kept on disk (STATE_DIR/report-events.json) before the
 * event is queued; the id is derived from what names the event, so it is the same
 * when the file was lost.  A step that runs again after a kill or a retry asks for the same
 * event and gets the same id back, flagged as queued already: it is counted as a retry
 * and not queued again, and a send that is retried carries the same id, so the server
 * can tell a repeat from a new event.
 */
#define OTAD_TYPE_EVENT_LEDGER (otad_event_ledger_get_type ())
G_DECLARE_FINAL_TYPE (OtadEventLedger, otad_event_ledger, OTAD, EVENT_LEDGER, GObject)

#define OTAD_EVENT_LEDGER_FILENAME "report-events.json"

typedef enum {
	OTAD_EVENT_LEDGER_FLAG_NONE = 0,
	/* the event starts an attempt (a download or an install): after a final event of
	 * the update was queued, it opens a new attempt with new ids */
	OTAD_EVENT_LEDGER_FLAG_STARTS = 1 << 0,
	/* the event ends an attempt (the installation's outcome) */
	OTAD_EVENT_LEDGER_FLAG_FINAL = 1 << 1,
} OtadEventLedgerFlags;

OtadEventLedger *otad_event_ledger_new (const gchar *path,
                                        const gchar *device) G_GNUC_WARN_UNUSED_RESULT;
gchar *otad_event_ledger_derive_id (const gchar *device, const gchar *update_key, guint attempt,
                                    const gchar *event) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_event_ledger_has_update (OtadEventLedger *self, const gchar *update_key);
gchar *otad_event_ledger_claim (OtadEventLedger *self, const gchar *update_key, const gchar *event,
                                OtadEventLedgerFlags flags, guint attempt,
                                gboolean *out_queued, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_event_ledger_mark_queued (OtadEventLedger *self, const gchar *update_key,
                                        const gchar *event,
                                        GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint otad_event_ledger_get_retries (OtadEventLedger *self, const gchar *update_key,
                                     const gchar *event);

G_END_DECLS
