/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadConfig"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-config-aktualizr.h"
#include "otad-sota-toml.h"

/*
 * aktualizr reads its files with boost's INI parser (BaseConfig::updateFromToml), one table
 * per config section (Config::updateFromPropertyTree in src/libaktualizr/config/config.cc),
 * and fills what is left empty in Config::postUpdateValues.  Paths: [storage] ones are
 * relative to [storage] path, [import] ones to [import] base_path (BasedPath in
 * libaktualizr/types.h); the others, e.g. [provision] provision_path, to the working
 * directory, which is / for the systemd service.
 */

#define OTAD_AKTUALIZR_MAX_FILE (1024 * 1024)
#define OTAD_AKTUALIZR_STORAGE "/var/sota"
#define OTAD_AKTUALIZR_IMPORT "/var/sota/import"

typedef struct {
	const OtadSotaTomlEntry *entry; /* (unowned) */
	const gchar *file;		/* (unowned) */
} OtadAktualizrValue;

typedef struct {
	OtadConfig *config;	 /* (unowned) */
	GHashTable *values;	 /* (owned) "table\nkey" -> OtadAktualizrValue */
	GHashTable *used;	 /* (owned) "table\nkey" that a mapping read */
	GPtrArray *warnings;	 /* (unowned) (nullable) */
} OtadAktualizr;

const gchar *const *
otad_config_aktualizr_default_dirs (gboolean lite)
{
	/* aktualizr: Config::config_dirs_; aktualizr-lite: AkliteClient::CONFIG_DIRS */
	static const gchar *const dirs[] = {"/usr/lib/sota/conf.d", "/etc/sota/conf.d", NULL};
	static const gchar *const lite_dirs[] = {"/usr/lib/sota/conf.d", "/var/sota/sota.toml",
						 "/etc/sota/conf.d", NULL};
	return lite ? lite_dirs : dirs;
}

GPtrArray *
otad_config_aktualizr_list_files (const gchar *const *paths)
{
	g_autoptr(GHashTable) by_name =
	    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GList) names = NULL;
	GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; paths != NULL && paths[i] != NULL; i++) {
		if (g_file_test (paths[i], G_FILE_TEST_IS_DIR)) {
			g_autoptr(GDir) dir = g_dir_open (paths[i], 0, NULL);
			const gchar *name;
			while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
				if (g_str_has_suffix (name, ".toml"))
					g_hash_table_replace (
					    by_name, g_strdup (name),
					    g_build_filename (paths[i], name, NULL));
			}
		} else if (g_file_test (paths[i], G_FILE_TEST_EXISTS)) {
			g_hash_table_replace (by_name, g_path_get_basename (paths[i]),
					      g_strdup (paths[i]));
		}
	}
	/* std::map<std::string, path>: byte order of the names */
	names = g_list_sort (g_hash_table_get_keys (by_name), (GCompareFunc)strcmp);
	for (GList *l = names; l != NULL; l = l->next)
		g_ptr_array_add (files, g_strdup (g_hash_table_lookup (by_name, l->data)));
	return files;
}

static const OtadAktualizrValue *
otad_config_aktualizr_get (OtadAktualizr *self, const gchar *table, const gchar *key)
{
	g_autofree gchar *id = g_strdup_printf ("%s\n%s", table, key);
	const OtadAktualizrValue *v = g_hash_table_lookup (self->values, id);

	if (v == NULL)
		return NULL;
	g_hash_table_add (self->used, g_steal_pointer (&id));
	/* aktualizr treats an empty value as unset */
	return v->entry->value[0] != '\0' ? v : NULL;
}

static gchar *
otad_config_aktualizr_origin (const OtadAktualizrValue *v)
{
	return g_strdup_printf ("%s:%u ([%s] %s)", v->file, v->entry->line, v->entry->table,
				v->entry->key);
}

static gboolean
otad_config_aktualizr_fail (const OtadAktualizrValue *v, GError **error, const gchar *reason)
{
	g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s:%u: [%s] %s: %s", v->file,
		     v->entry->line, v->entry->table, v->entry->key, reason);
	return FALSE;
}

static void
otad_config_aktualizr_warn (OtadAktualizr *self, const OtadAktualizrValue *v, const gchar *why)
{
	g_autofree gchar *line = g_strdup_printf ("%s:%u: [%s] %s: %s", v->file, v->entry->line,
						  v->entry->table, v->entry->key, why);
	if (self->warnings != NULL)
		g_ptr_array_add (self->warnings, g_steal_pointer (&line));
}

/* @text into [group] key with @v as its origin; a bad value names @v's file and line */
static gboolean
otad_config_aktualizr_set (OtadAktualizr *self, const OtadAktualizrValue *v, const gchar *group,
			   const gchar *key, const gchar *text, GError **error)
{
	g_autofree gchar *origin = otad_config_aktualizr_origin (v);
	g_autoptr(GError) error_local = NULL;

	if (!otad_config_import_value (self->config, group, key, text, NULL, origin,
				       &error_local))
		return otad_config_aktualizr_fail (v, error, error_local->message);
	return TRUE;
}

/* aktualizr's string value of (table, key) copied to otad's (group, okey) */
static gboolean
otad_config_aktualizr_copy (OtadAktualizr *self, const gchar *table, const gchar *key,
			    const gchar *group, const gchar *okey, GError **error)
{
	const OtadAktualizrValue *v = otad_config_aktualizr_get (self, table, key);

	if (v == NULL)
		return TRUE;
	return otad_config_aktualizr_set (self, v, group, okey, v->entry->value, error);
}

/* a path relative to @base, or to / (the working directory of the aktualizr service) */
static gchar *
otad_config_aktualizr_path (const gchar *base, const gchar *path)
{
	if (g_path_is_absolute (path))
		return g_canonicalize_filename (path, NULL);
	return g_canonicalize_filename (path, base != NULL ? base : "/");
}

static gboolean
otad_config_aktualizr_copy_path (OtadAktualizr *self, const gchar *table, const gchar *key,
				 const gchar *base, const gchar *group, const gchar *okey,
				 GError **error)
{
	const OtadAktualizrValue *v = otad_config_aktualizr_get (self, table, key);
	g_autofree gchar *path = NULL;

	if (v == NULL)
		return TRUE;
	path = otad_config_aktualizr_path (base, v->entry->value);
	return otad_config_aktualizr_set (self, v, group, okey, path, error);
}

static gboolean
otad_config_aktualizr_choice (const OtadAktualizrValue *v, const gchar *const *choices,
			      GError **error)
{
	g_autofree gchar *list = NULL;
	g_autofree gchar *reason = NULL;

	if (v == NULL || g_strv_contains (choices, v->entry->value))
		return TRUE;
	list = g_strjoinv (", ", (gchar **)choices);
	reason = g_strdup_printf ("\"%s\" is not one of: %s", v->entry->value, list);
	return otad_config_aktualizr_fail (v, error, reason);
}

/* [tls] server, else the file [tls] server_url_path names (Config::postUpdateValues) */
static gboolean
otad_config_aktualizr_map_gateway (OtadAktualizr *self, GError **error)
{
	const OtadAktualizrValue *server = otad_config_aktualizr_get (self, "tls", "server");
	const OtadAktualizrValue *url_path =
	    otad_config_aktualizr_get (self, "tls", "server_url_path");
	g_autofree gchar *url = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *origin = NULL;
	g_autoptr(GError) error_local = NULL;

	if (server != NULL) {
		url = g_strdup (server->entry->value);
		origin = otad_config_aktualizr_origin (server);
	} else if (url_path != NULL) {
		g_autofree gchar *v_origin = otad_config_aktualizr_origin (url_path);
		path = otad_config_aktualizr_path (NULL, url_path->entry->value);
		if (!g_file_get_contents (path, &url, NULL, &error_local)) {
			g_autofree gchar *reason = g_strdup_printf (
			    "cannot read the gateway URL: %s", error_local->message);
			return otad_config_aktualizr_fail (url_path, error, reason);
		}
		g_strstrip (url);
		origin = g_strdup_printf ("%s (named by %s)", path, v_origin);
	} else {
		return TRUE;
	}
	/* "gw/" and "gw" are the same server; otad appends "/director" etc. itself */
	while (g_str_has_suffix (url, "/"))
		url[strlen (url) - 1] = '\0';
	if (!otad_config_import_value (self->config, "server", "url", url, NULL, origin,
				       &error_local))
		return otad_config_aktualizr_fail (server != NULL ? server : url_path, error,
						   error_local->message);
	return TRUE;
}

/* RFC 7512 URI for an object id as aktualizr's [p11] gives it (hex) */
static gchar *
otad_config_aktualizr_p11_uri (OtadAktualizr *self, const gchar *id_key, const gchar *type,
			       const OtadAktualizrValue **out_v)
{
	const OtadAktualizrValue *id = otad_config_aktualizr_get (self, "p11", id_key);
	g_autoptr(GString) uri = g_string_new ("pkcs11:");
	const gchar *hex;

	*out_v = id;
	if (id == NULL)
		return NULL;
	hex = id->entry->value;
	if (strlen (hex) % 2 != 0 || strspn (hex, "0123456789abcdefABCDEF") != strlen (hex))
		return NULL;
	g_string_append (uri, "id=");
	for (const gchar *p = hex; p[0] != '\0'; p += 2)
		g_string_append_printf (uri, "%%%c%c", p[0], p[1]);
	g_string_append_printf (uri, ";type=%s", type);
	return g_string_free (g_steal_pointer (&uri), FALSE);
}

/* "source = pkcs11" + [p11] id: a pkcs11: URI into [group] okey */
static gboolean
otad_config_aktualizr_map_source (OtadAktualizr *self, const gchar *table, const gchar *key,
				  const gchar *id_key, const gchar *type, const gchar *group,
				  const gchar *okey, GError **error)
{
	static const gchar *const sources[] = {"file", "pkcs11", NULL};
	const OtadAktualizrValue *source = otad_config_aktualizr_get (self, table, key);
	const OtadAktualizrValue *id = NULL;
	g_autofree gchar *uri = NULL;

	if (!otad_config_aktualizr_choice (source, sources, error))
		return FALSE;
	if (source == NULL || g_strcmp0 (source->entry->value, "pkcs11") != 0)
		return TRUE;
	uri = otad_config_aktualizr_p11_uri (self, id_key, type, &id);
	if (uri == NULL)
		return otad_config_aktualizr_fail (
		    id != NULL ? id : source, error,
		    id != NULL ? "not an object id in hex"
			       : "the key is in PKCS#11 but [p11] has no object id for it");
	return otad_config_aktualizr_set (self, id, group, okey, uri, error);
}

/* [import] files are taken when they exist, as aktualizr imports them (importData) */
static gboolean
otad_config_aktualizr_map_import (OtadAktualizr *self, GError **error)
{
	const OtadAktualizrValue *base_v = otad_config_aktualizr_get (self, "import", "base_path");
	g_autofree gchar *base = otad_config_aktualizr_path (
	    NULL, base_v != NULL ? base_v->entry->value : OTAD_AKTUALIZR_IMPORT);
	const struct {
		const gchar *key;
		const gchar *okey;
	} files[] = {{"tls_cacert_path", "ca-file"},
		     {"tls_clientcert_path", "cert"},
		     {"tls_pkey_path", "key"}};

	for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
		const OtadAktualizrValue *v =
		    otad_config_aktualizr_get (self, "import", files[i].key);
		g_autofree gchar *path = NULL;

		if (v == NULL)
			continue;
		path = otad_config_aktualizr_path (base, v->entry->value);
		if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
			g_autofree gchar *why =
			    g_strdup_printf ("%s does not exist: ignored, as aktualizr does", path);
			otad_config_aktualizr_warn (self, v, why);
			continue;
		}
		if (!otad_config_aktualizr_set (self, v, "server", files[i].okey, path, error))
			return FALSE;
	}
	return TRUE;
}

/* where aktualizr keeps its state: otad imports from there on first start */
static gboolean
otad_config_aktualizr_map_storage (OtadAktualizr *self, GError **error)
{
	static const gchar *const types[] = {"sqlite", "filesystem", NULL};
	const OtadAktualizrValue *type = otad_config_aktualizr_get (self, "storage", "type");
	const OtadAktualizrValue *path_v = otad_config_aktualizr_get (self, "storage", "path");
	const OtadAktualizrValue *db_v = otad_config_aktualizr_get (self, "storage", "sqldb_path");
	g_autofree gchar *dir = otad_config_aktualizr_path (
	    NULL, path_v != NULL ? path_v->entry->value : OTAD_AKTUALIZR_STORAGE);
	g_autofree gchar *db = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!otad_config_aktualizr_choice (type, types, error))
		return FALSE;
	if (path_v != NULL) {
		if (!otad_config_aktualizr_set (self, path_v, "aktualizr", "storage-dir", dir,
						error))
			return FALSE;
	} else if (!otad_config_import_value (self->config, "aktualizr", "storage-dir", dir, NULL,
					      "aktualizr's default ([storage] path)",
					      &error_local)) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	if (type != NULL && g_strcmp0 (type->entry->value, "filesystem") == 0)
		return TRUE;
	db = otad_config_aktualizr_path (dir, db_v != NULL ? db_v->entry->value : "sql.db");
	if (db_v != NULL)
		return otad_config_aktualizr_set (self, db_v, "aktualizr", "sqldb", db, error);
	return otad_config_import_value (self->config, "aktualizr", "sqldb", db, NULL,
					 "aktualizr's default ([storage] sqldb_path)", error);
}

/* [provision]: shared-credential provisioning and the identity the device asks for */
static gboolean
otad_config_aktualizr_map_provision (OtadAktualizr *self, GError **error)
{
	/* ProvisionMode in libaktualizr/types.h */
	static const gchar *const modes[] = {"SharedCred", "DeviceCred", "SharedCredReuse", NULL};
	const OtadAktualizrValue *mode = otad_config_aktualizr_get (self, "provision", "mode");
	const OtadAktualizrValue *expiry =
	    otad_config_aktualizr_get (self, "provision", "expiry_days");

	if (!otad_config_aktualizr_choice (mode, modes, error))
		return FALSE;
	/* aktualizr documents it as a string ("36000"); TOML may hold an integer */
	if (expiry != NULL &&
	    !otad_config_aktualizr_set (self, expiry, "provision", "expiry-days",
					expiry->entry->value, error))
		return FALSE;
	if (mode != NULL && g_strcmp0 (mode->entry->value, "DeviceCred") == 0) {
		/* device credentials: the certificate is there; no credentials.zip is used */
		if (otad_config_aktualizr_get (self, "provision", "provision_path") != NULL)
			otad_config_aktualizr_warn (
			    self, otad_config_aktualizr_get (self, "provision", "provision_path"),
			    "ignored with mode = \"DeviceCred\"");
	} else if (!otad_config_aktualizr_copy_path (self, "provision", "provision_path", NULL,
						     "provision", "credentials", error)) {
		return FALSE;
	}
	return otad_config_aktualizr_copy (self, "provision", "server", "provision", "server",
					   error) &&
	       otad_config_aktualizr_copy (self, "provision", "device_id", "provision",
					   "device-id", error) &&
	       otad_config_aktualizr_copy (self, "provision", "p12_password", "provision",
					   "p12-password", error) &&
	       otad_config_aktualizr_copy (self, "provision", "primary_ecu_serial", "device",
					   "ecu-serial", error) &&
	       otad_config_aktualizr_copy (self, "provision", "primary_ecu_hardware_id", "device",
					   "hardware-id", error);
}

static gboolean
otad_config_aktualizr_map_pacman (OtadAktualizr *self, GError **error)
{
	const OtadAktualizrValue *type = otad_config_aktualizr_get (self, "pacman", "type");
	const OtadAktualizrValue *tags = otad_config_aktualizr_get (self, "pacman", "tags");

	if (type != NULL && !g_str_has_prefix (type->entry->value, "ostree"))
		otad_config_aktualizr_warn (self, type,
					    "otad installs OSTree commits only; ignored");
	if (tags != NULL) {
		/* aktualizr-lite: comma separated, blanks around the names allowed */
		g_auto(GStrv) split = g_strsplit (tags->entry->value, ",", -1);
		g_autofree gchar *joined = NULL;
		for (guint i = 0; split[i] != NULL; i++)
			g_strstrip (split[i]);
		joined = g_strjoinv (",", split);
		if (!otad_config_aktualizr_set (self, tags, "device", "tag", joined, error))
			return FALSE;
	}
	return otad_config_aktualizr_copy (self, "pacman", "ostree_server", "server",
					   "treehub-url", error) &&
	       otad_config_aktualizr_copy (self, "pacman", "os", "update", "osname", error) &&
	       otad_config_aktualizr_copy_path (self, "pacman", "packages_file", NULL, "report",
						"packages-file", error);
}

/* [bootloader] rollback_mode: aktualizr's U-Boot modes are otad's uboot back end */
static gboolean
otad_config_aktualizr_map_bootloader (OtadAktualizr *self, GError **error)
{
	const OtadAktualizrValue *v = otad_config_aktualizr_get (self, "bootloader", "rollback_mode");

	if (v == NULL)
		return TRUE;
	if (g_str_has_prefix (v->entry->value, "uboot"))
		return otad_config_aktualizr_set (self, v, "boot", "backend", "uboot", error);
	if (g_strcmp0 (v->entry->value, "none") == 0)
		return otad_config_aktualizr_set (self, v, "boot", "backend", "none", error);
	otad_config_aktualizr_warn (self, v, "no such boot back end in otad ([boot] backend)");
	return TRUE;
}

static gboolean
otad_config_aktualizr_map (OtadAktualizr *self, GError **error)
{
	const OtadAktualizrValue *key_type = otad_config_aktualizr_get (self, "uptane", "key_type");
	GHashTableIter iter;
	gpointer id, value;

	if (!otad_config_aktualizr_map_gateway (self, error) ||
	    !otad_config_aktualizr_copy (self, "uptane", "director_server", "server",
					 "director-url", error) ||
	    !otad_config_aktualizr_copy (self, "uptane", "repo_server", "server", "repo-url",
					 error) ||
	    !otad_config_aktualizr_copy (self, "uptane", "polling_sec", "polling",
					 "interval-sec", error) ||
	    !otad_config_aktualizr_map_source (self, "tls", "cert_source", "tls_clientcert_id",
					       "cert", "server", "cert", error) ||
	    !otad_config_aktualizr_map_source (self, "tls", "pkey_source", "tls_pkey_id",
					       "private", "server", "key", error) ||
	    !otad_config_aktualizr_map_source (self, "uptane", "key_source", "uptane_key_id",
					       "private", "device", "ecu-key", error) ||
	    !otad_config_aktualizr_copy_path (self, "p11", "module", NULL, "pkcs11", "module",
					      error) ||
	    !otad_config_aktualizr_copy (self, "p11", "pass", "pkcs11", "pin", error) ||
	    !otad_config_aktualizr_map_import (self, error) ||
	    !otad_config_aktualizr_map_storage (self, error) ||
	    !otad_config_aktualizr_map_provision (self, error) ||
	    !otad_config_aktualizr_map_pacman (self, error) ||
	    !otad_config_aktualizr_map_bootloader (self, error))
		return FALSE;
	if (key_type != NULL && g_ascii_strcasecmp (key_type->entry->value, "ED25519") != 0)
		otad_config_aktualizr_warn (self, key_type,
					    "otad signs manifests with ED25519 keys only");

	/* everything read but not mapped: say so, once per key */
	g_hash_table_iter_init (&iter, self->values);
	while (g_hash_table_iter_next (&iter, &id, &value)) {
		if (!g_hash_table_contains (self->used, id))
			otad_config_aktualizr_warn (self, value, "not used by otad; ignored");
	}
	return TRUE;
}

static gint
otad_config_aktualizr_compare_warnings (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

gboolean
otad_config_aktualizr_load (OtadConfig *config,
			    const gchar *const *paths,
			    GPtrArray *warnings,
			    GError **error)
{
	g_autoptr(GPtrArray) files = otad_config_aktualizr_list_files (paths);
	g_autoptr(GPtrArray) parsed = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
	OtadAktualizr self = {config, NULL, NULL, warnings};
	guint n_warnings = warnings != NULL ? warnings->len : 0;
	gboolean ok;

	g_return_val_if_fail (OTAD_IS_CONFIG (config), FALSE);

	if (files->len == 0) {
		g_autofree gchar *where = g_strjoinv (", ", (gchar **)paths);
		g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND,
		             _("no aktualizr configuration (*.toml) in %s"), where);
		return FALSE;
	}
	self.values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self.used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < files->len; i++) {
		const gchar *file = g_ptr_array_index (files, i);
		g_autofree gchar *text = NULL;
		g_autoptr(GError) error_local = NULL;
		GPtrArray *entries;
		gsize len = 0;

		if (!g_file_get_contents (file, &text, &len, &error_local) ||
		    len > OTAD_AKTUALIZR_MAX_FILE) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s: %s", file,
				     error_local != NULL ? error_local->message : "too large");
			g_hash_table_unref (self.values);
			g_hash_table_unref (self.used);
			return FALSE;
		}
		entries = otad_sota_toml_parse (text, (gssize)len, file, error);
		if (entries == NULL) {
			g_hash_table_unref (self.values);
			g_hash_table_unref (self.used);
			return FALSE;
		}
		g_ptr_array_add (parsed, entries);
		/* a later file overrides single keys (boost::property_tree merged per key) */
		for (guint j = 0; j < entries->len; j++) {
			OtadSotaTomlEntry *e = g_ptr_array_index (entries, j);
			OtadAktualizrValue *v = g_new0 (OtadAktualizrValue, 1);
			v->entry = e;
			v->file = file;
			g_hash_table_replace (self.values,
					      g_strdup_printf ("%s\n%s", e->table, e->key), v);
		}
		g_debug ("read aktualizr configuration %s", file);
	}
	ok = otad_config_aktualizr_map (&self, error);
	if (warnings != NULL && warnings->len > n_warnings)
		g_ptr_array_sort (warnings, otad_config_aktualizr_compare_warnings);
	g_hash_table_unref (self.values);
	g_hash_table_unref (self.used);
	return ok;
}

gboolean
otad_config_aktualizr_load_configured (OtadConfig *config, GError **error)
{
	const gchar *const *paths = otad_config_get_string_list (config, "aktualizr", "config");
	gboolean lite = g_strcmp0 (otad_config_get_string (config, "server", "mode"), "lite") == 0;
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GError) error_local = NULL;
	gboolean defaults = FALSE;

	if (paths[0] == NULL) {
		if (!otad_config_get_boolean (config, "aktualizr", "import-toml"))
			return TRUE;
		paths = otad_config_aktualizr_default_dirs (lite);
		defaults = TRUE;
	}
	if (!otad_config_aktualizr_load (config, paths, warnings, &error_local)) {
		/* aktualizr's own places may be empty: that is not an error */
		if (defaults && g_error_matches (error_local, OTA_ERROR, OTA_ERROR_NOT_FOUND)) {
			g_info ("%s", error_local->message);
			return TRUE;
		}
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	for (guint i = 0; i < warnings->len; i++)
		g_warning ("%s", (const gchar *)g_ptr_array_index (warnings, i));
	return TRUE;
}
