/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "otad-boot-pending.h"

G_BEGIN_DECLS

/* the file in the state directory */
#define OTAD_BOOT_RECORD_FILENAME "boot-record.json"

#define OTAD_TYPE_BOOT_RECORD (otad_boot_record_get_type ())
G_DECLARE_FINAL_TYPE (OtadBootRecord, otad_boot_record, OTAD, BOOT_RECORD, GObject)

OtadBootRecord *otad_boot_record_new (const gchar *path) G_GNUC_WARN_UNUSED_RESULT;
const gchar *otad_boot_record_get_path (OtadBootRecord *self);
gboolean otad_boot_record_load (OtadBootRecord *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_boot_record_peek (OtadBootRecord *self, GError **error);
gboolean otad_boot_record_was_recovered (OtadBootRecord *self);

const OtadBootPending *otad_boot_record_get_pending (OtadBootRecord *self);
gboolean otad_boot_record_set_pending (OtadBootRecord *self, const OtadBootPending *pending,
                                       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_boot_record_set_phase (OtadBootRecord *self, OtadBootPhase phase, const gchar *detail,
                                     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_boot_record_count_reboot_request (OtadBootRecord *self,
                                                GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_boot_record_set_reported (OtadBootRecord *self,
                                        GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_boot_record_finish_pending (OtadBootRecord *self, OtadBootOutcome outcome,
                                          const gchar *detail,
                                          GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean otad_boot_record_mark_bad (OtadBootRecord *self, const gchar *commit, const gchar *reason,
                                    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_boot_record_forget_bad (OtadBootRecord *self, const gchar *commit,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_boot_record_is_bad (OtadBootRecord *self, const gchar *commit);
const gchar *otad_boot_record_get_bad_reason (OtadBootRecord *self, const gchar *commit);
gboolean otad_boot_record_check_installable (OtadBootRecord *self, const gchar *commit,
                                             GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *otad_boot_record_get_history (OtadBootRecord *self);

gchar *otad_boot_record_read_boot_id (GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
