/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadSotaConfig"

#include "config.h"

#include "ota-error.h"
#include "otad-sota-config.h"

void
otad_sota_config_free (OtadSotaConfig *c)
{
	if (c == NULL)
		return;
	g_free (c->gateway_url);
	g_free (c->director_url);
	g_free (c->repo_url);
	g_free (c->ostree_url);
	g_free (c->provision_url);
	g_free (c->storage_path);
	g_free (c->ca_file);
	g_free (c->client_cert);
	g_free (c->client_key);
	g_free (c->uptane_key);
	g_free (c->pkcs11_pin);
	g_free (c->provision_path);
	g_free (c->provision_mode);
	g_free (c->device_id);
	g_free (c->primary_ecu_serial);
	g_free (c->primary_ecu_hardware_id);
	g_free (c->pacman_type);
	g_free (c->ostree_os);
	g_free (c->ostree_sysroot);
	g_strfreev (c->tags);
	g_free (c);
}

/* a non-empty value, or NULL: aktualizr treats "" as unset */
static gchar *
otad_sota_config_get (GKeyFile *kf, const gchar *group, const gchar *key)
{
	g_autofree gchar *v = g_key_file_get_string (kf, group, key, NULL);
	if (v == NULL || v[0] == '\0')
		return NULL;
	return g_steal_pointer (&v);
}

static gchar *
otad_sota_config_url (gchar *explicit_url, const gchar *gateway, const gchar *suffix)
{
	if (explicit_url != NULL)
		return explicit_url;
	return gateway != NULL ? g_strconcat (gateway, suffix, NULL) : NULL;
}

static gchar *
otad_sota_config_path (const gchar *base, gchar *path)
{
	g_autofree gchar *p = path;
	if (p == NULL)
		return NULL;
	if (g_path_is_absolute (p))
		return g_steal_pointer (&p);
	return g_build_filename (base, p, NULL);
}

/* RFC 7512 URI for an object id as aktualizr's [p11] gives it (hex) */
static gchar *
otad_sota_config_p11_uri (GKeyFile *kf, const gchar *id_key, const gchar *type)
{
	g_autofree gchar *id = otad_sota_config_get (kf, "p11", id_key);
	g_autofree gchar *module = otad_sota_config_get (kf, "p11", "module");
	g_autoptr(GString) uri = g_string_new ("pkcs11:");

	if (id == NULL)
		return NULL;
	g_string_append (uri, "id=");
	for (const gchar *p = id; p[0] != '\0' && p[1] != '\0'; p += 2)
		g_string_append_printf (uri, "%%%c%c", p[0], p[1]);
	g_string_append_printf (uri, ";type=%s", type);
	if (module != NULL) {
		g_autofree gchar *escaped = g_uri_escape_string (module, "/", FALSE);
		g_string_append_printf (uri, "?module-path=%s", escaped);
	}
	return g_string_free (g_steal_pointer (&uri), FALSE);
}

/* an [import] path when given, else the [storage] one when the file is there */
static gchar *
otad_sota_config_credential (GKeyFile *kf, const gchar *import_base, const gchar *storage,
                             const gchar *key, const gchar *storage_default)
{
	g_autofree gchar *from_storage = NULL;
	gchar *imported = otad_sota_config_get (kf, "import", key);

	if (imported != NULL)
		return otad_sota_config_path (import_base, imported);
	from_storage = otad_sota_config_path (storage, otad_sota_config_get (kf, "storage", key));
	if (from_storage != NULL)
		return g_steal_pointer (&from_storage);
	from_storage = g_build_filename (storage, storage_default, NULL);
	if (g_file_test (from_storage, G_FILE_TEST_EXISTS))
		return g_steal_pointer (&from_storage);
	return NULL;
}

static gboolean
otad_sota_config_is_pkcs11 (GKeyFile *kf, const gchar *group, const gchar *key)
{
	g_autofree gchar *v = otad_sota_config_get (kf, group, key);
	return g_strcmp0 (v, "pkcs11") == 0;
}

OtadSotaConfig *
otad_sota_config_from_keyfile (GKeyFile *kf, GError **error)
{
	g_autoptr(OtadSotaConfig) c = g_new0 (OtadSotaConfig, 1);
	g_autofree gchar *import_base = NULL;
	g_autofree gchar *url_path = NULL;
	g_autofree gchar *tags = NULL;
	g_autoptr(GError) error_local = NULL;
	gint64 polling;

	c->gateway_url = otad_sota_config_get (kf, "tls", "server");
	url_path = otad_sota_config_get (kf, "tls", "server_url_path");
	if (c->gateway_url == NULL && url_path != NULL) {
		g_autofree gchar *text = NULL;
		/* the file may not exist yet before provisioning: not an error */
		if (g_file_get_contents (url_path, &text, NULL, NULL))
			c->gateway_url = g_strdup (g_strstrip (text));
	}
	if (c->gateway_url != NULL) {
		while (g_str_has_suffix (c->gateway_url, "/"))
			c->gateway_url[strlen (c->gateway_url) - 1] = '\0';
	}
	c->director_url = otad_sota_config_url (
	    otad_sota_config_get (kf, "uptane", "director_server"), c->gateway_url, "/director");
	c->repo_url = otad_sota_config_url (otad_sota_config_get (kf, "uptane", "repo_server"),
	                                    c->gateway_url, "/repo");
	c->ostree_url = otad_sota_config_url (otad_sota_config_get (kf, "pacman", "ostree_server"),
	                                      c->gateway_url, "/treehub");
	c->provision_url = otad_sota_config_url (otad_sota_config_get (kf, "provision", "server"),
	                                         c->gateway_url, "");

	polling = g_key_file_has_key (kf, "uptane", "polling_sec", NULL)
	              ? g_key_file_get_int64 (kf, "uptane", "polling_sec", &error_local)
	              : 10;
	if (error_local != NULL || polling <= 0 || polling > G_MAXUINT32) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             "[uptane] polling_sec must be a positive number of seconds");
		return NULL;
	}
	c->polling_sec = (guint)polling;

	c->storage_path = otad_sota_config_get (kf, "storage", "path");
	if (c->storage_path == NULL)
		c->storage_path = g_strdup ("/var/sota");
	import_base = otad_sota_config_get (kf, "import", "base_path");
	if (import_base == NULL)
		import_base = g_strdup ("/var/sota/import");

	c->ca_file = otad_sota_config_credential (kf, import_base, c->storage_path,
	                                          "tls_cacert_path", "root.crt");
	if (otad_sota_config_is_pkcs11 (kf, "tls", "cert_source"))
		c->client_cert = otad_sota_config_p11_uri (kf, "tls_clientcert_id", "cert");
	else
		c->client_cert = otad_sota_config_credential (kf, import_base, c->storage_path,
		                                              "tls_clientcert_path", "client.pem");
	if (otad_sota_config_is_pkcs11 (kf, "tls", "pkey_source"))
		c->client_key = otad_sota_config_p11_uri (kf, "tls_pkey_id", "private");
	else
		c->client_key = otad_sota_config_credential (kf, import_base, c->storage_path,
		                                             "tls_pkey_path", "pkey.pem");
	if (otad_sota_config_is_pkcs11 (kf, "uptane", "key_source"))
		c->uptane_key = otad_sota_config_p11_uri (kf, "uptane_key_id", "private");
	else
		c->uptane_key = otad_sota_config_credential (
		    kf, import_base, c->storage_path, "uptane_private_key_path", "ecukey.der");
	c->pkcs11_pin = otad_sota_config_get (kf, "p11", "pass");

	c->provision_path = otad_sota_config_get (kf, "provision", "provision_path");
	c->provision_mode = otad_sota_config_get (kf, "provision", "mode");
	if (c->provision_mode == NULL)
		c->provision_mode = g_strdup ("SharedCred");
	c->device_id = otad_sota_config_get (kf, "provision", "device_id");
	c->primary_ecu_serial = otad_sota_config_get (kf, "provision", "primary_ecu_serial");
	c->primary_ecu_hardware_id =
	    otad_sota_config_get (kf, "provision", "primary_ecu_hardware_id");
	c->expiry_days = 36000;
	if (g_key_file_has_key (kf, "provision", "expiry_days", NULL)) {
		g_autofree gchar *v = otad_sota_config_get (kf, "provision", "expiry_days");
		/* aktualizr documents it as a string, "36000" */
		c->expiry_days = v != NULL ? g_ascii_strtoll (v, NULL, 10) : 0;
		if (c->expiry_days <= 0) {
			g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			                     "[provision] expiry_days must be positive");
			return NULL;
		}
	}

	c->pacman_type = otad_sota_config_get (kf, "pacman", "type");
	if (c->pacman_type == NULL)
		c->pacman_type = g_strdup ("ostree");
	c->ostree_os = otad_sota_config_get (kf, "pacman", "os");
	c->ostree_sysroot = otad_sota_config_get (kf, "pacman", "sysroot");
	tags = otad_sota_config_get (kf, "pacman", "tags");
	if (tags != NULL) {
		c->tags = g_strsplit (tags, ",", -1);
		for (guint i = 0; c->tags[i] != NULL; i++)
			g_strstrip (c->tags[i]);
	}
	return g_steal_pointer (&c);
}

static void
otad_sota_config_merge (GKeyFile *into, GKeyFile *from)
{
	g_auto(GStrv) groups = g_key_file_get_groups (from, NULL);

	for (guint i = 0; groups[i] != NULL; i++) {
		g_auto(GStrv) keys = g_key_file_get_keys (from, groups[i], NULL, NULL);
		for (guint j = 0; keys != NULL && keys[j] != NULL; j++) {
			g_autofree gchar *v = g_key_file_get_value (from, groups[i], keys[j], NULL);
			g_key_file_set_value (into, groups[i], keys[j], v);
		}
	}
}

OtadSotaConfig *
otad_sota_config_load (const gchar *const *paths, GError **error)
{
	g_autoptr(GHashTable) by_name =
	    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GKeyFile) merged = g_key_file_new ();
	g_autoptr(GList) names = NULL;

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
	names = g_list_sort (g_hash_table_get_keys (by_name), (GCompareFunc)g_strcmp0);
	for (GList *l = names; l != NULL; l = l->next) {
		const gchar *path = g_hash_table_lookup (by_name, l->data);
		g_autofree gchar *text = NULL;
		g_autoptr(GKeyFile) kf = NULL;
		g_autoptr(GError) error_local = NULL;
		gsize len = 0;

		if (!g_file_get_contents (path, &text, &len, &error_local)) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, "%s",
			             error_local->message);
			return NULL;
		}
		kf = otad_sota_toml_parse (text, (gssize)len, path, error);
		if (kf == NULL)
			return NULL;
		otad_sota_config_merge (merged, kf);
	}
	if (g_hash_table_size (by_name) == 0) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_NOT_FOUND,
		                     "no aktualizr configuration found");
		return NULL;
	}
	return otad_sota_config_from_keyfile (merged, error);
}
