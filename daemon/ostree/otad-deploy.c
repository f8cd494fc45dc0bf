/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadDeploy"

#include "config.h"

#include <stdlib.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-booted.h"
#include "otad-deploy.h"
#include "otad-pull.h"

/* another ostree client (admin command, finalize-staged) holds the lock only briefly */
#define OTAD_DEPLOY_LOCK_TRIES 300
#define OTAD_DEPLOY_LOCK_WAIT_US (100 * 1000)

void
otad_deploy_result_clear (OtadDeployResult *result)
{
	g_clear_pointer (&result->checksum, g_free);
	g_clear_pointer (&result->rollback_checksum, g_free);
}

static gboolean
otad_deploy_is_root (const gchar *path)
{
	g_autofree gchar *real = realpath (path, NULL);
	return g_strcmp0 (real != NULL ? real : path, "/") == 0;
}

OstreeSysroot *
otad_deploy_open_sysroot (const OtadDeployOptions *options,
			  gboolean lock,
			  GCancellable *cancellable,
			  GError **error)
{
	g_autoptr(GFile) path = g_file_new_for_path (options->sysroot_path);
	g_autoptr(OstreeSysroot) sysroot = ostree_sysroot_new (path);

	/* the test override must never reach a real system */
	if (options->test_booted != NULL && otad_deploy_is_root (options->sysroot_path)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		                     _("a test booted deployment is refused on the real sysroot"));
		return NULL;
	}
	if (lock) {
		gboolean acquired = FALSE;
		for (guint i = 0; i < OTAD_DEPLOY_LOCK_TRIES && !acquired; i++) {
			if (g_cancellable_set_error_if_cancelled (cancellable, error))
				return NULL;
			if (!ostree_sysroot_try_lock (sysroot, &acquired, error))
				return NULL;
			if (!acquired)
				g_usleep (OTAD_DEPLOY_LOCK_WAIT_US);
		}
		if (!acquired) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_BUSY,
			             _("the sysroot %s is locked by another process"),
			             options->sysroot_path);
			return NULL;
		}
	}
	if (!ostree_sysroot_load (sysroot, cancellable, error)) {
		g_prefix_error (error, _("failed to load sysroot %s: "), options->sysroot_path);
		return NULL;
	}
	return g_steal_pointer (&sysroot);
}

/**
 * otad_deploy_get_booted:
 * @out_booted: (out) (transfer full) (nullable): the booted deployment, or %NULL when
 *   the sysroot is not booted and no test override names one
 *
 * Fails only when the test override names a deployment that does not exist.
 */
gboolean
otad_deploy_get_booted (OstreeSysroot *sysroot,
			const OtadDeployOptions *options,
			OstreeDeployment **out_booted,
			GError **error)
{
	g_autoptr(GError) error_local = NULL;

	/* one implementation of the test override for the workers and the boot layer */
	*out_booted = otad_booted_get_deployment (sysroot, options->test_booted, &error_local);
	if (*out_booted == NULL && error_local != NULL) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	return TRUE;
}

static GKeyFile *
otad_deploy_origin_new (OstreeSysroot *sysroot, const OtadDeployOptions *options,
			const gchar *checksum)
{
	GKeyFile *origin = ostree_sysroot_origin_new_from_refspec (sysroot, options->refspec);

	/* pins the deployment to the verified commit: `ostree admin upgrade` will not move it
	 * to whatever the ref says later */
	g_key_file_set_string (origin, "origin", "override-commit", checksum);
	return origin;
}

/* the newest deployment of @osname after the default: what a failed boot falls back to */
static OstreeDeployment *
otad_deploy_find_rollback (GPtrArray *deployments, const gchar *osname)
{
	for (guint i = 1; i < deployments->len; i++) {
		OstreeDeployment *d = deployments->pdata[i];
		if (g_strcmp0 (ostree_deployment_get_osname (d), osname) == 0)
			return d;
	}
	return NULL;
}

/**
 * otad_deploy_commit:
 *
 * Deploys @checksum (pulled and verified before) as the new default with /etc merged
 * from, and the kernel arguments of, the booted deployment (or the merge deployment when
 * nothing is booted).  On a booted system the deployment is staged and libostree
 * finalises it at shutdown; otherwise it is written right away.  The list keeps exactly
 * the new deployment and one rollback (the booted one); nothing is deleted from disk:
 * otad_deploy_cleanup() does that once the new deployment is confirmed good.
 */
gboolean
otad_deploy_commit (const OtadDeployOptions *options,
		    const gchar *checksum,
		    OtadDeployResult *out_result,
		    GCancellable *cancellable,
		    GError **error)
{
	return otad_deploy_commit_armed (options, checksum, NULL, NULL, out_result, cancellable,
					 error);
}

/* puts the deployment list back as it was before a deployment whose trial boot could not
 * be armed: the device must not boot something with no way back */
static void
otad_deploy_undo (OstreeSysroot *sysroot, GPtrArray *previous, OstreeDeployment *new_deployment)
{
	g_autoptr(GError) error_local = NULL;
	OstreeSysrootWriteDeploymentsOpts opts = {.do_postclean = FALSE};

	if (!ostree_sysroot_write_deployments_with_options (sysroot, previous, &opts, NULL,
							    &error_local)) {
		g_warning ("failed to restore the deployments after %s.%d could not be armed: %s",
			   ostree_deployment_get_csum (new_deployment),
			   ostree_deployment_get_deployserial (new_deployment),
			   error_local->message);
		return;
	}
	g_info ("restored the previous deployments: %s.%d is not the default",
		ostree_deployment_get_csum (new_deployment),
		ostree_deployment_get_deployserial (new_deployment));
}

/**
 * otad_deploy_commit_armed:
 * @arm: (nullable): called with the new deployment while the sysroot is still locked;
 *   when it fails the previous deployment list is written back and its error returned
 *
 * otad_deploy_commit() with the trial boot armed in the same locked step, so a failed
 * arm leaves the deployments as they were (nothing new boots by default).
 */
gboolean
otad_deploy_commit_armed (const OtadDeployOptions *options,
			  const gchar *checksum,
			  OtadDeployArmFunc arm,
			  gpointer arm_data,
			  OtadDeployResult *out_result,
			  GCancellable *cancellable,
			  GError **error)
{
	g_autoptr(GPtrArray) previous = NULL;
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autoptr(OstreeDeployment) booted = NULL;
	g_autoptr(OstreeDeployment) merge = NULL;
	g_autoptr(OstreeDeployment) new_deployment = NULL;
	g_autoptr(GKeyFile) origin = NULL;
	g_autoptr(GPtrArray) deployments = NULL;
	OstreeDeployment *rollback;
	OstreeRepo *repo;
	const gchar *osname = options->osname;
	gboolean stage;

	g_return_val_if_fail (options->refspec != NULL, FALSE);

	sysroot = otad_deploy_open_sysroot (options, TRUE, cancellable, error);
	if (sysroot == NULL)
		return FALSE;
	if (!otad_deploy_get_booted (sysroot, options, &booted, error))
		return FALSE;
	repo = ostree_sysroot_repo (sysroot);
	previous = ostree_sysroot_get_deployments (sysroot);
	/* nothing deploys a commit that is not complete and exactly the verified one */
	if (!otad_pull_verify_commit (repo, checksum, cancellable, error))
		return FALSE;

	if (osname == NULL && booted != NULL)
		osname = ostree_deployment_get_osname (booted);
	if (booted != NULL)
		merge = g_object_ref (booted);
	else
		merge = ostree_sysroot_get_merge_deployment (sysroot, osname);
	if (osname == NULL && merge != NULL)
		osname = ostree_deployment_get_osname (merge);
	if (osname == NULL) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_DEPLOYMENT,
		                     _("no booted deployment and no osname to deploy to"));
		return FALSE;
	}
	origin = otad_deploy_origin_new (sysroot, options, checksum);
	/* a real boot (not the test override) is the case libostree's staging is made for */
	stage = ostree_sysroot_get_booted_deployment (sysroot) != NULL &&
		options->test_booted == NULL;
	if (stage) {
		if (!ostree_sysroot_stage_tree (sysroot, osname, checksum, origin, merge, NULL,
						&new_deployment, cancellable, error)) {
			g_prefix_error (error, _("failed to stage %s: "), checksum);
			return FALSE;
		}
	} else {
		if (!ostree_sysroot_deploy_tree (sysroot, osname, checksum, origin, merge, NULL,
						 &new_deployment, cancellable, error)) {
			g_prefix_error (error, _("failed to deploy %s: "), checksum);
			return FALSE;
		}
		/* keeps the new one and @merge (booted, else the previous default); NO_CLEAN:
		 * dropped deployments and their objects stay on disk until confirmed */
		if (!ostree_sysroot_simple_write_deployment (
			sysroot, osname, new_deployment, merge,
			OSTREE_SYSROOT_SIMPLE_WRITE_DEPLOYMENT_FLAGS_NO_CLEAN, cancellable,
			error)) {
			g_prefix_error (error, _("failed to write deployments: "));
			return FALSE;
		}
		if (!ostree_sysroot_load (sysroot, cancellable, error))
			return FALSE;
	}
	if (arm != NULL && !arm (sysroot, new_deployment, arm_data, cancellable, error)) {
		otad_deploy_undo (sysroot, previous, new_deployment);
		return FALSE;
	}
	deployments = ostree_sysroot_get_deployments (sysroot);
	rollback = stage ? booted : otad_deploy_find_rollback (deployments, osname);
	if (out_result != NULL) {
		out_result->staged = stage;
		out_result->checksum = g_strdup (ostree_deployment_get_csum (new_deployment));
		out_result->serial = ostree_deployment_get_deployserial (new_deployment);
		out_result->rollback_checksum =
		    rollback != NULL ? g_strdup (ostree_deployment_get_csum (rollback)) : NULL;
	}
	g_debug ("%s %s.%d", stage ? "staged" : "deployed", checksum,
		 ostree_deployment_get_deployserial (new_deployment));

	/* success */
	return TRUE;
}

/* drops otad's refs to commits no kept deployment uses, so pruning can take them */
static gboolean
otad_deploy_drop_refs (OstreeRepo *repo,
		       const gchar *remote_name,
		       GHashTable *keep_commits,
		       GCancellable *cancellable,
		       GError **error)
{
	g_autoptr(GHashTable) refs = NULL;
	GHashTableIter iter;
	gpointer key, value;

	if (!ostree_repo_list_refs_ext (repo, NULL, &refs, OSTREE_REPO_LIST_REFS_EXT_NONE,
					cancellable, error))
		return FALSE;
	g_hash_table_iter_init (&iter, refs);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		g_autofree gchar *remote = NULL;
		g_autofree gchar *ref = NULL;
		if (!ostree_parse_refspec (key, &remote, &ref, error))
			return FALSE;
		if (g_strcmp0 (remote, remote_name) != 0 ||
		    g_hash_table_contains (keep_commits, value))
			continue;
		g_debug ("dropping ref %s (%s)", (const gchar *)key, (const gchar *)value);
		if (!ostree_repo_set_ref_immediate (repo, remote, ref, NULL, cancellable, error))
			return FALSE;
	}
	return TRUE;
}

/**
 * otad_deploy_cleanup:
 * @remote_name: (nullable): otad's remote; its refs to commits no kept deployment uses
 *   are deleted
 *
 * Called once the booted deployment is confirmed good: keeps the default, the booted one
 * and exactly one rollback of that stateroot, deletes the other deployments from disk and
 * prunes the objects nothing references any more.
 */
gboolean
otad_deploy_cleanup (const OtadDeployOptions *options,
		     const gchar *remote_name,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autoptr(OstreeDeployment) booted = NULL;
	g_autoptr(GPtrArray) deployments = NULL;
	g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
	g_autoptr(GHashTable) keep_commits = g_hash_table_new (g_str_hash, g_str_equal);
	OstreeDeployment *anchor;
	OstreeDeployment *rollback = NULL;
	const gchar *osname;

	sysroot = otad_deploy_open_sysroot (options, TRUE, cancellable, error);
	if (sysroot == NULL)
		return FALSE;
	if (!otad_deploy_get_booted (sysroot, options, &booted, error))
		return FALSE;
	deployments = ostree_sysroot_get_deployments (sysroot);
	if (deployments->len == 0)
		return TRUE;
	anchor = booted != NULL ? booted : deployments->pdata[0];
	osname = ostree_deployment_get_osname (anchor);
	for (guint i = 0; i < deployments->len; i++) {
		OstreeDeployment *d = deployments->pdata[i];
		gboolean keep;

		if (g_strcmp0 (ostree_deployment_get_osname (d), osname) != 0) {
			keep = TRUE; /* another stateroot is not ours to prune */
		} else if (i == 0 || ostree_deployment_equal (d, anchor)) {
			keep = TRUE;
		} else if (rollback == NULL &&
			   ostree_deployment_equal (deployments->pdata[0], anchor)) {
			/* the booted default keeps the newest older one as its rollback */
			rollback = d;
			keep = TRUE;
		} else {
			keep = FALSE;
		}
		if (keep) {
			g_ptr_array_add (kept, g_object_ref (d));
			g_hash_table_add (keep_commits, (gpointer)ostree_deployment_get_csum (d));
		}
	}
	if (kept->len != deployments->len &&
	    !ostree_sysroot_write_deployments (sysroot, kept, cancellable, error)) {
		g_prefix_error (error, _("failed to write deployments: "));
		return FALSE;
	}
	if (remote_name != NULL &&
	    !otad_deploy_drop_refs (ostree_sysroot_repo (sysroot), remote_name, keep_commits,
				    cancellable, error))
		return FALSE;
	/* removes undeployed directories and old boot entries, then prunes the repo */
	if (!ostree_sysroot_cleanup (sysroot, cancellable, error)) {
		g_prefix_error (error, _("failed to clean up the sysroot: "));
		return FALSE;
	}

	/* success */
	return TRUE;
}
