/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-deployment.h"

/**
 * OtaDeployment:
 *
 * One OSTree deployment as otad describes it: the booted one, the pending one
 * that boots next, or the rollback one in the other A/B slot.
 *
 * Instances are immutable; #OtaClient replaces them when the daemon reports a
 * change.
 *
 * Since: 0.1
 */

struct _OtaDeployment {
	GObject parent_instance;
	gchar *osname;	 /* (owned) */
	gchar *checksum; /* (owned) */
	gchar *version;	 /* (owned) */
	gchar *origin;	 /* (owned) */
	gint serial;
	gint index;
	gboolean booted;
	gboolean staged;
	gboolean pinned;
};

G_DEFINE_FINAL_TYPE (OtaDeployment, ota_deployment, G_TYPE_OBJECT)

enum {
	PROP_0,
	PROP_OSNAME,
	PROP_CHECKSUM,
	PROP_VERSION,
	PROP_SERIAL,
	PROP_INDEX,
	PROP_ORIGIN,
	PROP_BOOTED,
	PROP_STAGED,
	PROP_PINNED,
	PROP_LAST
};

static GParamSpec *ota_deployment_props[PROP_LAST] = {NULL};

/**
 * ota_deployment_new_from_variant:
 * @value: a deployment dictionary of type `a{sv}`, as in the
 *   `BootedDeployment` D-Bus property
 *
 * Builds a deployment from the dictionary otad sends.  Keys that are missing
 * or have an unexpected type keep their defaults ("" or 0 or %FALSE); unknown
 * keys are ignored so that newer daemons can add some.
 *
 * Returns: (transfer full) (nullable): a new #OtaDeployment, or %NULL when
 *   @value is empty, which means "no such deployment"
 *
 * Since: 0.1
 */
OtaDeployment *
ota_deployment_new_from_variant (GVariant *value)
{
	const gchar *osname = "";
	const gchar *checksum = "";
	const gchar *version = "";
	const gchar *origin = "";
	gint32 serial = 0;
	gint32 index = 0;
	gboolean booted = FALSE;
	gboolean staged = FALSE;
	gboolean pinned = FALSE;

	g_return_val_if_fail (value != NULL, NULL);
	g_return_val_if_fail (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT), NULL);

	if (g_variant_n_children (value) == 0)
		return NULL;

	/* g_variant_lookup() returns FALSE for a value of the wrong type, which
	 * leaves the default in place */
	g_variant_lookup (value, "osname", "&s", &osname);
	g_variant_lookup (value, "checksum", "&s", &checksum);
	g_variant_lookup (value, "version", "&s", &version);
	g_variant_lookup (value, "origin", "&s", &origin);
	g_variant_lookup (value, "serial", "i", &serial);
	g_variant_lookup (value, "index", "i", &index);
	g_variant_lookup (value, "booted", "b", &booted);
	g_variant_lookup (value, "staged", "b", &staged);
	g_variant_lookup (value, "pinned", "b", &pinned);

	return g_object_new (OTA_TYPE_DEPLOYMENT,
			     "osname", osname,
			     "checksum", checksum,
			     "version", version,
			     "origin", origin,
			     "serial", (gint)serial,
			     "index", (gint)index,
			     "booted", booted,
			     "staged", staged,
			     "pinned", pinned,
			     NULL);
}

/**
 * ota_deployment_get_osname:
 * @self: an #OtaDeployment
 *
 * Returns: (transfer none): the stateroot ("os") of the deployment, e.g. "debian"
 *
 * Since: 0.1
 */
const gchar *
ota_deployment_get_osname (OtaDeployment *self)
{
	g_return_val_if_fail (OTA_IS_DEPLOYMENT (self), NULL);
	return self->osname;
}

/**
 * ota_deployment_get_checksum:
 * @self: an #OtaDeployment
 *
 * Returns: (transfer none): the OSTree commit checksum (64 hex digits)
 *
 * Since: 0.1
 */
const gchar *
ota_deployment_get_checksum (OtaDeployment *self)
{
	g_return_val_if_fail (OTA_IS_DEPLOYMENT (self), NULL);
	return self->checksum;
}

/**
 * ota_deployment_get_version:
 * @self: an #OtaDeployment
 *
 * Returns: (transfer none): the commit's "version" metadata, "" when it has none
 *
 * Since: 0.1
 */
const gchar *
ota_deployment_get_version (OtaDeployment *self)
{
	g_return_val_if_fail (OTA_IS_DEPLOYMENT (self), NULL);
	return self->version;
}

/**
 * ota_deployment_get_serial:
 * @self: an #OtaDeployment
 *
 * Returns: the deployment serial, which tells apart deployments of the same commit
 *
 * Since: 0.1
 */
gint
ota_deployment_get_serial (OtaDeployment *self)
{
	g_return_val_if_fail (OTA_IS_DEPLOYMENT (self), 0);
	return self->serial;
}

/**
 * ota_deployment_get_index:
 * @self: an #OtaDeployment
 *
 * Returns: the position in the deployment list; 0 is the default, which boots next
 *
 * Since: 0.1
 */
gint
ota_deployment_get_index (OtaDeployment *self)
{
	g_return_val_if_fail (OTA_IS_DEPLOYMENT (self), 0);
	return self->index;
}

/**
 * ota_deployment_get_origin:
 * @self: an #OtaDeployment
 *
 * Returns: (transfer none): the origin refspec, "" when it has none
 *
 * Since: 0.1
 */
const gchar *
ota_deployment_get_origin (OtaDeployment *self)
{
	g_return_val_if_fail (OTA_IS_DEPLOYMENT (self), NULL);
	return self->origin;
}

/**
 * ota_deployment_get_booted:
 * @self: an #OtaDeployment
 *
 * Returns: %TRUE if the system is running this deployment
 *
 * Since: 0.1
 */
gboolean
ota_deployment_get_booted (OtaDeployment *self)
{
	g_return_val_if_fail (OTA_IS_DEPLOYMENT (self), FALSE);
	return self->booted;
}

/**
 * ota_deployment_get_staged:
 * @self: an #OtaDeployment
 *
 * Returns: %TRUE if the deployment is staged, to be finalised at shutdown
 *
 * Since: 0.1
 */
gboolean
ota_deployment_get_staged (OtaDeployment *self)
{
	g_return_val_if_fail (OTA_IS_DEPLOYMENT (self), FALSE);
	return self->staged;
}

/**
 * ota_deployment_get_pinned:
 * @self: an #OtaDeployment
 *
 * Returns: %TRUE if the deployment is pinned against pruning
 *
 * Since: 0.1
 */
gboolean
ota_deployment_get_pinned (OtaDeployment *self)
{
	g_return_val_if_fail (OTA_IS_DEPLOYMENT (self), FALSE);
	return self->pinned;
}

static void
ota_deployment_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	OtaDeployment *self = OTA_DEPLOYMENT (object);

	switch (prop_id) {
	case PROP_OSNAME:
		g_value_set_string (value, self->osname);
		break;
	case PROP_CHECKSUM:
		g_value_set_string (value, self->checksum);
		break;
	case PROP_VERSION:
		g_value_set_string (value, self->version);
		break;
	case PROP_SERIAL:
		g_value_set_int (value, self->serial);
		break;
	case PROP_INDEX:
		g_value_set_int (value, self->index);
		break;
	case PROP_ORIGIN:
		g_value_set_string (value, self->origin);
		break;
	case PROP_BOOTED:
		g_value_set_boolean (value, self->booted);
		break;
	case PROP_STAGED:
		g_value_set_boolean (value, self->staged);
		break;
	case PROP_PINNED:
		g_value_set_boolean (value, self->pinned);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ota_deployment_set_string (gchar **field, const GValue *value)
{
	const gchar *str = g_value_get_string (value);

	/* the getters never return NULL: a missing value is "" as on D-Bus */
	g_free (*field);
	*field = g_strdup (str != NULL ? str : "");
}

static void
ota_deployment_set_property (GObject *object,
			     guint prop_id,
			     const GValue *value,
			     GParamSpec *pspec)
{
	OtaDeployment *self = OTA_DEPLOYMENT (object);

	switch (prop_id) {
	case PROP_OSNAME:
		ota_deployment_set_string (&self->osname, value);
		break;
	case PROP_CHECKSUM:
		ota_deployment_set_string (&self->checksum, value);
		break;
	case PROP_VERSION:
		ota_deployment_set_string (&self->version, value);
		break;
	case PROP_SERIAL:
		self->serial = g_value_get_int (value);
		break;
	case PROP_INDEX:
		self->index = g_value_get_int (value);
		break;
	case PROP_ORIGIN:
		ota_deployment_set_string (&self->origin, value);
		break;
	case PROP_BOOTED:
		self->booted = g_value_get_boolean (value);
		break;
	case PROP_STAGED:
		self->staged = g_value_get_boolean (value);
		break;
	case PROP_PINNED:
		self->pinned = g_value_get_boolean (value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ota_deployment_finalize (GObject *object)
{
	OtaDeployment *self = OTA_DEPLOYMENT (object);

	g_free (self->osname);
	g_free (self->checksum);
	g_free (self->version);
	g_free (self->origin);

	G_OBJECT_CLASS (ota_deployment_parent_class)->finalize (object);
}

static void
ota_deployment_init (OtaDeployment *self)
{
	self->osname = g_strdup ("");
	self->checksum = g_strdup ("");
	self->version = g_strdup ("");
	self->origin = g_strdup ("");
}

static void
ota_deployment_class_init (OtaDeploymentClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	const GParamFlags flags =
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

	object_class->get_property = ota_deployment_get_property;
	object_class->set_property = ota_deployment_set_property;
	object_class->finalize = ota_deployment_finalize;

	/**
	 * OtaDeployment:osname:
	 *
	 * The stateroot ("os") of the deployment.
	 *
	 * Since: 0.1
	 */
	ota_deployment_props[PROP_OSNAME] =
	    g_param_spec_string ("osname", NULL, NULL, "", flags);

	/**
	 * OtaDeployment:checksum:
	 *
	 * The OSTree commit checksum.
	 *
	 * Since: 0.1
	 */
	ota_deployment_props[PROP_CHECKSUM] =
	    g_param_spec_string ("checksum", NULL, NULL, "", flags);

	/**
	 * OtaDeployment:version:
	 *
	 * The commit's "version" metadata, "" when it has none.
	 *
	 * Since: 0.1
	 */
	ota_deployment_props[PROP_VERSION] =
	    g_param_spec_string ("version", NULL, NULL, "", flags);

	/**
	 * OtaDeployment:serial:
	 *
	 * The deployment serial within its commit.
	 *
	 * Since: 0.1
	 */
	ota_deployment_props[PROP_SERIAL] =
	    g_param_spec_int ("serial", NULL, NULL, G_MININT, G_MAXINT, 0, flags);

	/**
	 * OtaDeployment:index:
	 *
	 * The position in the deployment list; 0 boots next.
	 *
	 * Since: 0.1
	 */
	ota_deployment_props[PROP_INDEX] =
	    g_param_spec_int ("index", NULL, NULL, G_MININT, G_MAXINT, 0, flags);

	/**
	 * OtaDeployment:origin:
	 *
	 * The origin refspec, "" when it has none.
	 *
	 * Since: 0.1
	 */
	ota_deployment_props[PROP_ORIGIN] =
	    g_param_spec_string ("origin", NULL, NULL, "", flags);

	/**
	 * OtaDeployment:booted:
	 *
	 * Whether the system is running this deployment.
	 *
	 * Since: 0.1
	 */
	ota_deployment_props[PROP_BOOTED] =
	    g_param_spec_boolean ("booted", NULL, NULL, FALSE, flags);

	/**
	 * OtaDeployment:staged:
	 *
	 * Whether the deployment is staged, to be finalised at shutdown.
	 *
	 * Since: 0.1
	 */
	ota_deployment_props[PROP_STAGED] =
	    g_param_spec_boolean ("staged", NULL, NULL, FALSE, flags);

	/**
	 * OtaDeployment:pinned:
	 *
	 * Whether the deployment is pinned against pruning.
	 *
	 * Since: 0.1
	 */
	ota_deployment_props[PROP_PINNED] =
	    g_param_spec_boolean ("pinned", NULL, NULL, FALSE, flags);

	g_object_class_install_properties (object_class, PROP_LAST, ota_deployment_props);
}
