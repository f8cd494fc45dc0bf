/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-tuf-fetcher.h"

G_BEGIN_DECLS

/* a plain HTTP(S) fetcher for the tuf-client test tool (the daemon has its own transport) */
OtadTufFetcher *tuf_fetcher_soup_new (const gchar *base_url, guint *request_counter);

G_END_DECLS
