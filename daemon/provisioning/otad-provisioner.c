/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadProvision"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-file.h"
#include "otad-aktualizr-import.h"
#include "otad-provision.h"
#include "otad-provisioner.h"

typedef enum {
	OTAD_PROVISIONER_NONE,	     /* no client certificate at all */
	OTAD_PROVISIONER_CONFIGURED, /* [server] cert/key */
	OTAD_PROVISIONER_STORED,     /* client.pem/pkey.pem in the device directory */
	OTAD_PROVISIONER_PENDING,    /* credentials.zip, not provisioned yet */
} OtadProvisionerMode;

struct _OtadProvisioner {
	GObject parent_instance;
	GMutex mutex; /* mode, the record of the registration */
	OtadProvisionerMode mode;
	gchar *dir;
	gchar *gateway_url;
	gchar *ca_file;
	gchar *cert;
	gchar *key;
	gchar *device_id;
	gchar *provision_server;
	gchar *pkcs11_pin;
	gchar *pkcs11_module;
	gchar *imported_serial;
	gchar *imported_hwid;
	gchar *imported_roots;
	gchar *imported_target;
	guint64 expiry_days;
	OtadHttp *fleet_http; /* (owned) (nullable) the fleet identity, PENDING only */
};

G_DEFINE_TYPE (OtadProvisioner, otad_provisioner, G_TYPE_OBJECT)

static void
otad_provisioner_finalize (GObject *object)
{
	OtadProvisioner *self = OTAD_PROVISIONER (object);

	g_clear_object (&self->fleet_http);
	g_free (self->dir);
	g_free (self->gateway_url);
	g_free (self->ca_file);
	g_free (self->cert);
	g_free (self->key);
	g_free (self->device_id);
	g_free (self->provision_server);
	g_free (self->pkcs11_pin);
	g_free (self->pkcs11_module);
	g_free (self->imported_serial);
	g_free (self->imported_hwid);
	g_free (self->imported_roots);
	g_free (self->imported_target);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (otad_provisioner_parent_class)->finalize (object);
}

static void
otad_provisioner_class_init (OtadProvisionerClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_provisioner_finalize;
}

static void
otad_provisioner_init (OtadProvisioner *self)
{
	g_mutex_init (&self->mutex);
}

static gchar *
otad_provisioner_path (OtadProvisioner *self, const gchar *name)
{
	return g_build_filename (self->dir, name, NULL);
}

/* one line of a file in the device directory, or NULL */
static gchar *
otad_provisioner_read (OtadProvisioner *self, const gchar *name)
{
	g_autofree gchar *path = otad_provisioner_path (self, name);
	g_autofree gchar *text = NULL;

	if (!g_file_get_contents (path, &text, NULL, NULL))
		return NULL;
	g_strstrip (text);
	return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
}

static gboolean
otad_provisioner_write (OtadProvisioner *self, const gchar *name, const gchar *data, gint mode,
			GError **error)
{
	g_autofree gchar *path = otad_provisioner_path (self, name);

	/* the device key among them: never through a planted symlink, durable */
	if (!otad_file_ensure_dir (self->dir, 0700, error) ||
	    !otad_file_replace (path, data, strlen (data), (guint)mode, error))
		return FALSE;

	/* success */
	return TRUE;
}

static gboolean
otad_provisioner_stored (OtadProvisioner *self)
{
	g_autofree gchar *cert = otad_provisioner_path (self, "client.pem");
	g_autofree gchar *key = otad_provisioner_path (self, "pkey.pem");

	return g_file_test (cert, G_FILE_TEST_IS_REGULAR) &&
	       g_file_test (key, G_FILE_TEST_IS_REGULAR);
}

/* the fleet identity of credentials.zip, ready for the one POST devices */
static gboolean
otad_provisioner_load_credentials (OtadProvisioner *self,
				   const OtadProvisionerOptions *o,
				   GError **error)
{
	g_autoptr(OtadCredentials) creds = otad_credentials_load (o->credentials,
								  o->p12_password, error);
	g_autoptr(GTlsCertificate) fleet = NULL;

	if (creds == NULL) {
		g_prefix_error (error, "[provision] credentials: ");
		return FALSE;
	}
	if (self->gateway_url == NULL)
		self->gateway_url = g_strdup (creds->gateway_url);
	if (self->ca_file == NULL) {
		if (creds->ca_pem == NULL) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("[provision] credentials: %s has no server CA (neither "
			                "server_ca.pem nor a CA certificate in "
			                "autoprov_credentials.p12); set [server] ca-file"),
			             o->credentials);
			return FALSE;
		}
		if (!otad_provisioner_write (self, "root.crt", creds->ca_pem, 0644, error))
			return FALSE;
		self->ca_file = otad_provisioner_path (self, "root.crt");
	}
	fleet = otad_provision_tls_certificate (creds->cert_pem, creds->key_pem, error);
	if (fleet == NULL)
		return FALSE;
	/* TLS session tickets stay on: the fleet's and the device's sessions are cached
	 * under different keys (otad_http_send() sets the identity before the handshake) */
	self->fleet_http = otad_http_new ();
	otad_http_set_timeout (self->fleet_http, (guint)CLAMP (o->timeout_s, 1, 3600));
	if (!otad_http_set_ca_file (self->fleet_http, self->ca_file, error))
		return FALSE;
	otad_http_set_client_tls_certificate (self->fleet_http, fleet);
	return TRUE;
}

OtadProvisioner *
otad_provisioner_new (const OtadProvisionerOptions *o, GError **error)
{
	g_autoptr(OtadProvisioner) self = g_object_new (OTAD_TYPE_PROVISIONER, NULL);
	g_autofree gchar *roots = NULL;

	self->dir = g_build_filename (o->state_dir, "device", NULL);
	self->expiry_days = o->expiry_days;
	self->provision_server = g_strdup (o->provision_server);
	self->pkcs11_pin = g_strdup (o->pkcs11_pin);
	self->pkcs11_module = g_strdup (o->pkcs11_module);

	/* a device that ran aktualizr: take its identity over once, before anything else
	 * looks at the device directory */
	if (!otad_provisioner_stored (self) &&
	    (o->aktualizr_sqldb != NULL || o->aktualizr_storage_dir != NULL) &&
	    !otad_aktualizr_import (o->aktualizr_sqldb, o->aktualizr_storage_dir, self->dir,
				    o->state_dir, error))
		return NULL;

	self->gateway_url = g_strdup (o->gateway_url);
	self->ca_file = g_strdup (o->ca_file);
	if (self->gateway_url == NULL)
		self->gateway_url = otad_provisioner_read (self, "gateway.url");
	if (self->ca_file == NULL) {
		g_autofree gchar *stored_ca = otad_provisioner_path (self, "root.crt");
		if (g_file_test (stored_ca, G_FILE_TEST_IS_REGULAR))
			self->ca_file = g_steal_pointer (&stored_ca);
	}
	self->device_id = otad_provisioner_read (self, "device-id");
	self->imported_serial = otad_provisioner_read (self, "ecu-serial");
	self->imported_hwid = otad_provisioner_read (self, "hardware-id");
	self->imported_target = otad_provisioner_read (self, "installed-target");
	if (self->imported_target != NULL && strchr (self->imported_target, '\n') != NULL)
		*strchr (self->imported_target, '\n') = '\0';
	roots = otad_provisioner_path (self, "tuf");
	if (g_file_test (roots, G_FILE_TEST_IS_DIR))
		self->imported_roots = g_steal_pointer (&roots);

	if (o->cert != NULL) {
		self->mode = OTAD_PROVISIONER_CONFIGURED;
		self->cert = g_strdup (o->cert);
		self->key = g_strdup (o->key);
	} else if (otad_provisioner_stored (self)) {
		self->mode = OTAD_PROVISIONER_STORED;
		self->cert = otad_provisioner_path (self, "client.pem");
		self->key = otad_provisioner_path (self, "pkey.pem");
	} else if (o->credentials != NULL) {
		self->mode = OTAD_PROVISIONER_PENDING;
		self->cert = otad_provisioner_path (self, "client.pem");
		self->key = otad_provisioner_path (self, "pkey.pem");
		if (!otad_provisioner_load_credentials (self, o, error))
			return NULL;
	}
	if (self->device_id == NULL)
		self->device_id = g_strdup (o->device_id);
	return g_steal_pointer (&self);
}

const gchar *
otad_provisioner_get_gateway_url (OtadProvisioner *self)
{
	return self->gateway_url;
}

const gchar *
otad_provisioner_get_ca_file (OtadProvisioner *self)
{
	return self->ca_file;
}

const gchar *
otad_provisioner_get_cert (OtadProvisioner *self)
{
	return self->cert;
}

const gchar *
otad_provisioner_get_key (OtadProvisioner *self)
{
	return self->key;
}

const gchar *
otad_provisioner_get_device_id (OtadProvisioner *self)
{
	return self->device_id;
}

const gchar *
otad_provisioner_get_dir (OtadProvisioner *self)
{
	return self->dir;
}

const gchar *
otad_provisioner_get_imported_ecu_serial (OtadProvisioner *self)
{
	return self->imported_serial;
}

const gchar *
otad_provisioner_get_imported_hardware_id (OtadProvisioner *self)
{
	return self->imported_hwid;
}

const gchar *
otad_provisioner_get_imported_target (OtadProvisioner *self)
{
	return self->imported_target;
}

const gchar *
otad_provisioner_get_imported_root_dir (OtadProvisioner *self)
{
	return self->imported_roots;
}

/* a pkcs11: URI with the configured module, unless it names one itself */
static gchar *
otad_provisioner_with_module (OtadProvisioner *self, const gchar *uri)
{
	if (uri == NULL || !g_str_has_prefix (uri, "pkcs11:") || self->pkcs11_module == NULL ||
	    strstr (uri, "module-path=") != NULL || strstr (uri, "module-name=") != NULL)
		return g_strdup (uri);
	return g_strdup_printf ("%s%cmodule-path=%s", uri, strchr (uri, '?') != NULL ? '&' : '?',
				self->pkcs11_module);
}

static gboolean
otad_provisioner_load_identity (OtadProvisioner *self, OtadHttp *http, GError **error)
{
	g_autofree gchar *cert = otad_provisioner_with_module (self, self->cert);
	g_autofree gchar *key = otad_provisioner_with_module (self, self->key);

	if (!g_str_has_prefix (self->cert, "pkcs11:") && self->key != NULL &&
	    !g_str_has_prefix (self->key, "pkcs11:") &&
	    !otad_provision_check_key_pair (self->cert, self->key, error))
		return FALSE;
	return otad_http_set_client_certificate (http, cert, key, error);
}

gboolean
otad_provisioner_setup_http (OtadProvisioner *self, OtadHttp *http, GError **error)
{
	g_return_val_if_fail (OTAD_IS_PROVISIONER (self), FALSE);

	if (self->pkcs11_pin != NULL)
		otad_http_set_pkcs11_pin (http, self->pkcs11_pin);
	if (self->ca_file != NULL && !otad_http_set_ca_file (http, self->ca_file, error)) {
		g_prefix_error (error, "[server] ca-file: ");
		return FALSE;
	}
	if ((self->mode == OTAD_PROVISIONER_CONFIGURED || self->mode == OTAD_PROVISIONER_STORED) &&
	    !otad_provisioner_load_identity (self, http, error)) {
		if (self->mode == OTAD_PROVISIONER_CONFIGURED)
			g_prefix_error (error, "[server] cert/key: ");
		else
			g_prefix_error (error, "%s: ", self->dir);
		return FALSE;
	}
	return TRUE;
}

gboolean
otad_provisioner_is_provisioned (OtadProvisioner *self)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	return self->mode != OTAD_PROVISIONER_PENDING;
}

gboolean
otad_provisioner_provision (OtadProvisioner *self,
			    OtadHttp *http,
			    GCancellable *cancellable,
			    GError **error)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autofree gchar *id = NULL;
	g_autofree gchar *cert_pem = NULL;
	g_autofree gchar *key_pem = NULL;
	g_autofree gchar *ca_pem = NULL;
	const gchar *server = self->provision_server != NULL ? self->provision_server
							     : self->gateway_url;
	gboolean ok;

	if (self->mode != OTAD_PROVISIONER_PENDING)
		return TRUE;
	if (server == NULL) {
		g_set_error_literal (
		    error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		    _("no provisioning server: credentials.zip has no autoprov.url "
		       "and neither [provision] server nor [server] url is set"));
		return FALSE;
	}
	/* the same id on every attempt: a lost reply must not make a second device */
	id = g_strdup (self->device_id);
	if (id == NULL) {
		id = g_uuid_string_random ();
		if (!otad_provisioner_write (self, "device-id", id, 0644, error))
			return FALSE;
		self->device_id = g_strdup (id);
	}
	if (!otad_provision_request_device (self->fleet_http, server, id, self->expiry_days,
					    &cert_pem, &key_pem, &ca_pem, cancellable, error)) {
		g_prefix_error (error, _("provisioning failed: "));
		return FALSE;
	}
	/* the key first, 0600: the identity counts as there when client.pem is */
	ok = otad_provisioner_write (self, "pkey.pem", key_pem, 0600, error) &&
	     otad_provisioner_write (self, "device-id", id, 0644, error) &&
	     (self->gateway_url == NULL ||
	      otad_provisioner_write (self, "gateway.url", self->gateway_url, 0644, error)) &&
	     otad_provisioner_write (self, "client.pem", cert_pem, 0644, error);
	memset (key_pem, 0, strlen (key_pem));
	if (!ok)
		return FALSE;
	if (!otad_http_set_client_certificate (http, self->cert, self->key, error))
		return FALSE;
	self->mode = OTAD_PROVISIONER_STORED;
	g_clear_object (&self->fleet_http);
	g_message ("provisioned as device %s", id);

	/* success */
	return TRUE;
}

gboolean
otad_provisioner_register_ecus (OtadProvisioner *self,
				OtadHttp *http,
				const gchar *director_url,
				const gchar *primary_serial,
				const gchar *hardware_id,
				const gchar *public_key,
				GCancellable *cancellable,
				GError **error)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autofree gchar *record =
	    g_strdup_printf ("%s\n%s\n%s\n", primary_serial, hardware_id, public_key);
	g_autofree gchar *path = otad_provisioner_path (self, "ecus-registered");
	g_autofree gchar *stored = NULL;

	/* once per serial, hardware id and key: aktualizr's is_registered */
	if (g_file_get_contents (path, &stored, NULL, NULL) && g_strcmp0 (stored, record) == 0)
		return TRUE;
	if (!otad_provision_register_ecus (http, director_url, primary_serial, hardware_id,
					   public_key, cancellable, error))
		return FALSE;
	if (!otad_provisioner_write (self, "ecus-registered", record, 0644, error))
		return FALSE;
	g_message ("registered ECU %s (%s) with the Director", primary_serial, hardware_id);

	/* success */
	return TRUE;
}
