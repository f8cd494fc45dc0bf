/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-config-schema.h"
#include "otad-file.h"
#include "otad-run-config.h"

/*
 * The run-time configuration (otad-run-config.h).  A value is checked against the
 * same schema row as the file's value (otad-config-schema.c), so a value refused in
 * otad.conf is refused on D-Bus too, with InvalidConfig; an unknown key or a value of
 * the wrong D-Bus type is InvalidArgument.  A change is written to run-config.json
 * atomically (otad_file_replace()) before it takes effect: a power cut leaves the old
 * or the new set, never half of one.
 */

#define OTAD_RUN_CONFIG_FILE "run-config.json"
#define OTAD_RUN_CONFIG_MAX_FILE (64 * 1024)

typedef enum {
	OTAD_RUN_KEY_POLICY,
	OTAD_RUN_KEY_DOWNLOAD_WINDOW,
	OTAD_RUN_KEY_INSTALL_WINDOW,
	OTAD_RUN_KEY_REBOOT_WINDOW,
	OTAD_RUN_KEY_REBOOT_POLICY,
	OTAD_RUN_KEY_ALLOW_METERED,
	OTAD_RUN_KEY_MAX_DOWNLOAD_RATE,
	OTAD_RUN_KEY_LAST
} OtadRunKey;

/* D-Bus name GROUP.KEY, the key of otad.conf it overrides, and its D-Bus type */
static const struct {
	const gchar *name;
	const gchar *group;
	const gchar *key;
	const gchar *type;
} otad_run_config_keys[] = {
    [OTAD_RUN_KEY_POLICY] = {"update.policy", "update", "policy", "s"},
    [OTAD_RUN_KEY_DOWNLOAD_WINDOW] = {"schedule.download-window", "schedule", "download-window",
				      "s"},
    [OTAD_RUN_KEY_INSTALL_WINDOW] = {"schedule.install-window", "schedule", "install-window",
				     "s"},
    [OTAD_RUN_KEY_REBOOT_WINDOW] = {"schedule.reboot-window", "schedule", "reboot-window", "s"},
    [OTAD_RUN_KEY_REBOOT_POLICY] = {"schedule.reboot-policy", "schedule", "reboot-policy", "s"},
    [OTAD_RUN_KEY_ALLOW_METERED] = {"network.allow-metered", "network", "allow-metered", "b"},
    [OTAD_RUN_KEY_MAX_DOWNLOAD_RATE] = {"network.max-download-rate", "network",
					"max-download-rate", "t"},
};
G_STATIC_ASSERT (G_N_ELEMENTS (otad_run_config_keys) == OTAD_RUN_KEY_LAST);

static const OtadRunKey otad_run_config_window_keys[] = {
    [OTAD_RUN_WINDOW_DOWNLOAD] = OTAD_RUN_KEY_DOWNLOAD_WINDOW,
    [OTAD_RUN_WINDOW_INSTALL] = OTAD_RUN_KEY_INSTALL_WINDOW,
    [OTAD_RUN_WINDOW_REBOOT] = OTAD_RUN_KEY_REBOOT_WINDOW,
};

struct _OtadRunConfig {
	gchar *path;
	GVariant *from_files[OTAD_RUN_KEY_LAST]; /* (owned) */
	GVariant *set[OTAD_RUN_KEY_LAST];	 /* (owned) (nullable) set at run time */
	OtadWindow *windows[OTAD_RUN_WINDOW_LAST];
};

static gint
otad_run_config_find (const gchar *name)
{
	for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++)
		if (g_strcmp0 (otad_run_config_keys[i].name, name) == 0)
			return (gint)i;
	return -1;
}

static GVariant *
otad_run_config_value (OtadRunConfig *self, OtadRunKey key)
{
	return self->set[key] != NULL ? self->set[key] : self->from_files[key];
}

/* the schema's checks of otad.conf, on a D-Bus value */
static gboolean
otad_run_config_validate (OtadRunKey key, GVariant *value, GError **error)
{
	const gchar *name = otad_run_config_keys[key].name;
	const OtadConfigKey *item = otad_config_schema_get ((guint)otad_config_schema_find (
	    otad_run_config_keys[key].group, otad_run_config_keys[key].key));
	g_autoptr(GError) error_local = NULL;

	if (!g_variant_is_of_type (value, G_VARIANT_TYPE (otad_run_config_keys[key].type))) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("%s takes a value of type %s, not %s"), name,
		             otad_run_config_keys[key].type, g_variant_get_type_string (value));
		return FALSE;
	}
	switch (item->type) {
	case OTAD_CONFIG_TYPE_ENUM:
		if (!g_strv_contains (item->choices, g_variant_get_string (value, NULL))) {
			g_autofree gchar *choices = g_strjoinv (", ", (gchar **)item->choices);
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("%s: \"%s\" is not one of %s"), name,
			             g_variant_get_string (value, NULL), choices);
			return FALSE;
		}
		return TRUE;
	case OTAD_CONFIG_TYPE_STRING:
		if (item->validator != NULL &&
		    !item->validator (g_variant_get_string (value, NULL), &error_local)) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s: %s", name,
				     error_local->message);
			return FALSE;
		}
		return TRUE;
	case OTAD_CONFIG_TYPE_UINT:
		if (g_variant_get_uint64 (value) < item->min ||
		    g_variant_get_uint64 (value) > item->max) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("%s: %" PRIu64 " is not within %" PRIu64 "..%" PRIu64),
			             name, g_variant_get_uint64 (value), item->min, item->max);
			return FALSE;
		}
		return TRUE;
	case OTAD_CONFIG_TYPE_BOOLEAN:
	case OTAD_CONFIG_TYPE_STRING_LIST:
	default:
		return TRUE;
	}
}

static void
otad_run_config_update_windows (OtadRunConfig *self)
{
	for (guint w = 0; w < OTAD_RUN_WINDOW_LAST; w++) {
		GVariant *v = otad_run_config_value (self, otad_run_config_window_keys[w]);
		g_autoptr(GError) error_local = NULL;

		g_clear_pointer (&self->windows[w], otad_window_free);
		self->windows[w] = otad_window_parse (g_variant_get_string (v, NULL), &error_local);
		/* validated before; never leave a window unset */
		if (self->windows[w] == NULL)
			self->windows[w] = otad_window_parse ("", NULL);
	}
}

/* -- run-config.json --------------------------------------------------------- */

static GVariant *
otad_run_config_from_json (OtadRunKey key, JsonNode *node)
{
	const gchar *type = otad_run_config_keys[key].type;

	if (!JSON_NODE_HOLDS_VALUE (node))
		return NULL;
	if (type[0] == 's' && json_node_get_value_type (node) == G_TYPE_STRING)
		return g_variant_new_string (json_node_get_string (node));
	if (type[0] == 'b' && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
		return g_variant_new_boolean (json_node_get_boolean (node));
	if (type[0] == 't' && json_node_get_value_type (node) == G_TYPE_INT64 &&
	    json_node_get_int (node) >= 0)
		return g_variant_new_uint64 ((guint64)json_node_get_int (node));
	return NULL;
}

static void
otad_run_config_load (OtadRunConfig *self)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(JsonParser) parser = json_parser_new ();
	JsonObject *obj;
	gsize len = 0;

	if (!otad_file_read (self->path, OTAD_RUN_CONFIG_MAX_FILE, &text, &len, &error_local)) {
		if (!otad_file_is_not_found (error_local))
			g_warning ("%s", error_local->message);
		return;
	}
	if (!json_parser_load_from_data (parser, text, (gssize)len, &error_local) ||
	    !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
		g_warning ("%s: not a JSON object; the run-time configuration is ignored",
			   self->path);
		otad_file_move_aside (self->path, "not a JSON object");
		return;
	}
	obj = json_node_get_object (json_parser_get_root (parser));
	for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++) {
		JsonNode *node = json_object_get_member (obj, otad_run_config_keys[i].name);
		g_autoptr(GVariant) value = NULL;

		if (node == NULL)
			continue;
		value = otad_run_config_from_json (i, node);
		if (value != NULL)
			g_variant_ref_sink (value);
		/* the schema may have narrowed since it was set: such a value is dropped */
		if (value == NULL || !otad_run_config_validate (i, value, &error_local)) {
			g_warning ("%s: %s is not valid any more%s%s; the file's value applies",
				   self->path, otad_run_config_keys[i].name,
				   error_local != NULL ? ": " : "",
				   error_local != NULL ? error_local->message : "");
			g_clear_error (&error_local);
			continue;
		}
		self->set[i] = g_steal_pointer (&value);
	}
}

static gboolean
otad_run_config_save (GVariant *const *set, const gchar *path, GError **error)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(JsonGenerator) gen = json_generator_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;

	json_builder_begin_object (builder);
	for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++) {
		if (set[i] == NULL)
			continue;
		json_builder_set_member_name (builder, otad_run_config_keys[i].name);
		if (g_variant_is_of_type (set[i], G_VARIANT_TYPE_STRING))
			json_builder_add_string_value (builder, g_variant_get_string (set[i], NULL));
		else if (g_variant_is_of_type (set[i], G_VARIANT_TYPE_BOOLEAN))
			json_builder_add_boolean_value (builder, g_variant_get_boolean (set[i]));
		else
			json_builder_add_int_value (builder, (gint64)g_variant_get_uint64 (set[i]));
	}
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	json_generator_set_root (gen, root);
	json_generator_set_pretty (gen, TRUE);
	text = json_generator_to_data (gen, NULL);
	return otad_file_replace (path, text, strlen (text), 0600, error);
}

/* -- the object ------------------------------------------------------------------ */

OtadRunConfig *
otad_run_config_new (const OtadSettings *s)
{
	OtadRunConfig *self = g_new0 (OtadRunConfig, 1);
	const gchar *windows[] = {s->download_window, s->install_window, s->reboot_window};

	self->path = g_build_filename (s->state_dir, OTAD_RUN_CONFIG_FILE, NULL);
	self->from_files[OTAD_RUN_KEY_POLICY] = g_variant_ref_sink (g_variant_new_string (s->policy));
	for (guint w = 0; w < OTAD_RUN_WINDOW_LAST; w++)
		self->from_files[otad_run_config_window_keys[w]] =
		    g_variant_ref_sink (g_variant_new_string (windows[w]));
	self->from_files[OTAD_RUN_KEY_REBOOT_POLICY] =
	    g_variant_ref_sink (g_variant_new_string (s->reboot_policy));
	self->from_files[OTAD_RUN_KEY_ALLOW_METERED] =
	    g_variant_ref_sink (g_variant_new_boolean (s->allow_metered));
	self->from_files[OTAD_RUN_KEY_MAX_DOWNLOAD_RATE] =
	    g_variant_ref_sink (g_variant_new_uint64 (s->max_download_rate));
	otad_run_config_load (self);
	otad_run_config_update_windows (self);
	return self;
}

void
otad_run_config_free (OtadRunConfig *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++) {
		g_clear_pointer (&self->from_files[i], g_variant_unref);
		g_clear_pointer (&self->set[i], g_variant_unref);
	}
	for (guint w = 0; w < OTAD_RUN_WINDOW_LAST; w++)
		g_clear_pointer (&self->windows[w], otad_window_free);
	g_free (self->path);
	g_free (self);
}

const gchar *
otad_run_config_get_policy (OtadRunConfig *self)
{
	return g_variant_get_string (otad_run_config_value (self, OTAD_RUN_KEY_POLICY), NULL);
}

const gchar *
otad_run_config_get_reboot_policy (OtadRunConfig *self)
{
	return g_variant_get_string (otad_run_config_value (self, OTAD_RUN_KEY_REBOOT_POLICY),
				     NULL);
}

gboolean
otad_run_config_get_allow_metered (OtadRunConfig *self)
{
	return g_variant_get_boolean (otad_run_config_value (self, OTAD_RUN_KEY_ALLOW_METERED));
}

guint64
otad_run_config_get_max_download_rate (OtadRunConfig *self)
{
	return g_variant_get_uint64 (otad_run_config_value (self, OTAD_RUN_KEY_MAX_DOWNLOAD_RATE));
}

const OtadWindow *
otad_run_config_get_window (OtadRunConfig *self, OtadRunWindow which)
{
	return self->windows[which];
}

/* the name of the window in WaitingFor: "download-window" ... */
const gchar *
otad_run_config_window_name (OtadRunWindow which)
{
	return otad_run_config_keys[otad_run_config_window_keys[which]].key;
}

/**
 * otad_run_config_to_variant:
 * @only_key: (nullable): one key, or %NULL for all
 *
 * Returns: (transfer full): a{sv} of GROUP.KEY → the value in effect, or %NULL with
 *   InvalidArgument for a key that is not settable at run time
 */
GVariant *
otad_run_config_to_variant (OtadRunConfig *self, const gchar *only_key, GError **error)
{
	g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	if (only_key != NULL && otad_run_config_find (only_key) < 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("%s is not a key that can be read or set at run time"), only_key);
		return NULL;
	}
	for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++)
		if (only_key == NULL || g_strcmp0 (only_key, otad_run_config_keys[i].name) == 0)
			g_variant_builder_add (&builder, "{sv}", otad_run_config_keys[i].name,
					       otad_run_config_value (self, i));
	return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* all of @next saved, or nothing changes */
static gboolean
otad_run_config_commit (OtadRunConfig *self, GVariant **next, GError **error)
{
	if (!otad_run_config_save (next, self->path, error)) {
		for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++)
			g_clear_pointer (&next[i], g_variant_unref);
		return FALSE;
	}
	for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++) {
		g_clear_pointer (&self->set[i], g_variant_unref);
		self->set[i] = next[i];
	}
	otad_run_config_update_windows (self);
	return TRUE;
}

/**
 * otad_run_config_set:
 * @values: a{sv} of GROUP.KEY → value
 *
 * Checks every value first: one bad value changes nothing.
 */
gboolean
otad_run_config_set (OtadRunConfig *self, GVariant *values, GError **error)
{
	GVariant *next[OTAD_RUN_KEY_LAST] = {NULL};
	GVariantIter iter;
	const gchar *name;
	GVariant *value;

	for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++)
		next[i] = self->set[i] != NULL ? g_variant_ref (self->set[i]) : NULL;
	g_variant_iter_init (&iter, values);
	while (g_variant_iter_next (&iter, "{&sv}", &name, &value)) {
		gint key = otad_run_config_find (name);

		if (key < 0) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
			             _("%s is not a key that can be set at run time"), name);
		} else if (otad_run_config_validate (key, value, error)) {
			g_clear_pointer (&next[key], g_variant_unref);
			next[key] = g_steal_pointer (&value);
			continue;
		}
		g_variant_unref (value);
		for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++)
			g_clear_pointer (&next[i], g_variant_unref);
		return FALSE;
	}
	return otad_run_config_commit (self, next, error);
}

/* @keys: back to the files' values */
gboolean
otad_run_config_reset (OtadRunConfig *self, const gchar *const *keys, GError **error)
{
	GVariant *next[OTAD_RUN_KEY_LAST] = {NULL};

	for (guint j = 0; keys[j] != NULL; j++) {
		if (otad_run_config_find (keys[j]) < 0) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
			             _("%s is not a key that can be set at run time"), keys[j]);
			return FALSE;
		}
	}
	for (guint i = 0; i < OTAD_RUN_KEY_LAST; i++)
		if (self->set[i] != NULL && !g_strv_contains (keys, otad_run_config_keys[i].name))
			next[i] = g_variant_ref (self->set[i]);
	return otad_run_config_commit (self, next, error);
}
