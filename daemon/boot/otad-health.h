/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
	OTAD_HEALTH_CHECK_EXECUTABLE,
	OTAD_HEALTH_CHECK_UNIT,
} OtadHealthCheckKind;

/**
 * OtadHealthResult:
 * @kind: an executable from a health.d directory or a systemd unit
 * @name: the executable's file name or the unit name
 * @path: the executable that ran (%NULL for units)
 * @passed: %TRUE if the check passed
 * @reason: why it failed, or a short note when it passed
 */
typedef struct {
	OtadHealthCheckKind kind;
	gchar *name; /* (owned) */
	gchar *path; /* (owned) (nullable) */
	gboolean passed;
	gchar *reason; /* (owned) */
} OtadHealthResult;

void otad_health_result_free (OtadHealthResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadHealthResult, otad_health_result_free)

/**
 * OtadHealthOptions:
 * @dirs: (nullable): directories of executables, highest priority first; an
 *   executable in an earlier directory hides the one with the same name in a
 *   later one, and a symlink to /dev/null masks it.  %NULL means
 *   `/etc/otad/health.d` then `/usr/lib/otad/health.d`
 * @units: (nullable): systemd units that must be active
 * @systemctl: (nullable): the systemctl program (%NULL: `systemctl` from PATH)
 * @timeout_ms: limit for each check (0: 300 s); a check past it is killed and fails
 * @unit_poll_ms: how often to ask again about a unit that is still starting (0: 1 s)
 */
typedef struct {
	const gchar *const *dirs;
	const gchar *const *units;
	const gchar *systemctl;
	guint timeout_ms;
	guint unit_poll_ms;
} OtadHealthOptions;

GPtrArray *otad_health_list_executables (const gchar *const *dirs,
                                         GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *otad_health_run (const OtadHealthOptions *options, GCancellable *cancellable,
                            GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_health_results_passed (GPtrArray *results);
gchar *otad_health_results_describe (GPtrArray *results) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
