/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Confirmation after boot.  At start the engine compares the booted
 * deployment with the install recorded as pending:
 *  - the new deployment booted: run the health checks; all pass → tell the
 *    bootloader the boot is good, record and report success, prune; any
 *    fails → mark the commit bad, make the old deployment the default,
 *    disarm the bootloader, report, request a reboot;
 *  - the old deployment booted after a reboot: the bootloader fell back →
 *    mark the commit bad, remove its deployment, report.
 * Each step is recorded before it is taken (the record's phase), so a crash
 * or power cut at any point resumes from where it stopped, and no step is
 * repeated in a way that matters (the bootloader writes and OSTree changes
 * are idempotent; reporting is flagged once done).
 */
#define G_LOG_DOMAIN "OtadBootConfirm"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-boot-confirm.h"
#include "otad-rollback.h"

/* reboots requested to leave a failed deployment before otad stops asking */
#define OTAD_BOOT_CONFIRM_MAX_REBOOTS 3

static const gchar *const otad_boot_confirm_outcome_names[] = {
    "nothing-pending",    "awaiting-reboot",     "confirmed",       "health-check-failed",
    "rollback-completed", "bootloader-rollback", "deployment-gone",
};

const gchar *
otad_boot_confirm_outcome_to_string (OtadBootConfirmOutcome outcome)
{
	if ((guint)outcome >= G_N_ELEMENTS (otad_boot_confirm_outcome_names))
		return NULL;
	return otad_boot_confirm_outcome_names[outcome];
}

void
otad_boot_confirm_result_free (OtadBootConfirmResult *result)
{
	if (result == NULL)
		return;
	g_free (result->commit);
	g_free (result->previous_commit);
	g_free (result->target_name);
	g_free (result->version);
	g_free (result->correlation_id);
	g_free (result->detail);
	g_clear_pointer (&result->health_results, g_ptr_array_unref);
	g_free (result);
}

static OtadBootConfirmResult *
otad_boot_confirm_result_new (OtadBootConfirmOutcome outcome, const OtadBootPending *pending)
{
	OtadBootConfirmResult *result = g_new0 (OtadBootConfirmResult, 1);

	result->outcome = outcome;
	if (pending != NULL) {
		result->commit = g_strdup (pending->commit);
		result->previous_commit = g_strdup (pending->previous_commit);
		result->target_name = g_strdup (pending->target_name);
		result->version = g_strdup (pending->version);
		result->correlation_id = g_strdup (pending->correlation_id);
		result->detail = g_strdup (pending->detail);
	}
	return result;
}

/* reporting failures never stop a confirmation: the report queue retries */
static gboolean
otad_boot_confirm_report (const OtadBootConfirmContext *ctx, OtadBootConfirmResult *result,
                          GError **error)
{
	const OtadBootPending *pending = otad_boot_record_get_pending (ctx->record);
	g_autoptr (GError) error_local = NULL;

	if (pending != NULL && pending->reported)
		return TRUE;
	if (ctx->hooks != NULL && ctx->hooks->report != NULL &&
	    !ctx->hooks->report (result, ctx->hooks->user_data, &error_local)) {
		g_warning ("failed to report %s of %s: %s",
		           otad_boot_confirm_outcome_to_string (result->outcome), result->commit,
		           error_local->message);
		return TRUE;
	}
	return otad_boot_record_set_reported (ctx->record, error);
}

static OtadBootConfirmResult *
otad_boot_confirm_finish_success (const OtadBootConfirmContext *ctx,
                                  OtadBootConfirmResult *result_in, GCancellable *cancellable,
                                  GError **error)
{
	g_autoptr (OtadBootConfirmResult) result = result_in;
	g_autoptr (GError) error_local = NULL;

	result->outcome = OTAD_BOOT_CONFIRM_CONFIRMED;
	result->success = TRUE;
	/* idempotent: after a crash this runs again */
	if (!otad_bootloader_mark_boot_good (ctx->bootloader, ctx->booted, cancellable, error))
		return NULL;
	if (!otad_boot_confirm_report (ctx, result, error))
		return NULL;
	if (ctx->hooks != NULL && ctx->hooks->prune != NULL &&
	    !ctx->hooks->prune (ctx->sysroot, ctx->hooks->user_data, cancellable, &error_local))
		g_warning ("failed to prune after confirming %s: %s", result->commit,
		           error_local->message);
	if (!otad_boot_record_finish_pending (ctx->record, OTAD_BOOT_OUTCOME_SUCCESS,
	                                      result->detail, error))
		return NULL;
	g_message ("deployment %s confirmed", result->commit);
	return g_steal_pointer (&result);
}

/* the deployment to go back to: the recorded previous commit, else the
 * newest deployment that is not @bad (transfer full) */
static OstreeDeployment *
otad_boot_confirm_find_previous (const OtadBootConfirmContext *ctx, const OtadBootPending *pending)
{
	g_autoptr (GPtrArray) deployments = ostree_sysroot_get_deployments (ctx->sysroot);
	OstreeDeployment *previous = NULL;

	if (pending->previous_commit != NULL)
		previous =
		    otad_rollback_find_deployment (ctx->sysroot, pending->previous_commit, -1);
	if (previous != NULL)
		return g_object_ref (previous);
	for (guint i = 0; i < deployments->len; i++) {
		OstreeDeployment *d = g_ptr_array_index (deployments, i);
		if (g_strcmp0 (ostree_deployment_get_csum (d), pending->commit) != 0)
			return g_object_ref (d);
	}
	return NULL;
}

/* a kill between making the new deployment the default and arming its trial boot (or
 * a bootloader tool that failed there) leaves it the default with no fallback: arm it
 * now, and when that fails put the old default back, since the device must never boot
 * something it cannot leave on its own */
static gboolean
otad_boot_confirm_ensure_armed (const OtadBootConfirmContext *ctx, const OtadBootPending *pending,
                                gboolean *out_repaired, GCancellable *cancellable,
                                GError **error)
{
	g_autoptr (GPtrArray) deployments = ostree_sysroot_get_deployments (ctx->sysroot);
	g_autoptr (OstreeDeployment) previous = NULL;
	g_autoptr (GError) error_local = NULL;
	OtadBootStatus status = {FALSE, FALSE, -1};
	OstreeDeployment *dep;

	*out_repaired = FALSE;
	if (deployments->len == 0 || g_strcmp0 (otad_bootloader_get_name (ctx->bootloader),
	                                        "none") == 0)
		return TRUE;
	dep = g_ptr_array_index (deployments, 0);
	if (g_strcmp0 (ostree_deployment_get_csum (dep), pending->commit) != 0)
		return TRUE;
	if (!otad_bootloader_query (ctx->bootloader, dep, &status, cancellable, &error_local)) {
		g_warning ("%s", error_local->message);
		g_clear_error (&error_local);
	} else if (status.trial_boot) {
		return TRUE;
	}
	g_warning ("deployment %s is the default but its trial boot is not armed: arming it",
	           pending->commit);
	*out_repaired = TRUE;
	if (otad_bootloader_mark_trial_boot (ctx->bootloader, dep, cancellable, &error_local))
		return TRUE;
	previous = otad_boot_confirm_find_previous (ctx, pending);
	if (previous == NULL ||
	    g_strcmp0 (ostree_deployment_get_csum (previous), pending->commit) == 0) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	g_warning ("cannot arm the trial boot of %s (%s): %s is the default again",
	           pending->commit, error_local->message, ostree_deployment_get_csum (previous));
	if (!otad_rollback_make_default (ctx->sysroot, previous, cancellable, error))
		return FALSE;
	if (!otad_boot_record_finish_pending (ctx->record, OTAD_BOOT_OUTCOME_INSTALL_FAILED,
	                                      error_local->message, error))
		return FALSE;
	g_propagate_error (error, g_steal_pointer (&error_local));
	return FALSE;
}

/* the new deployment is running and failed: go back to the old one */
static OtadBootConfirmResult *
otad_boot_confirm_roll_back (const OtadBootConfirmContext *ctx, OtadBootConfirmResult *result_in,
                             GCancellable *cancellable, GError **error)
{
	g_autoptr (OtadBootConfirmResult) result = result_in;
	const OtadBootPending *pending = otad_boot_record_get_pending (ctx->record);
	/* our own reference: making it the default reloads the sysroot, which drops
	 * the deployment objects it handed out before */
	g_autoptr (OstreeDeployment) previous = otad_boot_confirm_find_previous (ctx, pending);
	g_autoptr (GError) error_local = NULL;

	result->outcome = OTAD_BOOT_CONFIRM_HEALTH_CHECK_FAILED;
	if (previous == NULL) {
		/* nothing to go back to: keep running, but never offer it again */
		g_warning ("deployment %s failed its health checks and there is no other one",
		           result->commit);
		if (!otad_boot_confirm_report (ctx, result, error))
			return NULL;
		if (!otad_boot_record_finish_pending (
		        ctx->record, OTAD_BOOT_OUTCOME_HEALTH_CHECK_FAILED, result->detail, error))
			return NULL;
		return g_steal_pointer (&result);
	}
	if (!otad_rollback_make_default (ctx->sysroot, previous, cancellable, error))
		return NULL;
	if (!otad_bootloader_clear_trial (ctx->bootloader, previous, cancellable, error))
		return NULL;
	if (!otad_boot_confirm_report (ctx, result, error))
		return NULL;
	if (ctx->hooks != NULL && ctx->hooks->request_reboot != NULL) {
		const OtadBootPending *p = otad_boot_record_get_pending (ctx->record);
		/* the old deployment is the default: if the failed one keeps coming
		 * back, something else is wrong and rebooting again will not fix it */
		if (p->reboot_requests >= OTAD_BOOT_CONFIRM_MAX_REBOOTS) {
			g_warning ("not requesting another reboot away from %s: %u were "
			           "requested already",
			           result->commit, p->reboot_requests);
			return g_steal_pointer (&result);
		}
		if (!otad_boot_record_count_reboot_request (ctx->record, error))
			return NULL;
		if (!ctx->hooks->request_reboot (ctx->hooks->user_data, &error_local)) {
			g_warning ("failed to request a reboot into %s: %s",
			           ostree_deployment_get_csum (previous), error_local->message);
		} else {
			result->reboot_requested = TRUE;
		}
	}
	g_message ("deployment %s failed (%s); %s is the default again", result->commit,
	           result->detail, ostree_deployment_get_csum (previous));
	return g_steal_pointer (&result);
}

/* the old deployment runs again: remove the bad one and close the record */
static OtadBootConfirmResult *
otad_boot_confirm_settle (const OtadBootConfirmContext *ctx, OtadBootConfirmResult *result_in,
                          OtadBootOutcome outcome, GCancellable *cancellable, GError **error)
{
	g_autoptr (OtadBootConfirmResult) result = result_in;
	OstreeDeployment *bad = otad_rollback_find_deployment (ctx->sysroot, result->commit, -1);

	if (bad != NULL &&
	    !otad_rollback_remove_deployment (ctx->sysroot, bad, ctx->booted, cancellable, error))
		return NULL;
	if (ctx->booted != NULL &&
	    !otad_rollback_make_default (ctx->sysroot, ctx->booted, cancellable, error))
		return NULL;
	if (!otad_bootloader_clear_trial (ctx->bootloader, ctx->booted, cancellable, error))
		return NULL;
	if (!otad_boot_confirm_report (ctx, result, error))
		return NULL;
	if (!otad_boot_record_finish_pending (ctx->record, outcome, result->detail, error))
		return NULL;
	return g_steal_pointer (&result);
}

/**
 * otad_boot_confirm_run:
 * @ctx: the sysroot, booted deployment, backends, record and hooks
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Decides what the current boot means for the recorded install and acts on
 * it (see #OtadBootConfirmOutcome).  Blocks while health checks run: call
 * from a worker thread.  An error (bootloader tool, OSTree, state dir)
 * leaves the record in a phase from which the next call resumes.
 *
 * Returns: (transfer full): the outcome, or %NULL with @error set
 */
OtadBootConfirmResult *
otad_boot_confirm_run (const OtadBootConfirmContext *ctx, GCancellable *cancellable, GError **error)
{
	const OtadBootPending *pending = otad_boot_record_get_pending (ctx->record);
	const gchar *booted_csum =
	    ctx->booted != NULL ? ostree_deployment_get_csum (ctx->booted) : NULL;
	g_autoptr (OtadBootConfirmResult) result = NULL;
	gboolean new_booted;
	gboolean rebooted;

	if (pending == NULL)
		return otad_boot_confirm_result_new (OTAD_BOOT_CONFIRM_NOTHING_PENDING, NULL);
	/* without knowing what runs, any verdict could throw away a good commit */
	if (ctx->booted == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_DEPLOYMENT,
		             _("no booted deployment: cannot confirm the installation of %s"),
		             pending->commit);
		return NULL;
	}
	result = otad_boot_confirm_result_new (OTAD_BOOT_CONFIRM_NOTHING_PENDING, pending);
	new_booted = g_strcmp0 (booted_csum, pending->commit) == 0;
	rebooted = ctx->boot_id != NULL && pending->boot_id != NULL &&
	           g_strcmp0 (ctx->boot_id, pending->boot_id) != 0;

	switch (pending->phase) {
	case OTAD_BOOT_PHASE_CONFIRMED:
		return otad_boot_confirm_finish_success (ctx, g_steal_pointer (&result),
		                                         cancellable, error);
	case OTAD_BOOT_PHASE_ROLLING_BACK:
		if (new_booted)
			return otad_boot_confirm_roll_back (ctx, g_steal_pointer (&result),
			                                    cancellable, error);
		result->outcome = OTAD_BOOT_CONFIRM_ROLLBACK_COMPLETED;
		return otad_boot_confirm_settle (ctx, g_steal_pointer (&result),
		                                 OTAD_BOOT_OUTCOME_HEALTH_CHECK_FAILED, cancellable,
		                                 error);
	case OTAD_BOOT_PHASE_FELL_BACK:
		result->outcome = OTAD_BOOT_CONFIRM_BOOTLOADER_ROLLBACK;
		return otad_boot_confirm_settle (ctx, g_steal_pointer (&result),
		                                 OTAD_BOOT_OUTCOME_BOOTLOADER_ROLLBACK, cancellable,
		                                 error);
	case OTAD_BOOT_PHASE_INSTALLED:
	default:
		break;
	}

	if (new_booted) {
		g_autoptr (GPtrArray) health = NULL;
		g_autofree gchar *detail = NULL;

		health = otad_health_run (ctx->health, cancellable, error);
		if (health == NULL)
			return NULL;
		detail = otad_health_results_describe (health);
		result->health_results = g_steal_pointer (&health);
		g_free (result->detail);
		result->detail = g_strdup (detail);
		if (otad_health_results_passed (result->health_results)) {
			if (!otad_boot_record_set_phase (ctx->record, OTAD_BOOT_PHASE_CONFIRMED,
			                                 detail, error))
				return NULL;
			return otad_boot_confirm_finish_success (ctx, g_steal_pointer (&result),
			                                         cancellable, error);
		}
		/* recorded before acting: never offered again, even after a power cut */
		if (!otad_boot_record_mark_bad (ctx->record, pending->commit, detail, error) ||
		    !otad_boot_record_set_phase (ctx->record, OTAD_BOOT_PHASE_ROLLING_BACK, detail,
		                                 error))
			return NULL;
		return otad_boot_confirm_roll_back (ctx, g_steal_pointer (&result), cancellable,
		                                    error);
	}

	if (otad_rollback_find_deployment (ctx->sysroot, pending->commit, -1) == NULL) {
		g_message ("pending deployment %s no longer exists; forgetting it",
		           pending->commit);
		result->outcome = OTAD_BOOT_CONFIRM_DEPLOYMENT_GONE;
		if (!otad_boot_record_set_pending (ctx->record, NULL, error))
			return NULL;
		return g_steal_pointer (&result);
	}
	if (!rebooted) {
		if (!otad_boot_confirm_ensure_armed (ctx, pending, &result->repaired, cancellable,
		                                     error))
			return NULL;
		result->outcome = OTAD_BOOT_CONFIRM_AWAITING_REBOOT;
		return g_steal_pointer (&result);
	}

	/* rebooted, but not into the new deployment: the bootloader gave up on it */
	{
		OtadBootStatus status = {FALSE, FALSE, -1};
		g_autoptr (GError) error_local = NULL;
		g_autofree gchar *detail = NULL;
		OstreeDeployment *pending_dep =
		    otad_rollback_find_deployment (ctx->sysroot, pending->commit, -1);

		if (!otad_bootloader_query (ctx->bootloader, pending_dep, &status, cancellable,
		                            &error_local))
			g_warning ("%s", error_local->message);
		detail = g_strdup_printf (
		    "booted %s instead of %s%s%s", booted_csum != NULL ? booted_csum : "(unknown)",
		    pending->commit, status.rolled_back ? ": the bootloader fell back" : "",
		    status.boot_count > 0 && status.rolled_back ? " after failed boot attempts"
		                                                : "");
		g_free (result->detail);
		result->detail = g_strdup (detail);
		if (!otad_boot_record_mark_bad (ctx->record, pending->commit, detail, error) ||
		    !otad_boot_record_set_phase (ctx->record, OTAD_BOOT_PHASE_FELL_BACK, detail,
		                                 error))
			return NULL;
		g_message ("%s", detail);
		result->outcome = OTAD_BOOT_CONFIRM_BOOTLOADER_ROLLBACK;
		return otad_boot_confirm_settle (ctx, g_steal_pointer (&result),
		                                 OTAD_BOOT_OUTCOME_BOOTLOADER_ROLLBACK, cancellable,
		                                 error);
	}
}
