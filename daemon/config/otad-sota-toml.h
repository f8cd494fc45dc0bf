/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The TOML aktualizr's configuration files are written in.  aktualizr itself reads them with
 * boost's INI parser, so only what both accept is taken: [table] headers, key = "basic" /
 * 'literal' string, integer (with _ separators), true/false, [arrays of strings], # comments.
 * What TOML would read differently from aktualizr is refused with FILE:LINE: dotted keys and
 * table names, [[arrays of tables]], a table or a key given twice.
 */

typedef struct {
	gchar *table;  /* "" before the first [table] */
	gchar *key;
	gchar *value;  /* scalar as text (strings unquoted); arrays joined with "," */
	gchar **array; /* (nullable) the items of an array */
	gboolean is_string;
	guint line;
} OtadSotaTomlEntry;

void otad_sota_toml_entry_free (OtadSotaTomlEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadSotaTomlEntry, otad_sota_toml_entry_free)

/* Returns: (transfer full) (element-type OtadSotaTomlEntry): the entries in file order */
GPtrArray *otad_sota_toml_parse (const gchar *text,
				 gssize len,
				 const gchar *origin,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
