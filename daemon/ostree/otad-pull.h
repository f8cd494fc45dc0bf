/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

#include "otad-delta-superblock.h"
#include "otad-http.h"
#include "otad-pull-progress.h"

G_BEGIN_DECLS

/**
 * OtadPullFlags:
 * @OTAD_PULL_FLAGS_NONE: no flags
 * @OTAD_PULL_FLAGS_NO_DELTA: never try a static delta, pull objects only
 * @OTAD_PULL_FLAGS_ALLOW_DOWNGRADE: skip the check that the new commit is newer
 *   than @from_commit (a downgrade the Director asked for on purpose)
 */
typedef enum {
	OTAD_PULL_FLAGS_NONE = 0,
	OTAD_PULL_FLAGS_NO_DELTA = 1 << 0,
	OTAD_PULL_FLAGS_ALLOW_DOWNGRADE = 1 << 1,
} OtadPullFlags;

/**
 * OtadPullOptions:
 * @remote_name: the OSTree remote otad manages in the repo, e.g. "otad-treehub"
 * @url: TreeHub base URL (from config, or the target's custom.uri)
 * @ref: ref name written under @remote_name for the pulled commit; it keeps the commit
 *   from being pruned until otad_deploy_cleanup() drops it
 * @http: (nullable): otad's transport for what otad fetches itself (static delta
 *   superblock and parts, fallback objects, the commit object for the space estimate):
 *   the daemon passes its one #OtadHttp so TreeHub traffic has the same TLS identity
 *   (PEM files or PKCS#11 URIs), CA pinning, size limits and retries as everything else.
 *   When %NULL, one is made from the three tls_* fields below.
 * @tls_client_cert_path: (nullable): device certificate for mutual TLS: a PEM file (for
 *   the remote's configuration and otad's transport) or, when @http is %NULL, a
 *   PKCS#11 URI (otad's transport only)
 * @tls_client_key_path: (nullable): its private key (PEM file or PKCS#11 URI, as above)
 * @tls_ca_path: (nullable): CA bundle to check the server with instead of the system one
 * @from_commit: (nullable): the booted commit: static delta source and downgrade check
 * @download_dir: (nullable): where delta parts wait between attempts; defaults to
 *   `REPO/tmp/otad-deltas` (the repo's file system, so applying needs no copy)
 * @delta_cache: (nullable): the static delta superblock of this download, kept between
 *   otad_space_estimate() and otad_pull_commit() so it is fetched once; the caller
 *   zero-initialises and clears it.  %NULL: each asks the server.
 * @flags: #OtadPullFlags
 *
 * What otad_pull_commit() needs; the engine fills it from config and the verified target.
 *
 * The objects (when the server has no static delta from @from_commit) come through otad's
 * transport too (otad-pull-objects.c), never libostree's fetcher, which follows redirects
 * to plain http and has no per-file deadline: TreeHub sees the same client certificate,
 * CA pin, redirect rule and bounds as every other request.
 */
typedef struct {
	const gchar *remote_name;
	const gchar *url;
	const gchar *ref;
	OtadHttp *http;
	const gchar *tls_client_cert_path;
	const gchar *tls_client_key_path;
	const gchar *tls_ca_path;
	const gchar *from_commit;
	const gchar *download_dir;
	OtadDeltaSuperblockCache *delta_cache;
	OtadPullFlags flags;
} OtadPullOptions;

gboolean otad_pull_ensure_remote (OstreeRepo *repo,
				  const OtadPullOptions *options,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_pull_commit (OstreeRepo *repo,
			   const OtadPullOptions *options,
			   const gchar *checksum,
			   OtadPullProgressFunc progress_func,
			   gpointer progress_data,
			   GCancellable *cancellable,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_pull_verify_commit (OstreeRepo *repo,
				  const gchar *checksum,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
GVariant *otad_pull_commit_object (OstreeRepo *repo,
				   const OtadPullOptions *options,
				   const gchar *checksum,
				   GCancellable *cancellable,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
OtadHttp *otad_pull_get_http (const OtadPullOptions *options, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gchar *otad_pull_get_download_dir (OstreeRepo *repo, const OtadPullOptions *options)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
