/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadConfig"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-config-lines.h"
#include "otad-config.h"

/*
 * The configuration is a stack of GKeyFiles: vendor defaults, the main file,
 * then *.conf drop-ins in lexical order; a later file overrides single keys.
 * Every key otad knows is listed in otad-config-schema.c and validated at load
 * time, so a typo or a bad value stops the daemon with FILE:LINE: [group] key
 * instead of being silently ignored.
 */


typedef struct {
	GVariant *value; /* (owned) (nullable) */
	gchar *origin;	 /* (owned) (nullable): "FILE:LINE", NULL for the built-in default */
	const gchar **strv; /* (owned) (nullable): container of a STRING_LIST value */
} OtadConfigValue;

struct _OtadConfig {
	GObject parent_instance;
	OtadConfigValue *values; /* (owned): one per schema row */
};

G_DEFINE_TYPE (OtadConfig, otad_config, G_TYPE_OBJECT)


static void
otad_config_values_free (OtadConfigValue *values)
{
	for (guint i = 0; i < otad_config_schema_n_keys (); i++) {
		g_clear_pointer (&values[i].value, g_variant_unref);
		g_clear_pointer (&values[i].origin, g_free);
		g_clear_pointer (&values[i].strv, g_free);
	}
	g_free (values);
}

/**
 * otad_config_load_data:
 * @origin: the file name used in error messages and origins
 *
 * Validates @data completely and only then applies its keys on top of what is
 * already loaded, so a bad file leaves @self unchanged.
 */
gboolean
otad_config_load_data (OtadConfig *self,
		       const gchar *origin,
		       const gchar *data,
		       gssize length,
		       GError **error)
{
	g_auto(OtadConfigLines) lines = {NULL, NULL};
	g_autoptr(GKeyFile) kf = g_key_file_new ();
	g_autoptr(GError) error_local = NULL;
	g_auto(GStrv) groups = NULL;
	g_autofree OtadConfigValue *staged = g_new0 (OtadConfigValue, otad_config_schema_n_keys ());
	gsize len = length < 0 ? strlen (data) : (gsize)length;
	gboolean ok = TRUE;

	g_return_val_if_fail (OTAD_IS_CONFIG (self), FALSE);

	if (!otad_config_lines_scan (origin, data, len, &lines, error))
		return FALSE;
	if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &error_local)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s: %s", origin,
			     error_local->message);
		return FALSE;
	}

	/* GKeyFile hides "key[locale]" entries from get_keys(): check the scanned keys too,
	 * reporting the first unknown one in the file */
	if (!otad_config_lines_check_keys (origin, &lines, error))
		return FALSE;

	groups = g_key_file_get_groups (kf, NULL);
	for (guint i = 0; ok && groups[i] != NULL; i++) {
		g_auto(GStrv) keys = NULL;

		if (!otad_config_schema_group_known (groups[i])) {
			guint lineno =
			    GPOINTER_TO_UINT (g_hash_table_lookup (lines.groups, groups[i]));
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("%s:%u: [%s]: unknown group"), origin, lineno, groups[i]);
			ok = FALSE;
			break;
		}
		keys = g_key_file_get_keys (kf, groups[i], NULL, NULL);
		for (guint j = 0; keys != NULL && keys[j] != NULL; j++) {
			guint lineno = otad_config_lines_lookup (&lines, groups[i], keys[j]);
			gint idx = otad_config_schema_find (groups[i], keys[j]);
			g_autoptr(GVariant) value = NULL;
			g_autoptr(GError) error_value = NULL;

			if (idx < 0) {
				g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
				             _("%s:%u: [%s] %s: unknown key"), origin, lineno,
				             groups[i], keys[j]);
				ok = FALSE;
				break;
			}
			value = otad_config_schema_parse_value (otad_config_schema_get (idx), kf,
								groups[i],
							 keys[j], &error_value);
			if (value == NULL) {
				g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
					     "%s:%u: [%s] %s: %s", origin, lineno, groups[i],
					     keys[j], error_value->message);
				ok = FALSE;
				break;
			}
			g_clear_pointer (&staged[idx].value, g_variant_unref);
			g_clear_pointer (&staged[idx].origin, g_free);
			g_clear_pointer (&staged[idx].strv, g_free);
			staged[idx].value = g_variant_ref_sink (g_steal_pointer (&value));
			staged[idx].origin = g_strdup_printf ("%s:%u", origin, lineno);
			if (otad_config_schema_get (idx)->type == OTAD_CONFIG_TYPE_STRING_LIST)
				staged[idx].strv = g_variant_get_strv (staged[idx].value, NULL);
		}
	}
	if (!ok) {
		otad_config_values_free (g_steal_pointer (&staged));
		return FALSE;
	}

	/* commit */
	for (guint i = 0; i < otad_config_schema_n_keys (); i++) {
		if (staged[i].value == NULL)
			continue;
		g_clear_pointer (&self->values[i].value, g_variant_unref);
		g_clear_pointer (&self->values[i].origin, g_free);
		g_clear_pointer (&self->values[i].strv, g_free);
		self->values[i] = staged[i];
		staged[i].value = NULL;
		staged[i].origin = NULL;
		staged[i].strv = NULL;
	}
	otad_config_values_free (g_steal_pointer (&staged));
	g_debug ("loaded %s", origin);

	/* success */
	return TRUE;
}

gboolean
otad_config_load_file (OtadConfig *self, const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	gsize len = 0;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail (OTAD_IS_CONFIG (self), FALSE);

	if (!g_file_get_contents (path, &data, &len, &error_local)) {
		g_set_error (error, OTA_ERROR,
			     g_error_matches (error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
				 ? OTA_ERROR_NOT_FOUND
				 : OTA_ERROR_INVALID_CONFIG,
			     "%s", error_local->message);
		return FALSE;
	}
	return otad_config_load_data (self, path, data, (gssize)len, error);
}

static gint
otad_config_compare_names (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* loads DIR/\*.conf in byte order, later files winning; a missing dir is fine */
gboolean
otad_config_load_dropin_dir (OtadConfig *self, const gchar *dir, GError **error)
{
	g_autoptr(GDir) d = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GError) error_local = NULL;
	const gchar *name;

	g_return_val_if_fail (OTAD_IS_CONFIG (self), FALSE);

	d = g_dir_open (dir, 0, &error_local);
	if (d == NULL) {
		if (g_error_matches (error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return TRUE;
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s",
			     error_local->message);
		return FALSE;
	}
	while ((name = g_dir_read_name (d)) != NULL) {
		if (name[0] == '.' || !g_str_has_suffix (name, ".conf"))
			continue;
		g_ptr_array_add (names, g_strdup (name));
	}
	g_ptr_array_sort (names, otad_config_compare_names);
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
		if (!otad_config_load_file (self, path, error))
			return FALSE;
	}

	/* success */
	return TRUE;
}

/**
 * otad_config_load_default:
 * @config_file: the main file, e.g. /etc/otad/otad.conf; its drop-ins are in @config_file.d
 * @vendor_file: (nullable): defaults loaded first if the file exists
 * @required: whether a missing @config_file is an error
 */
gboolean
otad_config_load_default (OtadConfig *self,
			  const gchar *config_file,
			  const gchar *vendor_file,
			  gboolean required,
			  GError **error)
{
	g_autofree gchar *dropin_dir = g_strconcat (config_file, ".d", NULL);

	g_return_val_if_fail (OTAD_IS_CONFIG (self), FALSE);

	if (vendor_file != NULL && g_file_test (vendor_file, G_FILE_TEST_EXISTS)) {
		if (!otad_config_load_file (self, vendor_file, error))
			return FALSE;
	}
	if (required || g_file_test (config_file, G_FILE_TEST_EXISTS)) {
		if (!otad_config_load_file (self, config_file, error))
			return FALSE;
	}
	return otad_config_load_dropin_dir (self, dropin_dir, error);
}

/**
 * otad_config_import_value:
 * @text: (nullable): the value in key file syntax, for every type but STRING_LIST
 * @list: (nullable): the items of a STRING_LIST value
 * @origin: where the value came from, e.g. "/etc/sota/conf.d/sota.toml:3 ([tls] server)"
 *
 * Sets a key from another configuration format (aktualizr's TOML) unless one of otad's
 * own files set it already: those win.  The value goes through the same checks as one
 * read from otad.conf; the error says what is wrong with it, the caller says where.
 *
 * Returns: %FALSE with %OTA_ERROR_INVALID_CONFIG when the value is not valid
 */
gboolean
otad_config_import_value (OtadConfig *self,
			  const gchar *group,
			  const gchar *key,
			  const gchar *text,
			  const gchar *const *list,
			  const gchar *origin,
			  GError **error)
{
	gint idx = otad_config_schema_find (group, key);
	const OtadConfigKey *item;
	g_autoptr(GKeyFile) kf = g_key_file_new ();
	g_autoptr(GVariant) value = NULL;
	OtadConfigValue *v;

	g_return_val_if_fail (OTAD_IS_CONFIG (self), FALSE);
	g_return_val_if_fail (idx >= 0, FALSE);

	item = otad_config_schema_get (idx);
	if (item->type == OTAD_CONFIG_TYPE_STRING_LIST)
		g_key_file_set_string_list (kf, group, key, list,
					    list != NULL ? g_strv_length ((gchar **)list) : 0);
	else
		g_key_file_set_string (kf, group, key, text != NULL ? text : "");
	value = otad_config_schema_parse_value (item, kf, group, key, error);
	if (value == NULL)
		return FALSE;
	v = &self->values[idx];
	if (v->origin != NULL) {
		g_debug ("[%s] %s from %s, not from %s", group, key, v->origin, origin);
		return TRUE;
	}
	g_clear_pointer (&v->value, g_variant_unref);
	g_clear_pointer (&v->strv, g_free);
	v->value = g_variant_ref_sink (g_steal_pointer (&value));
	v->origin = g_strdup (origin);
	if (item->type == OTAD_CONFIG_TYPE_STRING_LIST)
		v->strv = g_variant_get_strv (v->value, NULL);

	/* success */
	return TRUE;
}

static const OtadConfigValue *
otad_config_lookup (OtadConfig *self, const gchar *group, const gchar *key, OtadConfigType type)
{
	gint idx = otad_config_schema_find (group, key);

	/* asking for a key that is not in the schema is a programming error */
	if (idx < 0) {
		g_critical ("config key [%s] %s is not in the schema", group, key);
		return NULL;
	}
	if (otad_config_schema_get (idx)->type != type) {
		g_critical ("config key [%s] %s read with the wrong type", group, key);
		return NULL;
	}
	return &self->values[idx];
}

/* ENUM keys are read as strings too */
const gchar *
otad_config_get_string (OtadConfig *self, const gchar *group, const gchar *key)
{
	gint idx = otad_config_schema_find (group, key);
	gboolean is_enum = idx >= 0 && otad_config_schema_get (idx)->type == OTAD_CONFIG_TYPE_ENUM;
	const OtadConfigValue *v;

	g_return_val_if_fail (OTAD_IS_CONFIG (self), NULL);
	v = otad_config_lookup (self, group, key,
				is_enum ? OTAD_CONFIG_TYPE_ENUM : OTAD_CONFIG_TYPE_STRING);
	return v != NULL ? g_variant_get_string (v->value, NULL) : NULL;
}

gboolean
otad_config_get_boolean (OtadConfig *self, const gchar *group, const gchar *key)
{
	const OtadConfigValue *v;

	g_return_val_if_fail (OTAD_IS_CONFIG (self), FALSE);
	v = otad_config_lookup (self, group, key, OTAD_CONFIG_TYPE_BOOLEAN);
	return v != NULL ? g_variant_get_boolean (v->value) : FALSE;
}

guint64
otad_config_get_uint (OtadConfig *self, const gchar *group, const gchar *key)
{
	const OtadConfigValue *v;

	g_return_val_if_fail (OTAD_IS_CONFIG (self), 0);
	v = otad_config_lookup (self, group, key, OTAD_CONFIG_TYPE_UINT);
	return v != NULL ? g_variant_get_uint64 (v->value) : 0;
}

/**
 * otad_config_get_string_list:
 *
 * Returns: (transfer none): a %NULL-terminated array, empty when unset
 */
const gchar *const *
otad_config_get_string_list (OtadConfig *self, const gchar *group, const gchar *key)
{
	static const gchar *const empty[] = {NULL};
	const OtadConfigValue *v;

	g_return_val_if_fail (OTAD_IS_CONFIG (self), empty);
	v = otad_config_lookup (self, group, key, OTAD_CONFIG_TYPE_STRING_LIST);
	if (v == NULL || v->strv == NULL)
		return empty;
	return v->strv;
}

/**
 * otad_config_get_origin:
 *
 * Returns: (nullable): "FILE:LINE" where the value was set, %NULL for the built-in default
 */
const gchar *
otad_config_get_origin (OtadConfig *self, const gchar *group, const gchar *key)
{
	gint idx = otad_config_schema_find (group, key);

	g_return_val_if_fail (OTAD_IS_CONFIG (self), NULL);
	g_return_val_if_fail (idx >= 0, NULL);
	return self->values[idx].origin;
}

gboolean
otad_config_is_set (OtadConfig *self, const gchar *group, const gchar *key)
{
	return otad_config_get_origin (self, group, key) != NULL;
}

/* the effective configuration in key file syntax, for --verbose and debugging; with
 * @origins, each value says where it came from (otad --print-config) */
gchar *
otad_config_to_string_full (OtadConfig *self, gboolean origins)
{
	g_autoptr(GString) str = g_string_new (NULL);
	const gchar *group = NULL;

	g_return_val_if_fail (OTAD_IS_CONFIG (self), NULL);

	for (guint i = 0; i < otad_config_schema_n_keys (); i++) {
		const OtadConfigKey *item = otad_config_schema_get (i);
		GVariant *value = self->values[i].value;
		g_autofree gchar *text = NULL;

		if (g_strcmp0 (group, item->group) != 0) {
			g_string_append_printf (str, "%s[%s]\n", group != NULL ? "\n" : "",
						item->group);
			group = item->group;
		}
		switch (item->type) {
		case OTAD_CONFIG_TYPE_BOOLEAN:
			text = g_strdup (g_variant_get_boolean (value) ? "true" : "false");
			break;
		case OTAD_CONFIG_TYPE_UINT:
			text = g_strdup_printf ("%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
			break;
		case OTAD_CONFIG_TYPE_STRING_LIST: {
			g_autofree const gchar **strv = g_variant_get_strv (value, NULL);
			text = g_strjoinv (";", (gchar **)strv);
			break;
		}
		default:
			text = g_strdup (g_variant_get_string (value, NULL));
			break;
		}
		g_string_append_printf (str, "%s=%s", item->key, text);
		if (origins)
			g_string_append_printf (str, "  # %s",
						self->values[i].origin != NULL
						    ? self->values[i].origin
						    : "built-in default");
		g_string_append_c (str, '\n');
	}
	return g_string_free (g_steal_pointer (&str), FALSE);
}

gchar *
otad_config_to_string (OtadConfig *self)
{
	return otad_config_to_string_full (self, FALSE);
}

static void
otad_config_finalize (GObject *object)
{
	OtadConfig *self = OTAD_CONFIG (object);

	otad_config_values_free (self->values);
	G_OBJECT_CLASS (otad_config_parent_class)->finalize (object);
}

static void
otad_config_class_init (OtadConfigClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	object_class->finalize = otad_config_finalize;
}

static void
otad_config_init (OtadConfig *self)
{
	self->values = g_new0 (OtadConfigValue, otad_config_schema_n_keys ());
}

OtadConfig *
otad_config_new (void)
{
	g_autoptr(OtadConfig) self = g_object_new (OTAD_TYPE_CONFIG, NULL);
	g_autoptr(GString) defaults = g_string_new (NULL);
	g_autoptr(GError) error = NULL;

	/* the defaults go through the same parser, so the table cannot hold a value that a
	 * config file could not */
	for (guint i = 0; i < otad_config_schema_n_keys (); i++) {
		const OtadConfigKey *item = otad_config_schema_get (i);
		g_string_append_printf (defaults, "[%s]\n%s=%s\n", item->group, item->key,
					item->default_value);
	}
	if (!otad_config_load_data (self, "<defaults>", defaults->str, -1, &error))
		g_critical ("built-in config defaults are invalid: %s", error->message);
	for (guint i = 0; i < otad_config_schema_n_keys (); i++)
		g_clear_pointer (&self->values[i].origin, g_free);
	return g_steal_pointer (&self);
}
