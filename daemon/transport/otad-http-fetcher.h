/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-http.h"
#include "otad-tuf-fetcher.h"

G_BEGIN_DECLS

/* OtadTufFetcher over otad's one HTTP session: paths are relative to @base_url */
#define OTAD_TYPE_HTTP_FETCHER (otad_http_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (OtadHttpFetcher, otad_http_fetcher, OTAD, HTTP_FETCHER, GObject)

OtadTufFetcher *otad_http_fetcher_new (OtadHttp *http,
                                       const gchar *base_url) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
