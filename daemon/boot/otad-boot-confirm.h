/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

#include "otad-boot-record.h"
#include "otad-bootloader.h"
#include "otad-health.h"

G_BEGIN_DECLS

/**
 * OtadBootConfirmOutcome:
 * @OTAD_BOOT_CONFIRM_NOTHING_PENDING: no install waits for confirmation (state idle)
 * @OTAD_BOOT_CONFIRM_AWAITING_REBOOT: installed, this boot is still the one it was
 *   installed from (state pending-reboot)
 * @OTAD_BOOT_CONFIRM_CONFIRMED: the new deployment booted and passed its checks; the
 *   bootloader was told, success reported, old deployments pruned (state idle)
 * @OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED: the new deployment booted and failed a check;
 *   the old one is the default again, the commit is bad, a reboot is needed
 *   (state rolled-back)
 * @OTAD_BOOT_CONFIRM_ROLLBACK_COMPLETED: after such a failure the old deployment booted
 *   again and the failed one was removed (state rolled-back)
 * @OTAD_BOOT_CONFIRM_BOOTLOADER_ROLLBACK: the system rebooted into the old deployment while
 *   the new one was pending: the bootloader fell back; the commit is bad and its
 *   deployment was removed (state rolled-back)
 * @OTAD_BOOT_CONFIRM_DEPLOYMENT_GONE: the pending deployment no longer exists (removed by
 *   hand, or the install never completed); the record was cleared (state idle)
 */
typedef enum {
	OTAD_BOOT_CONFIRM_NOTHING_PENDING,
	OTAD_BOOT_CONFIRM_AWAITING_REBOOT,
	OTAD_BOOT_CONFIRM_CONFIRMED,
	OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED,
	OTAD_BOOT_CONFIRM_ROLLBACK_COMPLETED,
	OTAD_BOOT_CONFIRM_BOOTLOADER_ROLLBACK,
	OTAD_BOOT_CONFIRM_DEPLOYMENT_GONE,
} OtadBootConfirmOutcome;

const gchar *otad_boot_confirm_outcome_to_string (OtadBootConfirmOutcome outcome);

/**
 * OtadBootConfirmResult:
 * @outcome: what happened
 * @success: for reporting: %TRUE only for a confirmed installation
 * @commit: (nullable): the commit that was pending
 * @previous_commit: (nullable): the commit before it
 * @target_name: (nullable): from the record, for the installation report
 * @version: (nullable): from the record
 * @correlation_id: (nullable): from the record
 * @detail: (nullable): what failed, in words
 * @health_results: (nullable) (element-type OtadHealthResult): the checks that ran
 * @reboot_requested: the reboot hook was called
 * @repaired: the pending deployment was the default without an armed trial boot (a
 *   kill between the two steps of the install): it was armed now
 */
typedef struct {
	OtadBootConfirmOutcome outcome;
	gboolean success;
	gchar *commit;
	gchar *previous_commit;
	gchar *target_name;
	gchar *version;
	gchar *correlation_id;
	gchar *detail;
	GPtrArray *health_results;
	gboolean reboot_requested;
	gboolean repaired;
} OtadBootConfirmResult;

void otad_boot_confirm_result_free (OtadBootConfirmResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadBootConfirmResult, otad_boot_confirm_result_free)

/**
 * OtadBootConfirmHooks:
 * @report: hand the final outcome to reporting (installation completed or failed);
 *   called once per outcome, also across restarts; a failure is logged, not fatal
 * @prune: the new deployment is good: old deployments and unreferenced objects may go.
 *   The sysroot is still locked: otad_deploy_cleanup() locks it again, so a caller
 *   holding the lock records the request here and cleans up after releasing it.  A
 *   failure is logged, not fatal
 * @request_reboot: a reboot into the restored old deployment is needed (otad's confirm
 *   job only records it: the engine's reboot policy decides when it happens)
 * @user_data: passed to each hook
 *
 * Any hook may be %NULL.
 */
typedef struct {
	gboolean (*report) (const OtadBootConfirmResult *result, gpointer user_data,
	                    GError **error);
	gboolean (*prune) (OstreeSysroot *sysroot, gpointer user_data, GCancellable *cancellable,
	                   GError **error);
	gboolean (*request_reboot) (gpointer user_data, GError **error);
	gpointer user_data;
} OtadBootConfirmHooks;

/**
 * OtadBootConfirmContext:
 * @sysroot: the loaded sysroot, locked by the caller for the whole confirmation
 *   (otad_deploy_open_sysroot() with @lock); the hooks run with the lock held
 * @booted: (nullable): the running deployment: otad_booted_get_deployment(), which
 *   honours the test-only --test-booted-deployment on a test sysroot
 * @boot_id: (nullable): this boot's id (otad_boot_record_read_boot_id()); %NULL when
 *   unknown, in which case an old booted deployment is taken as "not rebooted yet"
 * @bootloader: the boot control backend
 * @record: the boot record, loaded
 * @health: what to check
 * @hooks: (nullable): reporting, pruning and reboot
 */
typedef struct {
	OstreeSysroot *sysroot;
	OstreeDeployment *booted;
	const gchar *boot_id;
	OtadBootloader *bootloader;
	OtadBootRecord *record;
	const OtadHealthOptions *health;
	const OtadBootConfirmHooks *hooks;
} OtadBootConfirmContext;

OtadBootConfirmResult *otad_boot_confirm_run (const OtadBootConfirmContext *ctx,
                                              GCancellable *cancellable,
                                              GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
