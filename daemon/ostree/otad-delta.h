/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

#include "otad-delta-superblock.h"
#include "otad-http.h"
#include "otad-pull-progress.h"

G_BEGIN_DECLS

/*
 * Static deltas fetched by otad itself, through otad's transport (OtadHttp: the device's
 * TLS identity from files or PKCS#11, CA pinning, size limits, retries, Range resume), and
 * applied with libostree's offline delta execution.  Debian 12's libostree (2022.7)
 * downloads a delta *and* most objects it contains (ostree#2053); doing the fetch here
 * keeps the traffic to the delta's size.
 */

gboolean otad_delta_pull (OstreeRepo *repo,
			  OtadHttp *http,
			  const gchar *base_url,
			  const OtadDeltaSuperblock *superblock,
			  const gchar *download_dir,
			  OtadPullProgressFunc progress_func,
			  gpointer progress_data,
			  GCancellable *cancellable,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
