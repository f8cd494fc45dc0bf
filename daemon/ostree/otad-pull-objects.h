/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

#include "otad-http.h"
#include "otad-pull-progress.h"

G_BEGIN_DECLS

/*
 * The object pull, through otad's transport, for what libostree's fetcher cannot do: refuse
 * a redirect to plain http, bound every file by a deadline, honour Retry-After, present a
 * client certificate whose key is in PKCS#11 (libostree takes PEM file paths only).
 * Walks the verified commit as libostree's pull does (commit, dirtree, dirmeta, then file
 * objects) and fetches what the repository lacks from an archive repository (TreeHub:
 * objects/XX/REST.{dirtree,dirmeta,filez}); every object is checked against its checksum
 * as it is written.  Objects already there (an interrupted pull) are not fetched again.
 * The commit object must be in @repo already (otad_pull_commit_object()); file objects
 * wait in @tmpdir between download and write.
 */
gboolean otad_pull_objects_http (OstreeRepo *repo,
				 OtadHttp *http,
				 const gchar *url,
				 const gchar *tmpdir,
				 const gchar *checksum,
				 OtadPullProgressFunc progress_func,
				 gpointer progress_data,
				 GCancellable *cancellable,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
