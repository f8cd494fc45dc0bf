/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rebuilding the boot record after its file was lost (a power cut on a file system
 * that kept the rename but not the data, or garbage): what otad installed and waits
 * to confirm is also written in the deployment list and the bootloader, so it can be
 * read back from there.  The bad-commit list and the history cannot; the load warned.
 */
#define G_LOG_DOMAIN "OtadBootRecord"

#include "config.h"

#include "ota-error.h"
#include "otad-boot-rebuild.h"

/* the newest deployment of @osname other than @dep: what a trial boot falls back to */
static OstreeDeployment *
otad_boot_rebuild_other (GPtrArray *deployments, OstreeDeployment *dep)
{
	for (guint i = 0; i < deployments->len; i++) {
		OstreeDeployment *d = g_ptr_array_index (deployments, i);
		if (!ostree_deployment_equal (d, dep) &&
		    g_strcmp0 (ostree_deployment_get_osname (d),
		               ostree_deployment_get_osname (dep)) == 0)
			return d;
	}
	return NULL;
}

/**
 * otad_boot_record_rebuild:
 * @record: an empty record (its file was moved aside)
 * @sysroot: the loaded sysroot
 * @booted: (nullable): the running deployment
 * @bootloader: the boot control backend
 * @boot_id: (nullable): this boot's id
 * @remembered: (nullable): the last install the history log has: when it installed
 *   the commit found, its correlation id, target name and version are taken over, so
 *   the outcome is reported for the campaign that installed it
 *
 * Records the install the sysroot and the bootloader show:
 *  - a default that is not the running deployment: installed, waiting for the
 *    reboot (or, when the bootloader says it fell back, one it gave up on);
 *  - the running default on an armed trial boot: installed and booted, so the
 *    confirmation runs its health checks;
 *  - the running default, no longer on a trial boot, that @remembered installed:
 *    confirmed, its outcome still to be reported;
 *  - otherwise nothing is pending.
 *
 * Returns: %TRUE once the rebuilt record is on disk
 */
gboolean
otad_boot_record_rebuild (OtadBootRecord *record, OstreeSysroot *sysroot, OstreeDeployment *booted,
                          OtadBootloader *bootloader, const gchar *boot_id,
                          const OtadBootPending *remembered, GCancellable *cancellable,
                          GError **error)
{
	g_autoptr (GPtrArray) deployments = ostree_sysroot_get_deployments (sysroot);
	g_autoptr (OtadBootPending) pending = NULL;
	g_autoptr (GError) error_local = NULL;
	OtadBootStatus status = {FALSE, FALSE, -1};
	OstreeDeployment *dflt;
	OstreeDeployment *other;

	if (otad_boot_record_get_pending (record) != NULL || deployments->len == 0 ||
	    booted == NULL)
		return TRUE;
	dflt = g_ptr_array_index (deployments, 0);
	if (!otad_bootloader_query (bootloader, dflt, &status, cancellable, &error_local)) {
		/* without the bootloader only the deployment list speaks */
		g_warning ("rebuilding the boot record: %s", error_local->message);
	}
	if (!ostree_deployment_equal (dflt, booted)) {
		pending = otad_boot_pending_new (ostree_deployment_get_csum (dflt),
		                                 ostree_deployment_get_csum (booted),
		                                 status.rolled_back ? "before-recovery" : boot_id);
	} else if (status.trial_boot && !status.rolled_back &&
	           (other = otad_boot_rebuild_other (deployments, dflt)) != NULL) {
		pending =
		    otad_boot_pending_new (ostree_deployment_get_csum (dflt),
		                           ostree_deployment_get_csum (other), "before-recovery");
	} else if (!status.rolled_back && remembered != NULL &&
	           g_strcmp0 (remembered->commit, ostree_deployment_get_csum (dflt)) == 0) {
		/* the confirmation told the bootloader and lost the record before its outcome
		 * was reported and logged (the history log has the install, undecided) */
		other = otad_boot_rebuild_other (deployments, dflt);
		pending = otad_boot_pending_new (
		    ostree_deployment_get_csum (dflt),
		    other != NULL ? ostree_deployment_get_csum (other) : NULL, boot_id);
		pending->phase = OTAD_BOOT_PHASE_CONFIRMED;
	} else {
		g_message ("boot record rebuilt: nothing waits for confirmation");
		return TRUE;
	}
	if (remembered != NULL && g_strcmp0 (remembered->commit, pending->commit) == 0) {
		pending->correlation_id = g_strdup (remembered->correlation_id);
		pending->target_name = g_strdup (remembered->target_name);
		pending->version = g_strdup (remembered->version);
	}
	g_message ("boot record rebuilt: %s (from %s) waits for confirmation", pending->commit,
	           pending->previous_commit);
	return otad_boot_record_set_pending (record, pending, error);
}
