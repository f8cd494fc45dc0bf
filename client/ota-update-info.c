/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-update-info.h"

/**
 * OtaUpdateInfo:
 *
 * The verified update otad offers, as in its `UpdateInfo` D-Bus property:
 * which target, which OSTree commit, how much there is to fetch, and the
 * server's campaign (correlation) id.
 *
 * Instances are immutable; #OtaClient replaces its #OtaClient:update-info
 * when the daemon reports a change.
 *
 * Since: 0.2
 */

struct _OtaUpdateInfo {
	GObject parent_instance;
	gchar *name;	       /* (owned) */
	gchar *version;	       /* (owned) */
	gchar *checksum;       /* (owned) */
	guint64 length;
	guint64 download_size;
	gchar *correlation_id; /* (owned) */
	gchar *hardware_id;    /* (owned) */
	gchar *uri;	       /* (owned) */
	/* since 0.4 */
	gchar *offer_id;      /* (owned) */
	guint64 installed_size;
	gchar *release_notes; /* (owned) */
	gchar *label;	      /* (owned) */
};

G_DEFINE_FINAL_TYPE (OtaUpdateInfo, ota_update_info, G_TYPE_OBJECT)

enum {
	PROP_0,
	PROP_NAME,
	PROP_VERSION,
	PROP_CHECKSUM,
	PROP_LENGTH,
	PROP_DOWNLOAD_SIZE,
	PROP_CORRELATION_ID,
	PROP_HARDWARE_ID,
	PROP_URI,
	PROP_OFFER_ID,
	PROP_INSTALLED_SIZE,
	PROP_RELEASE_NOTES,
	PROP_LABEL,
	PROP_LAST
};

static GParamSpec *ota_update_info_props[PROP_LAST] = {NULL};

/**
 * ota_update_info_new_from_variant:
 * @value: an update dictionary of type `a{sv}`, as in the `UpdateInfo`
 *   D-Bus property
 *
 * Builds the offer from the dictionary otad sends.  Keys that are missing or
 * have an unexpected type keep their defaults ("" or 0); unknown keys are
 * ignored so that newer daemons can add some.
 *
 * Returns: (transfer full) (nullable): a new #OtaUpdateInfo, or %NULL when
 *   @value is empty, which means "no update on offer"
 *
 * Since: 0.2
 */
OtaUpdateInfo *
ota_update_info_new_from_variant (GVariant *value)
{
	const gchar *name = "";
	const gchar *version = "";
	const gchar *checksum = "";
	const gchar *correlation_id = "";
	const gchar *hardware_id = "";
	const gchar *uri = "";
	const gchar *offer_id = "";
	const gchar *release_notes = "";
	const gchar *label = "";
	guint64 installed_size = 0;
	guint64 length = 0;
	guint64 download_size = 0;

	g_return_val_if_fail (value != NULL, NULL);
	g_return_val_if_fail (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT), NULL);

	if (g_variant_n_children (value) == 0)
		return NULL;

	/* a value of the wrong type leaves the default in place */
	g_variant_lookup (value, "name", "&s", &name);
	g_variant_lookup (value, "version", "&s", &version);
	g_variant_lookup (value, "checksum", "&s", &checksum);
	g_variant_lookup (value, "length", "t", &length);
	g_variant_lookup (value, "download-size", "t", &download_size);
	g_variant_lookup (value, "correlation-id", "&s", &correlation_id);
	g_variant_lookup (value, "hardware-id", "&s", &hardware_id);
	g_variant_lookup (value, "uri", "&s", &uri);
	g_variant_lookup (value, "offer-id", "&s", &offer_id);
	g_variant_lookup (value, "installed-size", "t", &installed_size);
	g_variant_lookup (value, "release-notes", "&s", &release_notes);
	g_variant_lookup (value, "label", "&s", &label);

	return g_object_new (OTA_TYPE_UPDATE_INFO,
			     "name", name,
			     "version", version,
			     "checksum", checksum,
			     "length", length,
			     "download-size", download_size,
			     "correlation-id", correlation_id,
			     "hardware-id", hardware_id,
			     "uri", uri,
			     "offer-id", offer_id,
			     "installed-size", installed_size,
			     "release-notes", release_notes,
			     "label", label,
			     NULL);
}

/**
 * ota_update_info_get_name:
 * @self: an #OtaUpdateInfo
 *
 * Returns: (transfer none): the target name, e.g. "demo-2.0"
 *
 * Since: 0.2
 */
const gchar *
ota_update_info_get_name (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), NULL);
	return self->name;
}

/**
 * ota_update_info_get_version:
 * @self: an #OtaUpdateInfo
 *
 * Returns: (transfer none): the version of the update, "" when it has none
 *
 * Since: 0.2
 */
const gchar *
ota_update_info_get_version (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), NULL);
	return self->version;
}

/**
 * ota_update_info_get_checksum:
 * @self: an #OtaUpdateInfo
 *
 * Returns: (transfer none): the OSTree commit checksum (64 hex digits) that
 *   TUF/Uptane verified
 *
 * Since: 0.2
 */
const gchar *
ota_update_info_get_checksum (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), NULL);
	return self->checksum;
}

/**
 * ota_update_info_get_length:
 * @self: an #OtaUpdateInfo
 *
 * Returns: the target length the metadata declares (0 for OSTree targets)
 *
 * Since: 0.2
 */
guint64
ota_update_info_get_length (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), 0);
	return self->length;
}

/**
 * ota_update_info_get_download_size:
 * @self: an #OtaUpdateInfo
 *
 * Returns: the estimated number of bytes to fetch, 0 when unknown
 *
 * Since: 0.2
 */
guint64
ota_update_info_get_download_size (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), 0);
	return self->download_size;
}

/**
 * ota_update_info_get_correlation_id:
 * @self: an #OtaUpdateInfo
 *
 * Returns: (transfer none): the server's campaign id, "" when there is none
 *
 * Since: 0.2
 */
const gchar *
ota_update_info_get_correlation_id (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), NULL);
	return self->correlation_id;
}

/**
 * ota_update_info_get_hardware_id:
 * @self: an #OtaUpdateInfo
 *
 * Returns: (transfer none): the hardware id the target is meant for
 *
 * Since: 0.2
 */
const gchar *
ota_update_info_get_hardware_id (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), NULL);
	return self->hardware_id;
}

/**
 * ota_update_info_get_uri:
 * @self: an #OtaUpdateInfo
 *
 * Returns: (transfer none): where the update is fetched from, "" for the
 *   configured default
 *
 * Since: 0.2
 */
const gchar *
ota_update_info_get_uri (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), NULL);
	return self->uri;
}

static gchar **
ota_update_info_string_field (OtaUpdateInfo *self, guint prop_id)
{
	switch (prop_id) {
	case PROP_NAME:
		return &self->name;
	case PROP_VERSION:
		return &self->version;
	case PROP_CHECKSUM:
		return &self->checksum;
	case PROP_CORRELATION_ID:
		return &self->correlation_id;
	case PROP_HARDWARE_ID:
		return &self->hardware_id;
	case PROP_URI:
		return &self->uri;
	case PROP_OFFER_ID:
		return &self->offer_id;
	case PROP_RELEASE_NOTES:
		return &self->release_notes;
	case PROP_LABEL:
		return &self->label;
	default:
		return NULL;
	}
}

static void
ota_update_info_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	OtaUpdateInfo *self = OTA_UPDATE_INFO (object);
	gchar **field = ota_update_info_string_field (self, prop_id);

	if (field != NULL) {
		g_value_set_string (value, *field);
		return;
	}
	switch (prop_id) {
	case PROP_LENGTH:
		g_value_set_uint64 (value, self->length);
		break;
	case PROP_DOWNLOAD_SIZE:
		g_value_set_uint64 (value, self->download_size);
		break;
	case PROP_INSTALLED_SIZE:
		g_value_set_uint64 (value, self->installed_size);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ota_update_info_set_property (GObject *object,
			      guint prop_id,
			      const GValue *value,
			      GParamSpec *pspec)
{
	OtaUpdateInfo *self = OTA_UPDATE_INFO (object);
	gchar **field = ota_update_info_string_field (self, prop_id);

	if (field != NULL) {
		const gchar *str = g_value_get_string (value);
		g_free (*field);
		*field = g_strdup (str != NULL ? str : "");
		return;
	}
	switch (prop_id) {
	case PROP_LENGTH:
		self->length = g_value_get_uint64 (value);
		break;
	case PROP_DOWNLOAD_SIZE:
		self->download_size = g_value_get_uint64 (value);
		break;
	case PROP_INSTALLED_SIZE:
		self->installed_size = g_value_get_uint64 (value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ota_update_info_finalize (GObject *object)
{
	OtaUpdateInfo *self = OTA_UPDATE_INFO (object);

	g_free (self->name);
	g_free (self->version);
	g_free (self->checksum);
	g_free (self->correlation_id);
	g_free (self->hardware_id);
	g_free (self->uri);
	g_free (self->offer_id);
	g_free (self->release_notes);
	g_free (self->label);

	G_OBJECT_CLASS (ota_update_info_parent_class)->finalize (object);
}

static void
ota_update_info_init (OtaUpdateInfo *self)
{
	self->name = g_strdup ("");
	self->version = g_strdup ("");
	self->checksum = g_strdup ("");
	self->correlation_id = g_strdup ("");
	self->hardware_id = g_strdup ("");
	self->uri = g_strdup ("");
	self->offer_id = g_strdup ("");
	self->release_notes = g_strdup ("");
	self->label = g_strdup ("");
}

static void
ota_update_info_class_init (OtaUpdateInfoClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	const GParamFlags flags =
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

	object_class->get_property = ota_update_info_get_property;
	object_class->set_property = ota_update_info_set_property;
	object_class->finalize = ota_update_info_finalize;

	/**
	 * OtaUpdateInfo:name:
	 *
	 * The target name.
	 *
	 * Since: 0.2
	 */
	ota_update_info_props[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, "", flags);

	/**
	 * OtaUpdateInfo:version:
	 *
	 * The version of the update.
	 *
	 * Since: 0.2
	 */
	ota_update_info_props[PROP_VERSION] =
	    g_param_spec_string ("version", NULL, NULL, "", flags);

	/**
	 * OtaUpdateInfo:checksum:
	 *
	 * The verified OSTree commit checksum.
	 *
	 * Since: 0.2
	 */
	ota_update_info_props[PROP_CHECKSUM] =
	    g_param_spec_string ("checksum", NULL, NULL, "", flags);

	/**
	 * OtaUpdateInfo:length:
	 *
	 * The target length the metadata declares.
	 *
	 * Since: 0.2
	 */
	ota_update_info_props[PROP_LENGTH] =
	    g_param_spec_uint64 ("length", NULL, NULL, 0, G_MAXUINT64, 0, flags);

	/**
	 * OtaUpdateInfo:download-size:
	 *
	 * The estimated number of bytes to fetch, 0 when unknown.
	 *
	 * Since: 0.2
	 */
	ota_update_info_props[PROP_DOWNLOAD_SIZE] =
	    g_param_spec_uint64 ("download-size", NULL, NULL, 0, G_MAXUINT64, 0, flags);

	/**
	 * OtaUpdateInfo:correlation-id:
	 *
	 * The server's campaign id, "" when there is none.
	 *
	 * Since: 0.2
	 */
	ota_update_info_props[PROP_CORRELATION_ID] =
	    g_param_spec_string ("correlation-id", NULL, NULL, "", flags);

	/**
	 * OtaUpdateInfo:hardware-id:
	 *
	 * The hardware id the target is meant for.
	 *
	 * Since: 0.2
	 */
	ota_update_info_props[PROP_HARDWARE_ID] =
	    g_param_spec_string ("hardware-id", NULL, NULL, "", flags);

	/**
	 * OtaUpdateInfo:uri:
	 *
	 * Where the update is fetched from.
	 *
	 * Since: 0.2
	 */
	ota_update_info_props[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, "", flags);

	/**
	 * OtaUpdateInfo:offer-id:
	 *
	 * The offer id: a hash of what would be installed; consent, decline and postpone
	 * name it so that they answer this very update.
	 *
	 * Since: 0.4
	 */
	ota_update_info_props[PROP_OFFER_ID] =
	    g_param_spec_string ("offer-id", NULL, NULL, "", flags);

	/**
	 * OtaUpdateInfo:installed-size:
	 *
	 * Bytes the update takes once unpacked, 0 when unknown.
	 *
	 * Since: 0.4
	 */
	ota_update_info_props[PROP_INSTALLED_SIZE] =
	    g_param_spec_uint64 ("installed-size", NULL, NULL, 0, G_MAXUINT64, 0, flags);

	/**
	 * OtaUpdateInfo:release-notes:
	 *
	 * The release notes the server gave the update, "" when none.
	 *
	 * Since: 0.4
	 */
	ota_update_info_props[PROP_RELEASE_NOTES] =
	    g_param_spec_string ("release-notes", NULL, NULL, "", flags);

	/**
	 * OtaUpdateInfo:label:
	 *
	 * A short title for the update, "" when none.
	 *
	 * Since: 0.4
	 */
	ota_update_info_props[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, "", flags);

	g_object_class_install_properties (object_class, PROP_LAST, ota_update_info_props);
}

/**
 * ota_update_info_get_offer_id:
 * @self: an #OtaUpdateInfo
 *
 * Returns: (transfer none): the offer id (64 hex digits), "" from an older otad
 *
 * Since: 0.4
 */
const gchar *
ota_update_info_get_offer_id (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), NULL);
	return self->offer_id;
}

/**
 * ota_update_info_get_installed_size:
 * @self: an #OtaUpdateInfo
 *
 * Returns: bytes the update takes once unpacked, 0 when unknown
 *
 * Since: 0.4
 */
guint64
ota_update_info_get_installed_size (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), 0);
	return self->installed_size;
}

/**
 * ota_update_info_get_release_notes:
 * @self: an #OtaUpdateInfo
 *
 * Returns: (transfer none): the release notes, "" when none
 *
 * Since: 0.4
 */
const gchar *
ota_update_info_get_release_notes (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), NULL);
	return self->release_notes;
}

/**
 * ota_update_info_get_label:
 * @self: an #OtaUpdateInfo
 *
 * Returns: (transfer none): a short title for the update, "" when none
 *
 * Since: 0.4
 */
const gchar *
ota_update_info_get_label (OtaUpdateInfo *self)
{
	g_return_val_if_fail (OTA_IS_UPDATE_INFO (self), NULL);
	return self->label;
}
