/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-history-entry.h"

/**
 * OtaHistoryEntry:
 *
 * One step of an update and its outcome, as ota_client_get_history_async()
 * returns them: when, what (check, download, install, confirm,
 * health-check-failed, bootloader-rollback, rollback, consent, decline,
 * postpone), about which offer, the result and, for a failure, the error.
 *
 * Instances are immutable.
 *
 * Since: 0.2
 */

struct _OtaHistoryEntry {
	GObject parent_instance;
	guint64 time;
	gchar *action;	       /* (owned) */
	gchar *commit;	       /* (owned) */
	gchar *version;	       /* (owned) */
	gboolean success;
	gchar *detail;	       /* (owned) */
	gchar *correlation_id; /* (owned) */
	/* since 0.4 (interface version 4) */
	gchar *result;	      /* (owned) */
	gchar *name;	      /* (owned) */
	gchar *offer_id;      /* (owned) */
	gchar *error_name;    /* (owned) */
	gchar *error_message; /* (owned) */
};

G_DEFINE_FINAL_TYPE (OtaHistoryEntry, ota_history_entry, G_TYPE_OBJECT)

enum {
	PROP_0,
	PROP_TIME,
	PROP_ACTION,
	PROP_COMMIT,
	PROP_VERSION,
	PROP_SUCCESS,
	PROP_DETAIL,
	PROP_CORRELATION_ID,
	PROP_RESULT,
	PROP_NAME,
	PROP_OFFER_ID,
	PROP_ERROR_NAME,
	PROP_ERROR_MESSAGE,
	PROP_LAST
};

static GParamSpec *ota_history_entry_props[PROP_LAST] = {NULL};

/**
 * ota_history_entry_new_from_variant:
 * @value: one history dictionary of type `a{sv}`, as GetHistory returns them
 *
 * Builds an entry from the dictionary otad sends.  Keys that are missing or
 * have an unexpected type keep their defaults ("" or 0 or %FALSE); unknown
 * keys are ignored so that newer daemons can add some.
 *
 * Returns: (transfer full): a new #OtaHistoryEntry
 *
 * Since: 0.2
 */
OtaHistoryEntry *
ota_history_entry_new_from_variant (GVariant *value)
{
	const gchar *action = "";
	const gchar *commit = "";
	const gchar *version = "";
	const gchar *detail = "";
	const gchar *correlation_id = "";
	const gchar *result = NULL;
	const gchar *name = "";
	const gchar *offer_id = "";
	const gchar *error_name = "";
	const gchar *error_message = "";
	guint64 time = 0;
	gboolean success = FALSE;

	g_return_val_if_fail (value != NULL, NULL);
	g_return_val_if_fail (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT), NULL);

	/* a value of the wrong type leaves the default in place */
	g_variant_lookup (value, "time", "t", &time);
	g_variant_lookup (value, "action", "&s", &action);
	g_variant_lookup (value, "commit", "&s", &commit);
	g_variant_lookup (value, "version", "&s", &version);
	g_variant_lookup (value, "success", "b", &success);
	g_variant_lookup (value, "detail", "&s", &detail);
	g_variant_lookup (value, "correlation-id", "&s", &correlation_id);
	g_variant_lookup (value, "result", "&s", &result);
	g_variant_lookup (value, "name", "&s", &name);
	g_variant_lookup (value, "offer-id", "&s", &offer_id);
	g_variant_lookup (value, "error-name", "&s", &error_name);
	g_variant_lookup (value, "error-message", "&s", &error_message);
	/* an otad before interface version 4 sends only "success" */
	if (result == NULL)
		result = success ? "succeeded" : "failed";

	return g_object_new (OTA_TYPE_HISTORY_ENTRY,
			     "time", time,
			     "action", action,
			     "commit", commit,
			     "version", version,
			     "success", success,
			     "detail", detail,
			     "correlation-id", correlation_id,
			     "result", result,
			     "name", name,
			     "offer-id", offer_id,
			     "error-name", error_name,
			     "error-message", error_message,
			     NULL);
}

/**
 * ota_history_entry_get_time:
 * @self: an #OtaHistoryEntry
 *
 * Returns: when it happened, in seconds since the Unix epoch
 *
 * Since: 0.2
 */
guint64
ota_history_entry_get_time (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), 0);
	return self->time;
}

/**
 * ota_history_entry_get_action:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): what happened: "install", "confirm",
 *   "health-check-failed", "bootloader-rollback" or "rollback"
 *
 * Since: 0.2
 */
const gchar *
ota_history_entry_get_action (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->action;
}

/**
 * ota_history_entry_get_commit:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): the OSTree commit checksum concerned
 *
 * Since: 0.2
 */
const gchar *
ota_history_entry_get_commit (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->commit;
}

/**
 * ota_history_entry_get_version:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): the version of that commit, "" when it has none
 *
 * Since: 0.2
 */
const gchar *
ota_history_entry_get_version (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->version;
}

/**
 * ota_history_entry_get_success:
 * @self: an #OtaHistoryEntry
 *
 * Returns: %TRUE when the action succeeded
 *
 * Since: 0.2
 */
gboolean
ota_history_entry_get_success (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), FALSE);
	return self->success;
}

/**
 * ota_history_entry_get_detail:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): human readable details, e.g. why it failed
 *
 * Since: 0.2
 */
const gchar *
ota_history_entry_get_detail (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->detail;
}

/**
 * ota_history_entry_get_correlation_id:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): the server's campaign id, "" when there was none
 *
 * Since: 0.2
 */
const gchar *
ota_history_entry_get_correlation_id (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->correlation_id;
}

/**
 * ota_history_entry_get_result:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): "succeeded", "failed" or "cancelled"
 *
 * Since: 0.4
 */
const gchar *
ota_history_entry_get_result (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->result;
}

/**
 * ota_history_entry_get_name:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): the target's name on the server, "" when not known
 *
 * Since: 0.4
 */
const gchar *
ota_history_entry_get_name (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->name;
}

/**
 * ota_history_entry_get_offer_id:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): the id of the offer the step was about, "" when
 *   it had none
 *
 * Since: 0.4
 */
const gchar *
ota_history_entry_get_offer_id (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->offer_id;
}

/**
 * ota_history_entry_get_error_name:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): the D-Bus error name of a failure
 *   (`org.otad.Updater1.Error.*`), "" otherwise
 *
 * Since: 0.4
 */
const gchar *
ota_history_entry_get_error_name (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->error_name;
}

/**
 * ota_history_entry_get_error_message:
 * @self: an #OtaHistoryEntry
 *
 * Returns: (transfer none): what failed, in words, "" otherwise
 *
 * Since: 0.4
 */
const gchar *
ota_history_entry_get_error_message (OtaHistoryEntry *self)
{
	g_return_val_if_fail (OTA_IS_HISTORY_ENTRY (self), NULL);
	return self->error_message;
}

static gchar **
ota_history_entry_string_field (OtaHistoryEntry *self, guint prop_id)
{
	switch (prop_id) {
	case PROP_ACTION:
		return &self->action;
	case PROP_COMMIT:
		return &self->commit;
	case PROP_VERSION:
		return &self->version;
	case PROP_DETAIL:
		return &self->detail;
	case PROP_CORRELATION_ID:
		return &self->correlation_id;
	case PROP_RESULT:
		return &self->result;
	case PROP_NAME:
		return &self->name;
	case PROP_OFFER_ID:
		return &self->offer_id;
	case PROP_ERROR_NAME:
		return &self->error_name;
	case PROP_ERROR_MESSAGE:
		return &self->error_message;
	default:
		return NULL;
	}
}

static void
ota_history_entry_get_property (GObject *object,
				guint prop_id,
				GValue *value,
				GParamSpec *pspec)
{
	OtaHistoryEntry *self = OTA_HISTORY_ENTRY (object);
	gchar **field = ota_history_entry_string_field (self, prop_id);

	if (field != NULL) {
		g_value_set_string (value, *field);
		return;
	}
	switch (prop_id) {
	case PROP_TIME:
		g_value_set_uint64 (value, self->time);
		break;
	case PROP_SUCCESS:
		g_value_set_boolean (value, self->success);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ota_history_entry_set_property (GObject *object,
				guint prop_id,
				const GValue *value,
				GParamSpec *pspec)
{
	OtaHistoryEntry *self = OTA_HISTORY_ENTRY (object);
	gchar **field = ota_history_entry_string_field (self, prop_id);

	if (field != NULL) {
		const gchar *str = g_value_get_string (value);
		g_free (*field);
		*field = g_strdup (str != NULL ? str : "");
		return;
	}
	switch (prop_id) {
	case PROP_TIME:
		self->time = g_value_get_uint64 (value);
		break;
	case PROP_SUCCESS:
		self->success = g_value_get_boolean (value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ota_history_entry_finalize (GObject *object)
{
	OtaHistoryEntry *self = OTA_HISTORY_ENTRY (object);

	g_free (self->action);
	g_free (self->commit);
	g_free (self->version);
	g_free (self->detail);
	g_free (self->correlation_id);
	g_free (self->result);
	g_free (self->name);
	g_free (self->offer_id);
	g_free (self->error_name);
	g_free (self->error_message);

	G_OBJECT_CLASS (ota_history_entry_parent_class)->finalize (object);
}

static void
ota_history_entry_init (OtaHistoryEntry *self)
{
	self->action = g_strdup ("");
	self->commit = g_strdup ("");
	self->version = g_strdup ("");
	self->detail = g_strdup ("");
	self->correlation_id = g_strdup ("");
	self->result = g_strdup ("");
	self->name = g_strdup ("");
	self->offer_id = g_strdup ("");
	self->error_name = g_strdup ("");
	self->error_message = g_strdup ("");
}

static void
ota_history_entry_class_init (OtaHistoryEntryClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	const GParamFlags flags =
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

	object_class->get_property = ota_history_entry_get_property;
	object_class->set_property = ota_history_entry_set_property;
	object_class->finalize = ota_history_entry_finalize;

	/**
	 * OtaHistoryEntry:time:
	 *
	 * When it happened, in seconds since the Unix epoch.
	 *
	 * Since: 0.2
	 */
	ota_history_entry_props[PROP_TIME] =
	    g_param_spec_uint64 ("time", NULL, NULL, 0, G_MAXUINT64, 0, flags);

	/**
	 * OtaHistoryEntry:action:
	 *
	 * What happened.
	 *
	 * Since: 0.2
	 */
	ota_history_entry_props[PROP_ACTION] =
	    g_param_spec_string ("action", NULL, NULL, "", flags);

	/**
	 * OtaHistoryEntry:commit:
	 *
	 * The OSTree commit checksum concerned.
	 *
	 * Since: 0.2
	 */
	ota_history_entry_props[PROP_COMMIT] =
	    g_param_spec_string ("commit", NULL, NULL, "", flags);

	/**
	 * OtaHistoryEntry:version:
	 *
	 * The version of that commit.
	 *
	 * Since: 0.2
	 */
	ota_history_entry_props[PROP_VERSION] =
	    g_param_spec_string ("version", NULL, NULL, "", flags);

	/**
	 * OtaHistoryEntry:success:
	 *
	 * Whether the action succeeded.
	 *
	 * Since: 0.2
	 */
	ota_history_entry_props[PROP_SUCCESS] =
	    g_param_spec_boolean ("success", NULL, NULL, FALSE, flags);

	/**
	 * OtaHistoryEntry:detail:
	 *
	 * Human readable details.
	 *
	 * Since: 0.2
	 */
	ota_history_entry_props[PROP_DETAIL] =
	    g_param_spec_string ("detail", NULL, NULL, "", flags);

	/**
	 * OtaHistoryEntry:correlation-id:
	 *
	 * The server's campaign id.
	 *
	 * Since: 0.2
	 */
	ota_history_entry_props[PROP_CORRELATION_ID] =
	    g_param_spec_string ("correlation-id", NULL, NULL, "", flags);
	/**
	 * OtaHistoryEntry:result:
	 *
	 * "succeeded", "failed" or "cancelled".
	 *
	 * Since: 0.4
	 */
	ota_history_entry_props[PROP_RESULT] =
	    g_param_spec_string ("result", NULL, NULL, "", flags);
	/**
	 * OtaHistoryEntry:name:
	 *
	 * The target's name on the server.
	 *
	 * Since: 0.4
	 */
	ota_history_entry_props[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, "", flags);
	/**
	 * OtaHistoryEntry:offer-id:
	 *
	 * The id of the offer the step was about.
	 *
	 * Since: 0.4
	 */
	ota_history_entry_props[PROP_OFFER_ID] =
	    g_param_spec_string ("offer-id", NULL, NULL, "", flags);
	/**
	 * OtaHistoryEntry:error-name:
	 *
	 * The D-Bus error name of a failure.
	 *
	 * Since: 0.4
	 */
	ota_history_entry_props[PROP_ERROR_NAME] =
	    g_param_spec_string ("error-name", NULL, NULL, "", flags);
	/**
	 * OtaHistoryEntry:error-message:
	 *
	 * What failed, in words.
	 *
	 * Since: 0.4
	 */
	ota_history_entry_props[PROP_ERROR_MESSAGE] =
	    g_param_spec_string ("error-message", NULL, NULL, "", flags);

	g_object_class_install_properties (object_class, PROP_LAST, ota_history_entry_props);
}
