/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadSotaToml"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-sota-toml.h"

#define OTAD_SOTA_TOML_MAX_SIZE (1024 * 1024)

typedef struct {
	const gchar *p;
	const gchar *end;
	guint line;
	const gchar *origin;
} OtadSotaTomlLexer;

static gboolean
otad_sota_toml_fail (OtadSotaTomlLexer *lx, GError **error, const gchar *what)
{
	g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s:%u: %s", lx->origin, lx->line,
	             what);
	return FALSE;
}

static void
otad_sota_toml_skip_blank (OtadSotaTomlLexer *lx)
{
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
		lx->p++;
}

/* after a value or header: blanks, an optional comment, then the end of the line */
static gboolean
otad_sota_toml_end_of_line (OtadSotaTomlLexer *lx, GError **error)
{
	otad_sota_toml_skip_blank (lx);
	if (lx->p < lx->end && *lx->p == '#') {
		while (lx->p < lx->end && *lx->p != '\n')
			lx->p++;
	}
	if (lx->p < lx->end && *lx->p == '\r')
		lx->p++;
	if (lx->p < lx->end && *lx->p != '\n')
		return otad_sota_toml_fail (lx, error, "unexpected text after the value");
	return TRUE;
}

/* a bare key or a number; dots are taken too so a dotted key can be refused by name */
static gchar *
otad_sota_toml_bare (OtadSotaTomlLexer *lx)
{
	const gchar *start = lx->p;
	while (lx->p < lx->end &&
	       (g_ascii_isalnum (*lx->p) || *lx->p == '_' || *lx->p == '-' || *lx->p == '.'))
		lx->p++;
	return lx->p > start ? g_strndup (start, (gsize)(lx->p - start)) : NULL;
}

static gchar *
otad_sota_toml_string (OtadSotaTomlLexer *lx, GError **error)
{
	g_autoptr(GString) out = g_string_new (NULL);
	gchar quote = *lx->p++;

	while (lx->p < lx->end && *lx->p != quote) {
		gchar c = *lx->p++;
		if (c == '\n')
			break;
		if (c == '\\' && quote == '"') {
			if (lx->p >= lx->end)
				break;
			c = *lx->p++;
			switch (c) {
			case 'n':
				g_string_append_c (out, '\n');
				break;
			case 't':
				g_string_append_c (out, '\t');
				break;
			case 'r':
				g_string_append_c (out, '\r');
				break;
			case '"':
				g_string_append_c (out, '"');
				break;
			case '\\':
				g_string_append_c (out, '\\');
				break;
			case 'u': {
				gchar hex[5] = {0};
				gunichar u;
				if (lx->end - lx->p < 4) {
					otad_sota_toml_fail (lx, error, "short \\u escape");
					return NULL;
				}
				memcpy (hex, lx->p, 4);
				lx->p += 4;
				u = (gunichar)g_ascii_strtoull (hex, NULL, 16);
				if (!g_unichar_validate (u) || u == 0) {
					otad_sota_toml_fail (lx, error, "bad \\u escape");
					return NULL;
				}
				g_string_append_unichar (out, u);
				break;
			}
			default:
				otad_sota_toml_fail (lx, error, "unknown escape in a string");
				return NULL;
			}
			continue;
		}
		g_string_append_c (out, c);
	}
	if (lx->p >= lx->end || *lx->p != quote) {
		otad_sota_toml_fail (lx, error, "unterminated string");
		return NULL;
	}
	lx->p++;
	if (!g_utf8_validate (out->str, (gssize)out->len, NULL)) {
		otad_sota_toml_fail (lx, error, "string is not valid UTF-8");
		return NULL;
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

/* a scalar: string, integer or boolean, returned as text */
static gchar *
otad_sota_toml_scalar (OtadSotaTomlLexer *lx, GError **error)
{
	g_autofree gchar *word = NULL;

	if (lx->p < lx->end && (*lx->p == '"' || *lx->p == '\''))
		return otad_sota_toml_string (lx, error);
	if (lx->p < lx->end && (*lx->p == '+' || *lx->p == '-')) {
		gchar sign = *lx->p++;
		g_autofree gchar *digits = otad_sota_toml_bare (lx);
		word = g_strdup_printf ("%c%s", sign, digits != NULL ? digits : "");
	} else {
		word = otad_sota_toml_bare (lx);
	}
	if (word == NULL) {
		otad_sota_toml_fail (lx, error, "expected a value");
		return NULL;
	}
	if (g_strcmp0 (word, "true") == 0 || g_strcmp0 (word, "false") == 0)
		return g_steal_pointer (&word);
	{
		/* integers, with the underscores TOML allows between digits */
		g_autoptr(GString) num = g_string_new (NULL);
		const gchar *s = word;
		gint64 v;
		gchar *endp = NULL;

		for (; *s != '\0'; s++) {
			if (*s != '_')
				g_string_append_c (num, *s);
		}
		v = g_ascii_strtoll (num->str, &endp, 10);
		if (num->len == 0 || endp == NULL || *endp != '\0' ||
		    (num->str[0] != '-' && num->str[0] != '+' && !g_ascii_isdigit (num->str[0]))) {
			otad_sota_toml_fail (lx, error, "unsupported value (strings need quotes)");
			return NULL;
		}
		return g_strdup_printf ("%" G_GINT64_FORMAT, v);
	}
}

void
otad_sota_toml_entry_free (OtadSotaTomlEntry *entry)
{
	if (entry == NULL)
		return;
	g_free (entry->table);
	g_free (entry->key);
	g_free (entry->value);
	g_strfreev (entry->array);
	g_free (entry);
}

static void
otad_sota_toml_skip_space_lines (OtadSotaTomlLexer *lx)
{
	for (;;) {
		while (lx->p < lx->end && g_ascii_isspace (*lx->p)) {
			if (*lx->p == '\n')
				lx->line++;
			lx->p++;
		}
		/* comments between the items of an array */
		if (lx->p < lx->end && *lx->p == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			continue;
		}
		return;
	}
}

static gboolean
otad_sota_toml_value (OtadSotaTomlLexer *lx, OtadSotaTomlEntry *entry, GError **error)
{
	otad_sota_toml_skip_blank (lx);
	if (lx->p < lx->end && *lx->p == '[') {
		g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
		lx->p++;
		for (guint n = 0;; n++) {
			gchar *item;
			otad_sota_toml_skip_space_lines (lx);
			if (lx->p < lx->end && *lx->p == ']') {
				lx->p++;
				break;
			}
			if (n >= 1024)
				return otad_sota_toml_fail (lx, error, "array too long");
			item = otad_sota_toml_scalar (lx, error);
			if (item == NULL)
				return FALSE;
			g_ptr_array_add (items, item);
			otad_sota_toml_skip_space_lines (lx);
			if (lx->p < lx->end && *lx->p == ',')
				lx->p++;
			else if (lx->p >= lx->end || *lx->p != ']')
				return otad_sota_toml_fail (lx, error,
							    "expected , or ] in an array");
		}
		g_ptr_array_add (items, NULL);
		entry->array = (gchar **)g_ptr_array_free (g_steal_pointer (&items), FALSE);
		entry->value = g_strjoinv (",", entry->array);
	} else {
		entry->is_string = lx->p < lx->end && (*lx->p == '"' || *lx->p == '\'');
		entry->value = otad_sota_toml_scalar (lx, error);
		if (entry->value == NULL)
			return FALSE;
	}
	return otad_sota_toml_end_of_line (lx, error);
}

/* quoted keys may hold anything; we keep what a key file can hold unchanged */
static gboolean
otad_sota_toml_key_ok (const gchar *key)
{
	gsize len = strlen (key);

	if (len == 0 || key[0] == ' ' || key[len - 1] == ' ')
		return FALSE;
	for (const gchar *p = key; *p != '\0'; p++) {
		if (!g_ascii_isprint (*p) || *p == '=' || *p == '[' || *p == ']' || *p == '#')
			return FALSE;
	}
	return TRUE;
}

static gboolean
otad_sota_toml_table (OtadSotaTomlLexer *lx, GHashTable *tables, gchar **table, GError **error)
{
	g_autofree gchar *name = NULL;
	g_autofree gchar *msg = NULL;
	gpointer first;

	lx->p++;
	if (lx->p < lx->end && *lx->p == '[')
		return otad_sota_toml_fail (lx, error,
					    "[[arrays of tables]] are not supported (aktualizr "
					    "reads its files as INI)");
	otad_sota_toml_skip_blank (lx);
	name = otad_sota_toml_bare (lx);
	otad_sota_toml_skip_blank (lx);
	if (name == NULL || lx->p >= lx->end || *lx->p != ']')
		return otad_sota_toml_fail (lx, error, "bad table header");
	lx->p++;
	if (strchr (name, '.') != NULL) {
		msg = g_strdup_printf ("[%s]: dotted table names are not supported (aktualizr "
				       "reads its files as INI)",
				       name);
		return otad_sota_toml_fail (lx, error, msg);
	}
	first = g_hash_table_lookup (tables, name);
	if (first != NULL) {
		msg = g_strdup_printf ("[%s]: table given twice (first on line %u)", name,
				       GPOINTER_TO_UINT (first));
		return otad_sota_toml_fail (lx, error, msg);
	}
	g_hash_table_insert (tables, g_strdup (name), GUINT_TO_POINTER (lx->line));
	g_free (*table);
	*table = g_steal_pointer (&name);
	return otad_sota_toml_end_of_line (lx, error);
}

static OtadSotaTomlEntry *
otad_sota_toml_key_value (OtadSotaTomlLexer *lx, const gchar *table, GHashTable *keys,
			  GError **error)
{
	g_autoptr(OtadSotaTomlEntry) entry = g_new0 (OtadSotaTomlEntry, 1);
	g_autofree gchar *id = NULL;
	g_autofree gchar *msg = NULL;
	gboolean quoted = *lx->p == '"' || *lx->p == '\'';
	gpointer first;

	entry->table = g_strdup (table);
	entry->line = lx->line;
	entry->key = quoted ? otad_sota_toml_string (lx, error) : otad_sota_toml_bare (lx);
	if (entry->key == NULL) {
		if (error == NULL || *error == NULL)
			otad_sota_toml_fail (lx, error, "expected a key");
		return NULL;
	}
	if (!otad_sota_toml_key_ok (entry->key)) {
		otad_sota_toml_fail (lx, error, "unsupported characters in a key");
		return NULL;
	}
	if (!quoted && strchr (entry->key, '.') != NULL) {
		msg = g_strdup_printf ("[%s] %s: dotted keys are not supported (aktualizr reads "
				       "its files as INI)",
				       table, entry->key);
		otad_sota_toml_fail (lx, error, msg);
		return NULL;
	}
	id = g_strdup_printf ("%s\n%s", table, entry->key);
	first = g_hash_table_lookup (keys, id);
	if (first != NULL) {
		msg = g_strdup_printf ("[%s] %s: key given twice (first on line %u)", table,
				       entry->key, GPOINTER_TO_UINT (first));
		otad_sota_toml_fail (lx, error, msg);
		return NULL;
	}
	g_hash_table_insert (keys, g_steal_pointer (&id), GUINT_TO_POINTER (lx->line));
	otad_sota_toml_skip_blank (lx);
	if (lx->p >= lx->end || *lx->p != '=') {
		otad_sota_toml_fail (lx, error, "expected =");
		return NULL;
	}
	lx->p++;
	if (!otad_sota_toml_value (lx, entry, error))
		return NULL;
	return g_steal_pointer (&entry);
}

GPtrArray *
otad_sota_toml_parse (const gchar *text, gssize len, const gchar *origin, GError **error)
{
	g_autoptr(GPtrArray) entries =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_sota_toml_entry_free);
	g_autoptr(GHashTable) tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autofree gchar *table = g_strdup ("");
	OtadSotaTomlLexer lx = {text, text + (len < 0 ? (gssize)strlen (text) : len), 1, origin};

	if (lx.end - lx.p > OTAD_SOTA_TOML_MAX_SIZE) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, _("%s: too large"),
		             origin);
		return NULL;
	}
	if (lx.end > lx.p && memchr (text, '\0', (gsize)(lx.end - lx.p)) != NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, _("%s: not a text file"),
		             origin);
		return NULL;
	}
	while (lx.p < lx.end) {
		otad_sota_toml_skip_blank (&lx);
		if (lx.p >= lx.end)
			break;
		if (*lx.p == '\n' || *lx.p == '\r' || *lx.p == '#') {
			if (!otad_sota_toml_end_of_line (&lx, error))
				return NULL;
		} else if (*lx.p == '[') {
			if (!otad_sota_toml_table (&lx, tables, &table, error))
				return NULL;
		} else {
			OtadSotaTomlEntry *entry = otad_sota_toml_key_value (&lx, table, keys, error);
			if (entry == NULL)
				return NULL;
			g_ptr_array_add (entries, entry);
		}
		if (lx.p < lx.end && *lx.p == '\n') {
			lx.p++;
			lx.line++;
		}
	}
	return g_steal_pointer (&entries);
}
