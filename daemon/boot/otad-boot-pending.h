/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * OtadBootPhase:
 * @OTAD_BOOT_PHASE_INSTALLED: the new deployment is the default; waiting for a boot into it
 * @OTAD_BOOT_PHASE_CONFIRMED: it booted and passed; the bootloader was told, reporting
 *   and pruning may still be due
 * @OTAD_BOOT_PHASE_ROLLING_BACK: it booted and failed its checks; the old deployment is
 *   (being made) the default and a reboot was requested
 * @OTAD_BOOT_PHASE_FELL_BACK: the bootloader booted the old deployment instead; otad is
 *   making that permanent
 */
typedef enum {
	OTAD_BOOT_PHASE_INSTALLED,
	OTAD_BOOT_PHASE_CONFIRMED,
	OTAD_BOOT_PHASE_ROLLING_BACK,
	OTAD_BOOT_PHASE_FELL_BACK,
} OtadBootPhase;

/**
 * OtadBootOutcome:
 * @OTAD_BOOT_OUTCOME_SUCCESS: the new deployment booted and passed its health checks
 * @OTAD_BOOT_OUTCOME_HEALTH_CHECK_FAILED: it booted, failed a health check and was rolled back
 * @OTAD_BOOT_OUTCOME_BOOTLOADER_ROLLBACK: the bootloader fell back to the old deployment
 * @OTAD_BOOT_OUTCOME_MANUAL_ROLLBACK: an administrator rolled back
 * @OTAD_BOOT_OUTCOME_INSTALL_FAILED: the install itself failed (deployment or trial boot);
 *   the deployments stayed as they were
 */
typedef enum {
	OTAD_BOOT_OUTCOME_SUCCESS,
	OTAD_BOOT_OUTCOME_HEALTH_CHECK_FAILED,
	OTAD_BOOT_OUTCOME_BOOTLOADER_ROLLBACK,
	OTAD_BOOT_OUTCOME_MANUAL_ROLLBACK,
	OTAD_BOOT_OUTCOME_INSTALL_FAILED,
} OtadBootOutcome;

const gchar *otad_boot_phase_to_string (OtadBootPhase phase);
const gchar *otad_boot_outcome_to_string (OtadBootOutcome outcome);

/**
 * OtadBootPending:
 * @commit: the OSTree commit installed and waiting for confirmation
 * @previous_commit: (nullable): the commit that was booted when it was installed
 * @target_name: (nullable): the TUF target name, for reporting after the reboot
 * @version: (nullable): the target's version
 * @correlation_id: (nullable): the campaign's correlation id
 * @boot_id: the kernel boot id at install time (a different one means a reboot happened)
 * @installed_at: when, in seconds since the epoch
 * @phase: how far confirmation got
 * @detail: (nullable): why it is being rolled back
 * @reported: the outcome of this phase was handed to reporting
 * @reboot_requests: reboots requested to leave a failed deployment (bounded, so a
 *   deployment that keeps coming back cannot cause a reboot loop)
 */
typedef struct {
	gchar *commit;
	gchar *previous_commit;
	gchar *target_name;
	gchar *version;
	gchar *correlation_id;
	gchar *boot_id;
	gint64 installed_at;
	OtadBootPhase phase;
	gchar *detail;
	gboolean reported;
	guint reboot_requests;
} OtadBootPending;

OtadBootPending *otad_boot_pending_new (const gchar *commit, const gchar *previous_commit,
                                        const gchar *boot_id) G_GNUC_WARN_UNUSED_RESULT;
OtadBootPending *otad_boot_pending_copy (const OtadBootPending *pending) G_GNUC_WARN_UNUSED_RESULT;
void otad_boot_pending_free (OtadBootPending *pending);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadBootPending, otad_boot_pending_free)

/**
 * OtadBootHistoryEntry:
 * @commit: the commit the attempt installed
 * @previous_commit: (nullable): the commit before it
 * @version: (nullable): the target's version
 * @correlation_id: (nullable): the campaign's correlation id
 * @outcome: how it ended
 * @detail: (nullable): why
 * @time: when, in seconds since the epoch
 */
typedef struct {
	gchar *commit;
	gchar *previous_commit;
	gchar *version;
	gchar *correlation_id;
	OtadBootOutcome outcome;
	gchar *detail;
	gint64 time;
} OtadBootHistoryEntry;

void otad_boot_history_entry_free (OtadBootHistoryEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadBootHistoryEntry, otad_boot_history_entry_free)

G_END_DECLS
