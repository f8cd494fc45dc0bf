/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-tuf-error.h"
#include "otad-checkin.h"
#include "otad-job-check.h"
#include "otad-space.h"
#include "otad-job-device.h"
#include "otad-job-report.h"
#include "otad-uptane.h"

OtadJobCheck *
otad_job_check_new (OtadJobContext *ctx)
{
	OtadJobCheck *job = g_new0 (OtadJobCheck, 1);

	job->ctx = g_object_ref (ctx);
	return job;
}

void
otad_job_check_free (OtadJobCheck *job)
{
	if (job == NULL)
		return;
	g_clear_object (&job->ctx);
	g_clear_pointer (&job->target, otad_target_free);
	g_free (job->campaign_id);
	g_free (job->skipped_bad);
	g_free (job->known_checksum);
	g_free (job->known_campaign_id);
	g_free (job);
}

static OtadCheckin *
otad_job_check_make_checkin (OtadJobContext *ctx)
{
	const OtadSettings *s = otad_job_context_get_settings (ctx);
	g_autofree gchar *metadata_dir = g_build_filename (s->state_dir, "tuf", NULL);
	g_autoptr(GPtrArray) root_dirs = g_ptr_array_new ();
	OtadCheckin *checkin = otad_checkin_new (otad_job_context_get_http (ctx),
						 s->lite ? NULL : s->director_url, s->repo_url,
						 metadata_dir);

	/* the roots a device that ran aktualizr trusted last, before any shipped one */
	if (s->imported_root_dir != NULL)
		g_ptr_array_add (root_dirs, s->imported_root_dir);
	if (s->root_dir != NULL)
		g_ptr_array_add (root_dirs, s->root_dir);
	for (const gchar *const *d = otad_uptane_default_root_dirs (); *d != NULL; d++)
		g_ptr_array_add (root_dirs, (gpointer)*d);
	g_ptr_array_add (root_dirs, NULL);
	otad_checkin_set_root_dirs (checkin, (const gchar *const *)root_dirs->pdata);
	otad_checkin_set_allow_tofu (checkin, s->allow_tofu);
	otad_checkin_set_limits (checkin, &s->tuf_limits);
	return checkin;
}

/* what the verified metadata offers must be something otad can install */
static gboolean
otad_job_check_installable (const OtadTarget *target, GError **error)
{
	if (target->target_format != NULL &&
	    g_ascii_strcasecmp (target->target_format, "OSTREE") != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
		             _("target %s is of format %s; only OSTREE targets can be installed"),
		             target->name, target->target_format);
		return FALSE;
	}
	if (!ostree_validate_checksum_string (target->sha256, NULL)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
		             _("target %s has no OSTree commit as its sha256"), target->name);
		return FALSE;
	}
	return TRUE;
}

/*
 * The offer's size before anything is downloaded, as eos-updater reports it
 * (eos-updater/poll-common.c, metadata_fetch_finished() and get_commit_sizes(): the
 * `ostree.sizes` of the commit, counting only objects the repo lacks, archived for the
 * download and unpacked for the installed size); otad asks the static delta superblock
 * first, which is what it will really fetch (otad_space_estimate()).  Only the
 * superblock or the commit object is fetched.  Not knowing the size does not stop the
 * offer: it stays 0.
 */
static void
otad_job_check_size_offer (OtadJobCheck *job,
			   OstreeSysroot *sysroot,
			   const gchar *booted,
			   GCancellable *cancellable)
{
	OtadPullOptions options = {NULL};
	OtadSpaceEstimate estimate = {OTAD_SPACE_SOURCE_UNKNOWN, 0, 0, 0, 0};
	OstreeRepo *repo = ostree_sysroot_repo (sysroot);
	g_autoptr(GError) error_local = NULL;

	/* the same commit as at the last check: it was sized then (or found not to be
	 * sizeable, which the next offer of a new commit asks again) */
	if (job->known_checksum != NULL && g_strcmp0 (job->known_checksum, job->target->sha256) == 0) {
		job->download_size = job->known_download_size;
		job->installed_size = job->known_installed_size;
		return;
	}
	if (!otad_job_context_pull_options (job->ctx, job->target->uri, booted, &options,
					    &error_local) ||
	    !otad_pull_ensure_remote (repo, &options, cancellable, &error_local) ||
	    !otad_space_estimate (repo, &options, job->target->sha256, job->target->length,
				  &estimate, cancellable, &error_local)) {
		g_message ("the size of %s is not known before the download: %s",
			   job->target->name, error_local->message);
		return;
	}
	g_info ("offer %s: download %" G_GUINT64_FORMAT " bytes, installed %" G_GUINT64_FORMAT
		" bytes (%s)",
		job->target->name, estimate.download_bytes, estimate.installed_bytes,
		otad_space_source_to_string (estimate.source));
	if (estimate.source == OTAD_SPACE_SOURCE_BOOTED_COMMIT)
		return; /* a guess for the space check, not a size to show */
	job->download_size = estimate.download_bytes;
	job->installed_size = estimate.installed_bytes;
}

/* aktualizr's kMaxCampaignsMetaSize */
#define OTAD_JOB_CHECK_MAX_CAMPAIGNS_SIZE (1024 * 1024)

/*
 * The campaign that asks for consent to the offer: aktualizr's campaign check
 * (libaktualizr campaign.cc, fetchAvailableCampaigns(): GET <gateway>/campaigner/campaigns,
 * {"campaigns": [{"id", "name", "size", "autoAccept", "metadata"}]}).  The offer belongs
 * to the campaign its correlation id names (OTA CE's Director writes
 * "urn:here-ota:campaign:<id>").  A server without campaigns (404, an error) has none:
 * aktualizr logs it and goes on, and so does otad.
 */
static void
otad_job_check_find_campaign (OtadJobCheck *job, GCancellable *cancellable)
{
	const OtadSettings *s = otad_job_context_get_settings (job->ctx);
	const gchar *cid = job->target->correlation_id;
	g_autofree gchar *url = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(JsonParser) parser = json_parser_new ();
	g_autoptr(GError) error_local = NULL;
	JsonNode *root;
	JsonArray *campaigns;
	guint status = 0;

	if (s->gateway_url == NULL || cid == NULL || *cid == '\0')
		return;
	/* the offer of the last check: its campaign was looked up then; an unchanged
	 * check-in stays at two requests per repository */
	if (job->known_checksum != NULL && g_strcmp0 (job->known_checksum, job->target->sha256) == 0) {
		job->campaign_id = g_strdup (job->known_campaign_id);
		return;
	}
	url = g_strconcat (s->gateway_url, "/campaigner/campaigns", NULL);
	body = otad_http_get (otad_job_context_get_http (job->ctx), url,
			      OTAD_JOB_CHECK_MAX_CAMPAIGNS_SIZE, 0, &status, cancellable, &error_local);
	if (body == NULL || status != 200 ||
	    !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
					 (gssize)g_bytes_get_size (body), &error_local)) {
		g_debug ("no campaigns: %s", error_local != NULL ? error_local->message : "");
		return;
	}
	root = json_parser_get_root (parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
	    !json_object_has_member (json_node_get_object (root), "campaigns") ||
	    !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root),
							     "campaigns")))
		return;
	campaigns = json_object_get_array_member (json_node_get_object (root), "campaigns");
	for (guint i = 0; i < json_array_get_length (campaigns); i++) {
		JsonNode *c = json_array_get_element (campaigns, i);
		const gchar *id;
		if (!JSON_NODE_HOLDS_OBJECT (c))
			continue;
		id = json_object_get_string_member_with_default (json_node_get_object (c), "id",
								 NULL);
		if (id == NULL || *id == '\0')
			continue;
		if (g_str_equal (cid, id) ||
		    (g_str_has_suffix (cid, id) && strlen (cid) > strlen (id) &&
		     cid[strlen (cid) - strlen (id) - 1] == ':')) {
			g_info ("the offer belongs to campaign %s", id);
			job->campaign_id = g_strdup (id);
			return;
		}
	}
}

gboolean
otad_job_check_run (gpointer data, GCancellable *cancellable, GError **error)
{
	OtadJobCheck *job = data;
	OtadJobContext *ctx = job->ctx;
	const OtadSettings *s = otad_job_context_get_settings (ctx);
	OtadDeployOptions options = {NULL};
	g_autoptr(OstreeSysroot) sysroot = NULL;
	g_autofree gchar *installed = NULL;
	g_autoptr(OtadCheckin) checkin = NULL;
	g_autoptr(OtadTarget) target = NULL;
	g_autoptr(OtadBootRecord) record = NULL;
	gboolean ok;

	if (s->repo_url == NULL || (!s->lite && s->director_url == NULL)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		                     _("no server configured ([server] url)"));
		return FALSE;
	}
	otad_job_context_deploy_options (ctx, &options);
	sysroot = otad_deploy_open_sysroot (&options, FALSE, cancellable, error);
	if (sysroot == NULL)
		return FALSE;
	if (!otad_job_context_get_booted_commit (ctx, sysroot, &installed, error))
		return FALSE;
	/* provisioned, registered and described before the first question to the server */
	if (!otad_job_device_prepare (ctx, sysroot, cancellable, error))
		return FALSE;

	checkin = otad_job_check_make_checkin (ctx);
	if (s->lite)
		ok = otad_checkin_run_lite (checkin, s->hardware_id, (const gchar *const *)s->tags,
					    installed, &target, cancellable, error);
	else
		ok = otad_checkin_run (checkin, s->ecu_serial, s->hardware_id, installed, &target,
				       cancellable, error);
	if (!ok) {
		/* the verifier's own codes become their OtaError: Verification, Server... */
		otad_tuf_error_convert (error);
		otad_job_report_flush (ctx, cancellable);
		return FALSE;
	}
	if (target != NULL && g_strcmp0 (target->sha256, installed) == 0)
		g_clear_pointer (&target, otad_target_free);
	if (target != NULL && !otad_job_check_installable (target, error))
		return FALSE;
	record = otad_job_context_load_record (ctx, error);
	if (record == NULL)
		return FALSE;
	if (target != NULL && otad_boot_record_is_bad (record, target->sha256)) {
		g_message ("not offering %s (%s): it failed before (%s)", target->name,
			   target->sha256, otad_boot_record_get_bad_reason (record, target->sha256));
		job->skipped_bad = g_strdup (target->sha256);
		g_clear_pointer (&target, otad_target_free);
	}
	job->target = g_steal_pointer (&target);
	if (job->target != NULL) {
		otad_job_check_size_offer (job, sysroot, installed, cancellable);
		otad_job_check_find_campaign (job, cancellable);
	}
	otad_job_report_flush (ctx, cancellable);
	return TRUE;
}
