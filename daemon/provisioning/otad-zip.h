/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The few members of a ZIP archive otad needs (credentials.zip), without a new
 * dependency: the central directory is read, members stored or deflated (raw deflate
 * through GZlibDecompressor) are returned.  No ZIP64, no encryption.  Sizes are bounded.
 */
#define OTAD_ZIP_MAX_MEMBER (4 * 1024 * 1024)

/* the member called @name (exact path inside the archive), or NOT_FOUND */
GBytes *otad_zip_extract (GBytes *archive, const gchar *name,
                          GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
