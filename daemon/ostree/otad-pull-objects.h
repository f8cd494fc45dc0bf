/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-pull.h"

G_BEGIN_DECLS

/*
 * An object pull through otad's transport, for what libostree's fetcher cannot do: present
 * a client certificate whose key is in PKCS#11 (libostree takes PEM file paths only).
 * Walks the verified commit as libostree's pull does (commit, dirtree, dirmeta, then file
 * objects) and fetches what the repository lacks from an archive repository (TreeHub:
 * objects/XX/REST.{commit,dirtree,dirmeta,filez}); every object is checked against its
 * checksum as it is written.  Objects already there (an interrupted pull) are not fetched
 * again.
 */
gboolean otad_pull_objects_http (OstreeRepo *repo,
				 const OtadPullOptions *options,
				 OtadHttp *http,
				 const gchar *checksum,
				 OtadPullProgressFunc progress_func,
				 gpointer progress_data,
				 GCancellable *cancellable,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
