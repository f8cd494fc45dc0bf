/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadConfig"

#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-config-schema.h"
#include "otad-window.h"

/*
 * Every key otad knows, with its type, default and validation.  Other layers
 * add their keys here (and document them in data/otad.conf); a key that is
 * not in this table is an error in a config file.
 */

static gboolean otad_config_schema_validate_url (const gchar *value, GError **error);
static gboolean otad_config_schema_validate_abs_path (const gchar *value, GError **error);
static gboolean otad_config_schema_validate_credential (const gchar *value, GError **error);
static gboolean otad_config_schema_validate_identifier (const gchar *value, GError **error);
static gboolean otad_config_schema_validate_unit (const gchar *value, GError **error);

static const gchar *const otad_config_schema_policy_choices[] = {
    "automatic", "download-only", "consent", "manual", NULL};
static const gchar *const otad_config_schema_boot_choices[] = {
    "none", "uboot", "grub", "systemd-boot", NULL};
static const gchar *const otad_config_schema_mode_choices[] = {"uptane", "lite", NULL};
static const gchar *const otad_config_schema_reboot_choices[] = {"never", "in-window", "ask",
								  NULL};

/* one row per key, by type */
#define OTAD_STR(g, k, def, check) {g, k, OTAD_CONFIG_TYPE_STRING, def, 0, 0, NULL, check}
#define OTAD_BOOL(g, k, def) {g, k, OTAD_CONFIG_TYPE_BOOLEAN, def, 0, 0, NULL, NULL}
#define OTAD_UINT(g, k, def, lo, hi) {g, k, OTAD_CONFIG_TYPE_UINT, def, lo, hi, NULL, NULL}
#define OTAD_ENUM(g, k, def, list) {g, k, OTAD_CONFIG_TYPE_ENUM, def, 0, 0, list, NULL}
#define OTAD_LIST(g, k, def, check) {g, k, OTAD_CONFIG_TYPE_STRING_LIST, def, 0, 0, NULL, check}

#define OTAD_URL otad_config_schema_validate_url
#define OTAD_PATH otad_config_schema_validate_abs_path
#define OTAD_CRED otad_config_schema_validate_credential
#define OTAD_ID otad_config_schema_validate_identifier
#define OTAD_UNIT otad_config_schema_validate_unit
#define OTAD_WINDOW otad_window_validate
#define OTAD_MIB (1024 * 1024)
#define OTAD_WEEK (7 * 24 * 3600)

static const OtadConfigKey otad_config_schema_keys[] = {
    /* the process: seconds idle before an activated otad exits, 0 never */
    OTAD_UINT ("daemon", "idle-exit-sec", "60", 0, OTAD_WEEK),
    /* server and credentials */
    OTAD_STR ("server", "url", "", OTAD_URL),
    OTAD_STR ("server", "director-url", "", OTAD_URL),
    OTAD_STR ("server", "repo-url", "", OTAD_URL),
    OTAD_STR ("server", "treehub-url", "", OTAD_URL),
    OTAD_ENUM ("server", "mode", "uptane", otad_config_schema_mode_choices),
    OTAD_STR ("server", "ca-file", "", OTAD_PATH),
    OTAD_STR ("server", "cert", "", OTAD_CRED),
    OTAD_STR ("server", "key", "", OTAD_CRED),
    OTAD_UINT ("server", "timeout-sec", "60", 1, 3600),
    /* slow retrieval: otad_http_set_deadline(); defaults OTAD_HTTP_DEFAULT_DEADLINE_S and
     * OTAD_HTTP_DEFAULT_MIN_SPEED (the config layer does not see the transport's header) */
    OTAD_UINT ("server", "transfer-deadline-sec", "120", 0, 86400),
    OTAD_UINT ("server", "min-transfer-speed", "1024", 0, G_MAXUINT32),
    /* waits between attempts: otad_http_set_retry_limits(); defaults
     * OTAD_HTTP_DEFAULT_MAX_RETRY_AFTER_S and OTAD_HTTP_DEFAULT_MAX_RETRY_TOTAL_S */
    OTAD_UINT ("server", "max-retry-after-sec", "300", 0, 86400),
    OTAD_UINT ("server", "max-retry-time-sec", "600", 0, 86400),
    /* keys in a PKCS#11 token (pkcs11: URIs in [server] cert/key, [device] ecu-key) */
    OTAD_STR ("pkcs11", "module", "", OTAD_PATH),
    OTAD_STR ("pkcs11", "pin", "", NULL),
    /* first start: shared-credential provisioning (aktualizr's [provision]) */
    OTAD_STR ("provision", "credentials", "", OTAD_PATH),
    OTAD_STR ("provision", "server", "", OTAD_URL),
    OTAD_STR ("provision", "device-id", "", OTAD_ID),
    OTAD_UINT ("provision", "expiry-days", "36000", 1, 1000000),
    OTAD_STR ("provision", "p12-password", "", NULL),
    /* a device that ran aktualizr: its configuration and its storage */
    OTAD_LIST ("aktualizr", "config", "", OTAD_PATH),
    OTAD_BOOL ("aktualizr", "import-toml", "false"),
    OTAD_STR ("aktualizr", "storage-dir", "", OTAD_PATH),
    OTAD_STR ("aktualizr", "sqldb", "", OTAD_PATH),
    /* identity of this device */
    OTAD_STR ("device", "hardware-id", "", OTAD_ID),
    OTAD_STR ("device", "ecu-serial", "", OTAD_ID),
    OTAD_STR ("device", "tag", "", OTAD_ID),
    OTAD_STR ("device", "ecu-key", "", OTAD_CRED),
    /* automatic checks */
    OTAD_BOOL ("polling", "enabled", "true"),
    OTAD_UINT ("polling", "interval-sec", "3600", 1, OTAD_WEEK),
    OTAD_UINT ("polling", "jitter-percent", "10", 0, 100),
    OTAD_UINT ("polling", "max-backoff-sec", "86400", 1, OTAD_WEEK),
    /* what to do with an update */
    OTAD_ENUM ("update", "policy", "automatic", otad_config_schema_policy_choices),
    OTAD_STR ("update", "osname", "", OTAD_ID),
    OTAD_UINT ("update", "min-free-space-mb", "0", 0, G_MAXUINT32),
    OTAD_UINT ("update", "max-automatic-attempts", "3", 1, 100),
    /* maintenance windows (otad-window.h) and who reboots */
    OTAD_STR ("schedule", "download-window", "", OTAD_WINDOW),
    OTAD_STR ("schedule", "install-window", "", OTAD_WINDOW),
    OTAD_STR ("schedule", "reboot-window", "", OTAD_WINDOW),
    OTAD_ENUM ("schedule", "reboot-policy", "ask", otad_config_schema_reboot_choices),
    OTAD_UINT ("schedule", "reboot-retry-sec", "300", 1, 86400),
    /* network conditions */
    OTAD_BOOL ("network", "allow-metered", "false"),
    OTAD_UINT ("network", "max-download-rate", "0", 0, G_GUINT64_CONSTANT (1) << 40),
    /* boot control */
    OTAD_ENUM ("boot", "backend", "none", otad_config_schema_boot_choices),
    OTAD_STR ("boot", "fw-env-config", "/etc/fw_env.config", OTAD_PATH),
    OTAD_STR ("boot", "grubenv-path", "/boot/grub/grubenv", OTAD_PATH),
    OTAD_UINT ("boot", "boot-count-limit", "3", 1, 100),
    /* checks after booting a new deployment */
    OTAD_LIST ("health", "units", "", OTAD_UNIT),
    OTAD_LIST ("health", "directories", "", OTAD_PATH),
    OTAD_UINT ("health", "timeout-sec", "300", 1, 86400),
    /* TUF/Uptane metadata */
    OTAD_BOOL ("tuf", "allow-trust-on-first-use", "false"),
    OTAD_STR ("tuf", "root-dir", "", OTAD_PATH),
    OTAD_UINT ("tuf", "max-root-size", "524288", 1024, 64 * OTAD_MIB),
    OTAD_UINT ("tuf", "max-timestamp-size", "16384", 1024, 64 * OTAD_MIB),
    OTAD_UINT ("tuf", "max-snapshot-size", "2097152", 1024, 64 * OTAD_MIB),
    OTAD_UINT ("tuf", "max-targets-size", "8388608", 1024, 64 * OTAD_MIB),
    /* reporting to the server */
    OTAD_BOOL ("report", "enabled", "true"),
    OTAD_UINT ("report", "max-queued-events", "1000", 0, 1000000),
    OTAD_STR ("report", "packages-file", "/usr/package.manifest", OTAD_PATH),
    /* GetHistory */
    OTAD_UINT ("history", "max-entries", "1000", 1, 1000000),
};

static gboolean
otad_config_schema_validate_url (const gchar *value, GError **error)
{
	g_autoptr(GUri) uri = NULL;
	const gchar *scheme;

	/* empty means "not configured" */
	if (value[0] == '\0')
		return TRUE;
	uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
	if (uri == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, _("\"%s\" is not a URL"),
		             value);
		return FALSE;
	}
	scheme = g_uri_get_scheme (uri);
	if (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("\"%s\" is not an https:// or http:// URL"), value);
		return FALSE;
	}
	if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0') {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, _("\"%s\" has no host"),
		             value);
		return FALSE;
	}
	return TRUE;
}

static gboolean
otad_config_schema_validate_abs_path (const gchar *value, GError **error)
{
	if (value[0] != '\0' && !g_path_is_absolute (value)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("\"%s\" is not an absolute path"), value);
		return FALSE;
	}
	return TRUE;
}

static gboolean
otad_config_schema_validate_credential (const gchar *value, GError **error)
{
	if (value[0] == '\0' || g_path_is_absolute (value) || g_str_has_prefix (value, "pkcs11:"))
		return TRUE;
	g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
	             _("\"%s\" is neither an absolute path nor a pkcs11: URI"), value);
	return FALSE;
}

static gboolean
otad_config_schema_validate_identifier (const gchar *value, GError **error)
{
	if (strlen (value) > 200) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("\"%.20s...\" is longer than 200 characters"), value);
		return FALSE;
	}
	for (const gchar *p = value; *p != '\0'; p++) {
		if (!g_ascii_isgraph (*p)) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("\"%s\" contains spaces or non-ASCII characters"), value);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
otad_config_schema_validate_unit (const gchar *value, GError **error)
{
	if (value[0] == '\0' || strchr (value, '/') != NULL || strchr (value, '.') == NULL ||
	    !otad_config_schema_validate_identifier (value, NULL)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("\"%s\" is not a systemd unit name"), value);
		return FALSE;
	}
	return TRUE;
}

gint
otad_config_schema_find (const gchar *group, const gchar *key)
{
	for (guint i = 0; i < G_N_ELEMENTS (otad_config_schema_keys); i++) {
		if (g_strcmp0 (otad_config_schema_keys[i].group, group) == 0 &&
		    g_strcmp0 (otad_config_schema_keys[i].key, key) == 0)
			return (gint)i;
	}
	return -1;
}

gboolean
otad_config_schema_group_known (const gchar *group)
{
	for (guint i = 0; i < G_N_ELEMENTS (otad_config_schema_keys); i++) {
		if (g_strcmp0 (otad_config_schema_keys[i].group, group) == 0)
			return TRUE;
	}
	return FALSE;
}

static GVariant *
otad_config_schema_escape_error (GKeyFile *kf, const gchar *group, const gchar *key, GError **error)
{
	g_autofree gchar *raw = g_key_file_get_value (kf, group, key, NULL);
	g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
	             _("\"%s\" contains an invalid escape sequence"), raw != NULL ? raw : "");
	return NULL;
}

/* turns one raw value into a typed GVariant, or fails with a message that does not yet
 * say where the value came from */
GVariant *
otad_config_schema_parse_value (const OtadConfigKey *item,
				GKeyFile *kf,
				const gchar *group,
				const gchar *key,
				GError **error)
{
	g_autofree gchar *str = NULL;
	g_auto(GStrv) list = NULL;
	g_autoptr(GError) error_local = NULL;
	guint64 num = 0;

	if (item->type == OTAD_CONFIG_TYPE_STRING_LIST) {
		list = g_key_file_get_string_list (kf, group, key, NULL, &error_local);
		if (error_local != NULL || list == NULL)
			return otad_config_schema_escape_error (kf, group, key, error);
		for (guint i = 0; list[i] != NULL; i++) {
			g_strstrip (list[i]);
			if (item->validator != NULL && !item->validator (list[i], error))
				return NULL;
		}
		return g_variant_new_strv ((const gchar *const *)list, -1);
	}

	/* GLib 2.74 returns a value *and* sets the error for a bad escape: check the error */
	str = g_key_file_get_string (kf, group, key, &error_local);
	if (error_local != NULL || str == NULL)
		return otad_config_schema_escape_error (kf, group, key, error);
	if (item->type != OTAD_CONFIG_TYPE_STRING)
		g_strstrip (str);
	for (const gchar *p = str; *p != '\0'; p++) {
		if (g_ascii_iscntrl (*p)) {
			g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			                     _("value contains control characters"));
			return NULL;
		}
	}

	switch (item->type) {
	case OTAD_CONFIG_TYPE_STRING:
		if (item->validator != NULL && !item->validator (str, error))
			return NULL;
		return g_variant_new_string (str);
	case OTAD_CONFIG_TYPE_BOOLEAN:
		if (g_strcmp0 (str, "true") == 0 || g_strcmp0 (str, "1") == 0)
			return g_variant_new_boolean (TRUE);
		if (g_strcmp0 (str, "false") == 0 || g_strcmp0 (str, "0") == 0)
			return g_variant_new_boolean (FALSE);
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("\"%s\" is not a boolean (true or false)"), str);
		return NULL;
	case OTAD_CONFIG_TYPE_UINT:
		if (str[0] == '\0' || strspn (str, "0123456789") != strlen (str)) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("\"%s\" is not a number"), str);
			return NULL;
		}
		/* digits only (checked above), read here: once in a test run otad refused its
		 * own default "60" as out of range through g_ascii_string_to_unsigned(), which
		 * fails on any errno its g_ascii_strtoull() call leaves set (the cause inside
		 * GLib was not found); this reading depends on nothing but the digits */
		num = 0;
		for (const gchar *p = str; *p != '\0' && num != G_MAXUINT64; p++) {
			guint digit = (guint)(*p - '0');
			/* past G_MAXUINT64 counts as G_MAXUINT64: out of every range here */
			num = num > (G_MAXUINT64 - digit) / 10 ? G_MAXUINT64 : num * 10 + digit;
		}
		if (num < item->min || num > item->max) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("\"%s\" is out of range (%" PRIu64 " to %" PRIu64 ")"), str,
			             item->min, item->max);
			return NULL;
		}
		return g_variant_new_uint64 (num);
	case OTAD_CONFIG_TYPE_ENUM:
		if (!g_strv_contains (item->choices, str)) {
			g_autofree gchar *choices = g_strjoinv (", ", (gchar **)item->choices);
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("\"%s\" is not one of: %s"), str, choices);
			return NULL;
		}
		return g_variant_new_string (str);
	case OTAD_CONFIG_TYPE_STRING_LIST:
	default:
		g_assert_not_reached ();
	}
}

/* Returns: (transfer none): row @idx of the table */
const OtadConfigKey *
otad_config_schema_get (guint idx)
{
	g_return_val_if_fail (idx < G_N_ELEMENTS (otad_config_schema_keys), NULL);
	return &otad_config_schema_keys[idx];
}

guint
otad_config_schema_n_keys (void)
{
	return G_N_ELEMENTS (otad_config_schema_keys);
}
