/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadPull"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-delta.h"
#include "otad-pull.h"
#include "otad-pull-objects.h"

/* a commit object is a few KiB: its metadata, not the tree */
#define OTAD_PULL_COMMIT_MAX (16 * 1024 * 1024)

static gboolean
otad_pull_is_pkcs11 (const gchar *path)
{
	return path != NULL && g_str_has_prefix (path, "pkcs11:");
}

/**
 * otad_pull_get_http:
 *
 * The transport for what otad fetches from TreeHub itself: @options->http, or one made
 * from the tls_* options (files or PKCS#11 URIs) when that is %NULL.
 */
OtadHttp *
otad_pull_get_http (const OtadPullOptions *options, GError **error)
{
	g_autoptr(OtadHttp) http = NULL;

	if (options->http != NULL)
		return g_object_ref (options->http);
	http = otad_http_new ();
	if (options->tls_ca_path != NULL &&
	    !otad_http_set_ca_file (http, options->tls_ca_path, error))
		return NULL;
	if (options->tls_client_cert_path != NULL &&
	    !otad_http_set_client_certificate (http, options->tls_client_cert_path,
					       options->tls_client_key_path, error))
		return NULL;
	return g_steal_pointer (&http);
}

/* OtadHttp names a cancellation OTA_ERROR_CANCELLED; libostree and our callers use GIO's */
static void
otad_pull_fix_cancelled (GError **error)
{
	if (error != NULL && g_error_matches (*error, OTA_ERROR, OTA_ERROR_CANCELLED)) {
		(*error)->domain = G_IO_ERROR;
		(*error)->code = G_IO_ERROR_CANCELLED;
	}
}

gchar *
otad_pull_get_download_dir (OstreeRepo *repo, const OtadPullOptions *options)
{
	GFile *repo_path = ostree_repo_get_path (repo);

	if (options->download_dir != NULL)
		return g_strdup (options->download_dir);
	return g_build_filename (g_file_peek_path (repo_path), "tmp", "otad-deltas", NULL);
}

gboolean
otad_pull_ensure_remote (OstreeRepo *repo,
			 const OtadPullOptions *options,
			 GCancellable *cancellable,
			 GError **error)
{
	g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sv}"));
	g_autoptr(GVariant) remote_options = NULL;

	/* TreeHub has no GPG signatures: the commit checksum itself was verified by TUF */
	g_variant_builder_add (&builder, "{sv}", "gpg-verify", g_variant_new_boolean (FALSE));
	g_variant_builder_add (&builder, "{sv}", "gpg-verify-summary",
			       g_variant_new_boolean (FALSE));
	/* libostree cannot use PKCS#11 URIs (the objects come through otad's transport) */
	if (options->tls_client_cert_path != NULL &&
	    !otad_pull_is_pkcs11 (options->tls_client_cert_path))
		g_variant_builder_add (&builder, "{sv}", "tls-client-cert-path",
				       g_variant_new_string (options->tls_client_cert_path));
	if (options->tls_client_key_path != NULL &&
	    !otad_pull_is_pkcs11 (options->tls_client_key_path))
		g_variant_builder_add (&builder, "{sv}", "tls-client-key-path",
				       g_variant_new_string (options->tls_client_key_path));
	if (options->tls_ca_path != NULL)
		g_variant_builder_add (&builder, "{sv}", "tls-ca-path",
				       g_variant_new_string (options->tls_ca_path));
	remote_options = g_variant_ref_sink (g_variant_builder_end (&builder));
	if (!ostree_repo_remote_change (repo, NULL, OSTREE_REPO_REMOTE_CHANGE_REPLACE,
					options->remote_name, options->url, remote_options,
					cancellable, error)) {
		g_prefix_error (error, _("failed to configure remote %s: "), options->remote_name);
		return FALSE;
	}
	return TRUE;
}

gboolean
otad_pull_verify_commit (OstreeRepo *repo,
			 const gchar *checksum,
			 GCancellable *cancellable,
			 GError **error)
{
	g_autoptr(GVariant) commit = NULL;
	g_autoptr(GBytes) commit_bytes = NULL;
	g_autoptr(GHashTable) reachable = NULL;
	g_autofree gchar *actual = NULL;
	OstreeRepoCommitState state = 0;
	GHashTableIter iter;
	gpointer key;

	if (!ostree_repo_load_commit (repo, checksum, &commit, &state, error)) {
		g_prefix_error (error, _("commit %s is not in the repository: "), checksum);
		return FALSE;
	}
	/* the object store is content addressed, but check rather than trust the file name */
	commit_bytes = g_variant_get_data_as_bytes (commit);
	actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, commit_bytes);
	if (g_strcmp0 (actual, checksum) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
		             _("commit object %s has checksum %s"), checksum, actual);
		return FALSE;
	}
	if (state & OSTREE_REPO_COMMIT_STATE_PARTIAL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_DEPLOYMENT, _("commit %s is incomplete"),
		             checksum);
		return FALSE;
	}
	/* loads every dirtree and dirmeta: fails when metadata is missing */
	if (!ostree_repo_traverse_commit (repo, checksum, 0, &reachable, cancellable, error)) {
		g_prefix_error (error, _("commit %s is incomplete: "), checksum);
		return FALSE;
	}
	g_hash_table_iter_init (&iter, reachable);
	while (g_hash_table_iter_next (&iter, &key, NULL)) {
		const gchar *object_checksum = NULL;
		OstreeObjectType objtype;
		gboolean have = FALSE;

		ostree_object_name_deserialize (key, &object_checksum, &objtype);
		if (objtype != OSTREE_OBJECT_TYPE_FILE)
			continue;
		if (!ostree_repo_has_object (repo, objtype, object_checksum, &have, cancellable,
					     error))
			return FALSE;
		if (!have) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_DEPLOYMENT,
			             _("commit %s is incomplete: file object %s is missing"),
			             checksum, object_checksum);
			return FALSE;
		}
	}

	/* success */
	return TRUE;
}

/*
 * What is not the transport's (named already) is libostree's refusing or failing to
 * store an object: a corrupt object from the server or the repository is Deployment,
 * ENOSPC is NoSpace naming the repository, not libostree's fd
 */
static void
otad_pull_name_error (OstreeRepo *repo, GError **error)
{
	GError *e = error != NULL ? *error : NULL;

	if (e == NULL || e->domain == OTA_ERROR ||
	    g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_NO_SPACE)) {
		g_autofree gchar *path = g_file_get_path (ostree_repo_get_path (repo));
		e->domain = OTA_ERROR;
		e->code = OTA_ERROR_NO_SPACE;
		g_prefix_error (error, _("no space left in %s: "), path);
		return;
	}
	e->domain = OTA_ERROR;
	e->code = OTA_ERROR_DEPLOYMENT;
}

/*
 * The objects of the tree, always through otad's transport rather than libostree's pull:
 * libostree's curl fetcher follows any redirect, https to plain http included
 * (CURLOPT_FOLLOWLOCATION without CURLOPT_REDIR_PROTOCOLS, src/libostree/
 * ostree-fetcher-curl.c), has no per-file deadline, no Retry-After and takes the client
 * key from files only.  OtadHttp refuses a downgrade on every hop, bounds every request by
 * [server] transfer-deadline-sec and min-transfer-speed, and speaks PKCS#11.
 * libostree's timestamp-check-from-rev is done here: a commit older than the booted one
 * is refused unless a downgrade is allowed.
 */
static gboolean
otad_pull_objects (OstreeRepo *repo,
		   const OtadPullOptions *options,
		   const gchar *checksum,
		   OtadPullProgressFunc progress_func,
		   gpointer progress_data,
		   GCancellable *cancellable,
		   GError **error)
{
	g_autoptr(OtadHttp) http = otad_pull_get_http (options, error);
	g_autoptr(GVariant) commit = NULL;
	g_autofree gchar *download_dir = otad_pull_get_download_dir (repo, options);
	g_autofree gchar *tmpdir = g_build_filename (download_dir, "objects", NULL);

	if (http == NULL)
		return FALSE;
	commit = otad_pull_commit_object (repo, options, checksum, cancellable, error);
	if (commit == NULL)
		return FALSE;
	if (options->from_commit != NULL && !(options->flags & OTAD_PULL_FLAGS_ALLOW_DOWNGRADE)) {
		g_autoptr(GVariant) from_commit = NULL;
		gboolean have_from = FALSE;

		if (!ostree_repo_has_object (repo, OSTREE_OBJECT_TYPE_COMMIT, options->from_commit,
					     &have_from, cancellable, error))
			return FALSE;
		if (have_from &&
		    !ostree_repo_load_commit (repo, options->from_commit, &from_commit, NULL, error))
			return FALSE;
		if (from_commit != NULL &&
		    ostree_commit_get_timestamp (commit) < ostree_commit_get_timestamp (from_commit)) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
			             _("commit %s is older than the booted commit %s"), checksum,
			             options->from_commit);
			return FALSE;
		}
	}
	if (!otad_pull_objects_http (repo, http, options->url, tmpdir, checksum, progress_func,
				     progress_data, cancellable, error)) {
		otad_pull_fix_cancelled (error);
		otad_pull_name_error (repo, error);
		return FALSE;
	}
	return TRUE;
}

/* the commit object alone, through otad's transport; marked partial as libostree's
 * commit-only pull marks it, since its tree is not there yet */
static gboolean
otad_pull_fetch_commit_object (OstreeRepo *repo,
			       const OtadPullOptions *options,
			       const gchar *checksum,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autoptr(OtadHttp) http = otad_pull_get_http (options, error);
	g_autofree gchar *relpath = NULL;
	g_autofree gchar *url = NULL;
	g_autofree gchar *actual = NULL;
	g_autofree guchar *csum = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GVariant) commit = NULL;

	if (http == NULL)
		return FALSE;
	relpath = g_strdup_printf ("objects/%.2s/%s.commit", checksum, checksum + 2);
	url = otad_http_join_url (options->url, relpath);
	bytes = otad_http_get (http, url, OTAD_PULL_COMMIT_MAX, OTAD_HTTP_FLAG_NONE, NULL,
			       cancellable, error);
	if (bytes == NULL) {
		otad_pull_fix_cancelled (error);
		return FALSE;
	}
	actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
	if (g_strcmp0 (actual, checksum) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
		             _("commit object %s from %s has checksum %s"), checksum, url, actual);
		return FALSE;
	}
	commit = g_variant_ref_sink (
	    g_variant_new_from_bytes (OSTREE_COMMIT_GVARIANT_FORMAT, bytes, FALSE));
	if (!g_variant_is_normal_form (commit)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             _("commit object %s is malformed"), checksum);
		return FALSE;
	}
	if (!ostree_repo_mark_commit_partial (repo, checksum, TRUE, error))
		return FALSE;
	return ostree_repo_write_metadata (repo, OSTREE_OBJECT_TYPE_COMMIT, checksum, commit,
					   &csum, cancellable, error);
}

/**
 * otad_pull_commit_object:
 *
 * Fetches only the commit object (a few KiB) so its metadata, e.g. `ostree.sizes`, can be
 * read before the download; the commit stays marked partial until otad_pull_commit().
 * Returns the commit, checked against @checksum.
 */
GVariant *
otad_pull_commit_object (OstreeRepo *repo,
			 const OtadPullOptions *options,
			 const gchar *checksum,
			 GCancellable *cancellable,
			 GError **error)
{
	g_autoptr(GVariant) commit = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autofree gchar *actual = NULL;
	gboolean have = FALSE;

	if (!ostree_validate_checksum_string (checksum, error))
		return NULL;
	if (!ostree_repo_has_object (repo, OSTREE_OBJECT_TYPE_COMMIT, checksum, &have,
				     cancellable, error))
		return NULL;
	if (!have && !otad_pull_fetch_commit_object (repo, options, checksum, cancellable, error))
		return NULL;
	if (!ostree_repo_load_variant (repo, OSTREE_OBJECT_TYPE_COMMIT, checksum, &commit, error))
		return NULL;
	bytes = g_variant_get_data_as_bytes (commit);
	actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
	if (g_strcmp0 (actual, checksum) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
		             _("commit object %s has checksum %s"), checksum, actual);
		return NULL;
	}
	return g_steal_pointer (&commit);
}

/* TRUE with *out_done FALSE when the server has no delta from the booted commit */
static gboolean
otad_pull_try_delta (OstreeRepo *repo,
		     const OtadPullOptions *options,
		     const gchar *checksum,
		     OtadPullProgressFunc progress_func,
		     gpointer progress_data,
		     gboolean *out_done,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autoptr(OtadHttp) http = NULL;
	g_auto(OtadDeltaSuperblockCache) own_cache = {0};
	const OtadDeltaSuperblock *sb = NULL;
	g_autofree gchar *download_dir = otad_pull_get_download_dir (repo, options);
	gboolean have_from = FALSE;
	gboolean found = FALSE;

	*out_done = FALSE;
	if (!ostree_repo_has_object (repo, OSTREE_OBJECT_TYPE_COMMIT, options->from_commit,
				     &have_from, cancellable, error))
		return FALSE;
	if (!have_from)
		return TRUE;
	http = otad_pull_get_http (options, error);
	if (http == NULL)
		return FALSE;
	if (progress_func != NULL) {
		OtadPullProgress progress = { .phase = OTAD_PULL_PHASE_METADATA };
		progress_func (&progress, progress_data);
	}
	/* the space estimate of this download may have fetched it already */
	sb = otad_delta_fetch_superblock_cached (
	    options->delta_cache != NULL ? options->delta_cache : &own_cache, http, options->url,
	    options->from_commit, checksum, &found, cancellable, error);
	if (sb == NULL && !found) {
		g_debug ("no static delta %s-%s: pulling objects", options->from_commit, checksum);
		return TRUE;
	}
	if (sb == NULL) {
		otad_pull_fix_cancelled (error);
		return FALSE;
	}
	if (!(options->flags & OTAD_PULL_FLAGS_ALLOW_DOWNGRADE)) {
		g_autoptr(GVariant) from_commit = NULL;
		if (!ostree_repo_load_commit (repo, options->from_commit, &from_commit, NULL,
					      error))
			return FALSE;
		if (sb->timestamp < ostree_commit_get_timestamp (from_commit)) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
			             _("commit %s is older than the booted commit %s"), checksum,
			             options->from_commit);
			return FALSE;
		}
	}
	if (!otad_delta_pull (repo, http, options->url, sb, download_dir, progress_func,
			      progress_data, cancellable, error)) {
		otad_pull_fix_cancelled (error);
		return FALSE;
	}
	*out_done = TRUE;
	return TRUE;
}

gboolean
otad_pull_commit (OstreeRepo *repo,
		  const OtadPullOptions *options,
		  const gchar *checksum,
		  OtadPullProgressFunc progress_func,
		  gpointer progress_data,
		  GCancellable *cancellable,
		  GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gboolean done = FALSE;

	g_return_val_if_fail (OSTREE_IS_REPO (repo), FALSE);
	g_return_val_if_fail (options != NULL && options->remote_name != NULL, FALSE);
	g_return_val_if_fail (options->url != NULL && options->ref != NULL, FALSE);

	if (!ostree_validate_checksum_string (checksum, &error_local)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("not a commit checksum: %s"), error_local->message);
		return FALSE;
	}
	if (options->from_commit != NULL &&
	    !ostree_validate_checksum_string (options->from_commit, error))
		return FALSE;

	/* an earlier attempt may have finished everything but the ref */
	if (!otad_pull_verify_commit (repo, checksum, cancellable, &error_local)) {
		g_clear_error (&error_local);
		if (!otad_pull_ensure_remote (repo, options, cancellable, error))
			return FALSE;
		if (options->from_commit != NULL && !(options->flags & OTAD_PULL_FLAGS_NO_DELTA) &&
		    !otad_pull_try_delta (repo, options, checksum, progress_func, progress_data,
					  &done, cancellable, error))
			return FALSE;
		if (!done && !otad_pull_objects (repo, options, checksum, progress_func,
						 progress_data, cancellable, error))
			return FALSE;
		if (progress_func != NULL) {
			OtadPullProgress progress = { .phase = OTAD_PULL_PHASE_VERIFY };
			progress_func (&progress, progress_data);
		}
		if (!otad_pull_verify_commit (repo, checksum, cancellable, error))
			return FALSE;
	}
	/* the ref holds the commit until otad_deploy_cleanup() lets it go */
	if (!ostree_repo_set_ref_immediate (repo, options->remote_name, options->ref, checksum,
					    cancellable, error))
		return FALSE;

	/* success */
	return TRUE;
}
