/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* where each group and key of a config file is: GKeyFile reports neither the line of a
 * syntax error nor where a key is, so the text is scanned with the same rules */
typedef struct {
	GHashTable *keys;   /* (owned): "group\nkey" → line */
	GHashTable *groups; /* (owned): group → first line */
} OtadConfigLines;

void otad_config_lines_clear (OtadConfigLines *lines);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OtadConfigLines, otad_config_lines_clear)

gboolean otad_config_lines_scan (const gchar *origin,
				 const gchar *data,
				 gsize length,
				 OtadConfigLines *lines,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint otad_config_lines_lookup (OtadConfigLines *lines, const gchar *group, const gchar *key);
/* the first key of a known group that the schema does not know, as FILE:LINE: [group] key */
gboolean otad_config_lines_check_keys (const gchar *origin, OtadConfigLines *lines, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
