/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Reading an existing aktualizr configuration (sota.toml and conf.d fragments), so a device
 * can move from aktualizr to otad without re-provisioning.  Only the subset of TOML that
 * aktualizr's files use is accepted: [tables], key = "string" / 'literal' / integer /
 * boolean / [array of strings], and # comments.  The mapping is documented in
 * docs/sota-toml.md.
 */

/* parses TOML text into a key file: group = table name, key = key, value as text */
GKeyFile *otad_sota_toml_parse (const gchar *text, gssize len, const gchar *origin,
                                GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
