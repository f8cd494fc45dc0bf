/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadConfig"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-config-lines.h"
#include "otad-config-schema.h"

void
otad_config_lines_clear (OtadConfigLines *lines)
{
	g_clear_pointer (&lines->keys, g_hash_table_unref);
	g_clear_pointer (&lines->groups, g_hash_table_unref);
}

static gboolean
otad_config_lines_group_name_valid (const gchar *name, gsize len)
{
	if (len == 0)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (name[i] == '[' || name[i] == ']' || g_ascii_iscntrl (name[i]))
			return FALSE;
	}
	return TRUE;
}

/* as GKeyFile: "name" or "name[locale]", no control characters */
static gboolean
otad_config_lines_key_name_valid (const gchar *name)
{
	const gchar *open = strchr (name, '[');

	for (const gchar *p = name; *p != '\0'; p++) {
		if (g_ascii_iscntrl (*p))
			return FALSE;
	}
	if (open == NULL)
		return strchr (name, ']') == NULL;
	return open != name && strchr (open + 1, '[') == NULL && strchr (open, ']') != NULL &&
	       strchr (open, ']')[1] == '\0';
}

/* GKeyFile reports neither the line of a syntax error nor where a key is: scan the text with
 * the same rules to find both */
gboolean
otad_config_lines_scan (const gchar *origin,
			const gchar *data,
			gsize length,
			OtadConfigLines *lines,
			GError **error)
{
	g_autofree gchar *text = g_strndup (data, length);
	g_auto(GStrv) split = NULL;
	g_autofree gchar *group = NULL;

	lines->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	lines->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	if (strlen (text) != length) {
		guint lineno = 1;
		for (const gchar *p = text; *p != '\0'; p++)
			lineno += *p == '\n' ? 1 : 0;
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("%s:%u: line contains a NUL byte"), origin, lineno);
		return FALSE;
	}
	split = g_strsplit (text, "\n", -1);
	for (guint i = 0; split[i] != NULL; i++) {
		guint lineno = i + 1;
		gchar *line = g_strchug (split[i]);
		gchar *eq;
		gsize len;

		len = strlen (line);
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!g_utf8_validate (line, -1, NULL)) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("%s:%u: line is not valid UTF-8"), origin, lineno);
			return FALSE;
		}
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (line[0] == '[') {
			gchar *end = strchr (line, ']');
			if (end != NULL && strspn (end + 1, " \t") == strlen (end + 1)) {
				if (!otad_config_lines_group_name_valid (line + 1, end - line - 1)) {
					g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
					             _("%s:%u: invalid group name \"%s\""), origin,
					             lineno, line);
					return FALSE;
				}
				g_free (group);
				group = g_strndup (line + 1, end - line - 1);
				if (!g_hash_table_contains (lines->groups, group))
					g_hash_table_insert (lines->groups, g_strdup (group),
							     GUINT_TO_POINTER (lineno));
				continue;
			}
		}
		eq = strchr (line, '=');
		if (eq == NULL) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("%s:%u: \"%s\" is not a [group], a key=value pair or a "
			                "# comment"),
			             origin, lineno, line);
			return FALSE;
		}
		*eq = '\0';
		g_strchomp (line);
		if (line[0] == '\0') {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("%s:%u: line has no key before \"=\""), origin, lineno);
			return FALSE;
		}
		if (!otad_config_lines_key_name_valid (line)) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("%s:%u: invalid key name \"%s\""), origin, lineno, line);
			return FALSE;
		}
		if (group == NULL) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("%s:%u: %s: key before the first [group]"), origin, lineno,
			             line);
			return FALSE;
		}
		g_hash_table_insert (lines->keys, g_strdup_printf ("%s\n%s", group, line),
				     GUINT_TO_POINTER (lineno));
	}
	return TRUE;
}

guint
otad_config_lines_lookup (OtadConfigLines *lines, const gchar *group, const gchar *key)
{
	g_autofree gchar *id = g_strdup_printf ("%s\n%s", group, key);
	return GPOINTER_TO_UINT (g_hash_table_lookup (lines->keys, id));
}

gboolean
otad_config_lines_check_keys (const gchar *origin, OtadConfigLines *lines, GError **error)
{
	GHashTableIter iter;
	gpointer key, value;
	guint first_line = G_MAXUINT;
	g_autofree gchar *first_id = NULL;

	g_hash_table_iter_init (&iter, lines->keys);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		g_auto(GStrv) parts = g_strsplit (key, "\n", 2);
		if (!otad_config_schema_group_known (parts[0]) ||
		    otad_config_schema_find (parts[0], parts[1]) >= 0)
			continue;
		if (GPOINTER_TO_UINT (value) < first_line) {
			first_line = GPOINTER_TO_UINT (value);
			g_free (first_id);
			first_id = g_strdup (key);
		}
	}
	if (first_id != NULL) {
		g_auto(GStrv) parts = g_strsplit (first_id, "\n", 2);
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("%s:%u: [%s] %s: unknown key"), origin, first_line, parts[0],
		             parts[1]);
		return FALSE;
	}
	return TRUE;
}
