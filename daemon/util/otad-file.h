/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The one way otad writes and reads its own state files (state.json, the boot
 * record, the report queue, the ECU key, the report counter, the event ids, the
 * trusted TUF metadata): see otad-file.c.  Errors are OtaError: NotFound for a
 * missing file, NoSpace for ENOSPC/EDQUOT, Failed for the rest; each message names
 * the path.
 */

/* the suffix of the temporary file next to the target, and of a file moved aside */
#define OTAD_FILE_TMP_SUFFIX ".tmp"
#define OTAD_FILE_ASIDE_SUFFIX ".corrupt"

gboolean otad_file_replace (const gchar *path, gconstpointer data, gsize len, guint mode,
                            GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_file_read (const gchar *path, gsize max_len, gchar **out_data, gsize *out_len,
                         GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_file_remove (const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_file_sync_dir (const gchar *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_file_ensure_dir (const gchar *dir, guint mode,
                               GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *otad_file_move_aside (const gchar *path, const gchar *why);
gboolean otad_file_is_not_found (const GError *error);

G_END_DECLS
