/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rolling back OSTree deployments: the primitives the boot confirmation
 * uses (make a deployment the default, remove one) and the manual
 * rollback behind the D-Bus Rollback() method.  Each change is one
 * ostree_sysroot_write_deployments() call, which swaps the bootloader
 * configuration atomically.  Nothing is pruned here: cleaning up old
 * deployments and objects belongs to the deploy code, after a confirmation.
 */
#define G_LOG_DOMAIN "OtadRollback"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-rollback.h"

void
otad_rollback_result_free (OtadRollbackResult *result)
{
	if (result == NULL)
		return;
	g_free (result->from_commit);
	g_free (result->to_commit);
	g_free (result);
}

/**
 * otad_rollback_find_deployment:
 * @sysroot: a loaded #OstreeSysroot
 * @commit: a commit checksum
 * @deployserial: the deployment serial, or -1 for the first deployment of @commit
 *
 * Returns: (transfer none) (nullable): the deployment, or %NULL
 */
OstreeDeployment *
otad_rollback_find_deployment (OstreeSysroot *sysroot, const gchar *commit, gint deployserial)
{
	g_autoptr (GPtrArray) deployments = ostree_sysroot_get_deployments (sysroot);

	for (guint i = 0; i < deployments->len; i++) {
		OstreeDeployment *d = g_ptr_array_index (deployments, i);
		if (g_strcmp0 (ostree_deployment_get_csum (d), commit) != 0)
			continue;
		if (deployserial >= 0 && ostree_deployment_get_deployserial (d) != deployserial)
			continue;
		/* the sysroot holds the deployments; the array only borrowed them */
		return d;
	}
	return NULL;
}

static gboolean
otad_rollback_write (OstreeSysroot *sysroot, GPtrArray *new_deployments, GCancellable *cancellable,
                     GError **error)
{
	/* no cleanup: a rollback must not delete what a later rollback may need */
	OstreeSysrootWriteDeploymentsOpts opts = {.do_postclean = FALSE};

	if (!ostree_sysroot_write_deployments_with_options (sysroot, new_deployments, &opts,
	                                                    cancellable, error)) {
		g_prefix_error (error, _("failed to write deployments: "));
		ota_error_convert (error);
		if (error != NULL && *error != NULL && (*error)->code == OTA_ERROR_FAILED)
			(*error)->code = OTA_ERROR_DEPLOYMENT;
		return FALSE;
	}
	return ostree_sysroot_load (sysroot, cancellable, error);
}

/**
 * otad_rollback_make_default:
 * @sysroot: a loaded, locked #OstreeSysroot
 * @deployment: one of its deployments
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Moves @deployment to the front, keeping the order of the others.
 *
 * Returns: %TRUE on success (also when it already was the default)
 */
gboolean
otad_rollback_make_default (OstreeSysroot *sysroot, OstreeDeployment *deployment,
                            GCancellable *cancellable, GError **error)
{
	g_autoptr (GPtrArray) deployments = ostree_sysroot_get_deployments (sysroot);
	g_autoptr (GPtrArray) new_deployments = g_ptr_array_new_with_free_func (g_object_unref);
	OstreeDeployment *found = NULL;

	if (deployments->len > 0 &&
	    ostree_deployment_equal (g_ptr_array_index (deployments, 0), deployment))
		return TRUE;
	/* the sysroot's own object: @deployment may come from before a reload */
	for (guint i = 0; i < deployments->len; i++) {
		OstreeDeployment *d = g_ptr_array_index (deployments, i);
		if (ostree_deployment_equal (d, deployment))
			found = d;
	}
	if (found != NULL)
		g_ptr_array_add (new_deployments, g_object_ref (found));
	for (guint i = 0; i < deployments->len; i++) {
		OstreeDeployment *d = g_ptr_array_index (deployments, i);
		if (d != found)
			g_ptr_array_add (new_deployments, g_object_ref (d));
	}
	if (found == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND,
		             _("deployment %s.%d not found"),
		             ostree_deployment_get_csum (deployment),
		             ostree_deployment_get_deployserial (deployment));
		return FALSE;
	}
	g_info ("making deployment %s.%d the default", ostree_deployment_get_csum (deployment),
	        ostree_deployment_get_deployserial (deployment));
	return otad_rollback_write (sysroot, new_deployments, cancellable, error);
}

/**
 * otad_rollback_remove_deployment:
 * @sysroot: a loaded, locked #OstreeSysroot
 * @deployment: the deployment to remove
 * @booted: (nullable): the booted deployment, which is never removed
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Removes @deployment from the boot menu; its files stay until the next cleanup.
 *
 * Returns: %TRUE on success (also when it was already gone)
 */
gboolean
otad_rollback_remove_deployment (OstreeSysroot *sysroot, OstreeDeployment *deployment,
                                 OstreeDeployment *booted, GCancellable *cancellable,
                                 GError **error)
{
	g_autoptr (GPtrArray) deployments = ostree_sysroot_get_deployments (sysroot);
	g_autoptr (GPtrArray) new_deployments = g_ptr_array_new_with_free_func (g_object_unref);

	if (booted != NULL && ostree_deployment_equal (deployment, booted)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_DEPLOYMENT,
		             _("refusing to remove the booted deployment %s.%d"),
		             ostree_deployment_get_csum (deployment),
		             ostree_deployment_get_deployserial (deployment));
		return FALSE;
	}
	for (guint i = 0; i < deployments->len; i++) {
		OstreeDeployment *d = g_ptr_array_index (deployments, i);
		if (!ostree_deployment_equal (d, deployment))
			g_ptr_array_add (new_deployments, g_object_ref (d));
	}
	if (new_deployments->len == deployments->len)
		return TRUE;
	if (new_deployments->len == 0) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_DEPLOYMENT,
		                     _("refusing to remove the only deployment"));
		return FALSE;
	}
	g_info ("removing deployment %s.%d", ostree_deployment_get_csum (deployment),
	        ostree_deployment_get_deployserial (deployment));
	return otad_rollback_write (sysroot, new_deployments, cancellable, error);
}

/**
 * otad_rollback_run:
 * @sysroot: a loaded, locked #OstreeSysroot
 * @booted: (nullable): the booted deployment; %NULL asks libostree (a test
 *   sysroot passes the deployment it pretends to have booted)
 * @bootloader: (nullable): the boot control backend to tell
 * @record: (nullable): the boot record
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The manual rollback.  With a deployment waiting for reboot, drops it so
 * the booted one stays.  Otherwise makes the rollback deployment (the newest
 * one after the default) the default, to run after a reboot.  The commit
 * rolled away from is marked bad in @record, so it is not installed again
 * automatically, and the pending install, if any, ends in the history as a
 * manual rollback.  The bootloader's trial state is cleared: the new
 * default is a deployment that already ran.
 *
 * Returns: (transfer full): what was done, or %NULL with %OTA_ERROR_NOT_FOUND
 *   when there is nothing to roll back to
 */
OtadRollbackResult *
otad_rollback_run (OstreeSysroot *sysroot, OstreeDeployment *booted, OtadBootloader *bootloader,
                   OtadBootRecord *record, GCancellable *cancellable, GError **error)
{
	g_autoptr (GPtrArray) deployments = ostree_sysroot_get_deployments (sysroot);
	g_autoptr (OtadRollbackResult) result = g_new0 (OtadRollbackResult, 1);
	g_autoptr (OstreeDeployment) from = NULL;
	g_autoptr (OstreeDeployment) to = NULL;
	const OtadBootPending *pending = NULL;

	if (booted == NULL)
		booted = ostree_sysroot_get_booted_deployment (sysroot);
	if (deployments->len == 0) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_NOT_FOUND, _("no deployments"));
		return NULL;
	}
	from = g_object_ref (g_ptr_array_index (deployments, 0));
	if (booted != NULL && !ostree_deployment_equal (from, booted)) {
		result->kind = OTAD_ROLLBACK_DROPPED_PENDING;
		to = g_object_ref (booted);
	} else {
		if (deployments->len < 2) {
			/* TRANSLATORS: otad's error for Rollback() */
			g_set_error_literal (error, OTA_ERROR, OTA_ERROR_NOT_FOUND,
			                     _("there is no rollback deployment"));
			return NULL;
		}
		result->kind = OTAD_ROLLBACK_TO_PREVIOUS;
		to = g_object_ref (g_ptr_array_index (deployments, 1));
	}
	result->from_commit = g_strdup (ostree_deployment_get_csum (from));
	result->to_commit = g_strdup (ostree_deployment_get_csum (to));
	result->reboot_required = booted == NULL || !ostree_deployment_equal (to, booted);

	/* recorded first: a power cut after the switch must not re-install it */
	if (record != NULL &&
	    !otad_boot_record_mark_bad (record, result->from_commit, "rolled back manually", error))
		return NULL;

	if (result->kind == OTAD_ROLLBACK_DROPPED_PENDING) {
		if (!otad_rollback_remove_deployment (sysroot, from, booted, cancellable, error))
			return NULL;
		/* a booted deployment further down the list becomes the default too */
		if (!otad_rollback_make_default (sysroot, to, cancellable, error))
			return NULL;
	} else {
		if (!otad_rollback_make_default (sysroot, to, cancellable, error))
			return NULL;
	}

	if (bootloader != NULL && !otad_bootloader_clear_trial (bootloader, to, cancellable, error))
		return NULL;

	if (record != NULL)
		pending = otad_boot_record_get_pending (record);
	if (pending != NULL && g_strcmp0 (pending->commit, result->from_commit) == 0 &&
	    !otad_boot_record_finish_pending (record, OTAD_BOOT_OUTCOME_MANUAL_ROLLBACK,
	                                      "rolled back manually", error))
		return NULL;

	g_message ("rolled back from %s to %s%s", result->from_commit, result->to_commit,
	           result->reboot_required ? " (reboot to use it)" : "");
	return g_steal_pointer (&result);
}
