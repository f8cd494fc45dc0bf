/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * OtadSpawnResult:
 * @exited: %TRUE if the process exited normally (not killed by a signal)
 * @exit_status: exit code when @exited
 * @term_signal: the signal that ended the process when not @exited
 * @timed_out: %TRUE if otad killed the process because it ran past its timeout
 * @out: standard output (owned, may be %NULL when not captured)
 * @err: standard error (owned, may be %NULL when not captured)
 *
 * What happened to one child process.  A run that could not even start is
 * a #GError instead.
 */
typedef struct {
	gboolean exited;
	gint exit_status;
	gint term_signal;
	gboolean timed_out;
	gchar *out; /* (owned) (nullable) */
	gchar *err; /* (owned) (nullable) */
} OtadSpawnResult;

void otad_spawn_result_free (OtadSpawnResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadSpawnResult, otad_spawn_result_free)

gboolean otad_spawn_result_success (const OtadSpawnResult *result);
gchar *otad_spawn_result_describe (const OtadSpawnResult *result) G_GNUC_WARN_UNUSED_RESULT;

OtadSpawnResult *otad_spawn_run (const gchar *const *argv, guint timeout_ms,
                                 GCancellable *cancellable,
                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean otad_spawn_check (const gchar *const *argv, guint timeout_ms, gint error_code,
                           gchar **out_stdout, GCancellable *cancellable,
                           GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
