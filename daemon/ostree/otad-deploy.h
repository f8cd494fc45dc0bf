/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

G_BEGIN_DECLS

/**
 * OtadDeployOptions:
 * @sysroot_path: the sysroot, "/" on a device
 * @osname: (nullable): the stateroot; defaults to the booted (or merge) deployment's
 * @refspec: origin refspec of the new deployment, e.g. "otad-treehub:demo" (the ref
 *   otad_pull_commit() wrote)
 * @test_booted: (nullable): TEST ONLY. "CHECKSUM[.SERIAL]" of the deployment to treat as
 *   booted in a non-booted test sysroot; refused when @sysroot_path is "/"
 *
 * Where and how to deploy; each call opens and locks its own #OstreeSysroot.
 */
typedef struct {
	const gchar *sysroot_path;
	const gchar *osname;
	const gchar *refspec;
	const gchar *test_booted;
} OtadDeployOptions;

/**
 * OtadDeployResult:
 * @staged: %TRUE when staged (finalised by ostree-finalize-staged at shutdown), %FALSE
 *   when written as the default right away (non-booted sysroots, tests)
 * @checksum: the deployed commit
 * @serial: the new deployment's serial
 * @rollback_checksum: (nullable): the commit of the one deployment kept for rollback
 */
typedef struct {
	gboolean staged;
	gchar *checksum;
	gint serial;
	gchar *rollback_checksum;
} OtadDeployResult;

void otad_deploy_result_clear (OtadDeployResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OtadDeployResult, otad_deploy_result_clear)

OstreeSysroot *otad_deploy_open_sysroot (const OtadDeployOptions *options,
					 gboolean lock,
					 GCancellable *cancellable,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_deploy_get_booted (OstreeSysroot *sysroot,
				 const OtadDeployOptions *options,
				 OstreeDeployment **out_booted,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_deploy_commit (const OtadDeployOptions *options,
			     const gchar *checksum,
			     OtadDeployResult *out_result,
			     GCancellable *cancellable,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* arms the trial boot of a new deployment (otad_deploy_commit_armed()) */
typedef gboolean (*OtadDeployArmFunc) (OstreeSysroot *sysroot,
				       OstreeDeployment *deployment,
				       gpointer user_data,
				       GCancellable *cancellable,
				       GError **error);
gboolean otad_deploy_commit_armed (const OtadDeployOptions *options,
				   const gchar *checksum,
				   OtadDeployArmFunc arm,
				   gpointer arm_data,
				   OtadDeployResult *out_result,
				   GCancellable *cancellable,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_deploy_cleanup (const OtadDeployOptions *options,
			      const gchar *remote_name,
			      GCancellable *cancellable,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
