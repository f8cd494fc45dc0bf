/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadEngine"

#include "config.h"

#include "otad-boot-record.h"
#include "otad-history.h"

/* GetHistory: the boot record's attempts as D-Bus dictionaries (see the XML) */

static const gchar *
otad_history_action (OtadBootOutcome outcome)
{
	switch (outcome) {
	case OTAD_BOOT_OUTCOME_SUCCESS:
		return "confirm";
	case OTAD_BOOT_OUTCOME_HEALTH_CHECK_FAILED:
		return "health-check-failed";
	case OTAD_BOOT_OUTCOME_BOOTLOADER_ROLLBACK:
		return "bootloader-rollback";
	case OTAD_BOOT_OUTCOME_INSTALL_FAILED:
		return "install";
	case OTAD_BOOT_OUTCOME_MANUAL_ROLLBACK:
	default:
		return "rollback";
	}
}

static GVariant *
otad_history_entry (gint64 time,
			   const gchar *action,
			   const gchar *commit,
			   const gchar *version,
			   gboolean success,
			   const gchar *detail,
			   const gchar *correlation_id)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	g_variant_builder_add (&b, "{sv}", "time", g_variant_new_uint64 ((guint64)MAX (time, 0)));
	g_variant_builder_add (&b, "{sv}", "action", g_variant_new_string (action));
	g_variant_builder_add (&b, "{sv}", "commit", g_variant_new_string (commit ? commit : ""));
	g_variant_builder_add (&b, "{sv}", "version",
			       g_variant_new_string (version != NULL ? version : ""));
	g_variant_builder_add (&b, "{sv}", "success", g_variant_new_boolean (success));
	g_variant_builder_add (&b, "{sv}", "detail",
			       g_variant_new_string (detail != NULL ? detail : ""));
	g_variant_builder_add (&b, "{sv}", "correlation-id",
			       g_variant_new_string (correlation_id != NULL ? correlation_id : ""));
	return g_variant_builder_end (&b);
}

/**
 * otad_history_load:
 * @state_dir: where the boot record is
 *
 * Returns: (transfer floating): aa{sv}, newest first (the GetHistory reply): the
 *   install waiting for confirmation, then the finished attempts
 */
GVariant *
otad_history_load (const gchar *state_dir, GError **error)
{
	g_autofree gchar *path = g_build_filename (state_dir, OTAD_BOOT_RECORD_FILENAME, NULL);
	g_autoptr(OtadBootRecord) record = otad_boot_record_new (path);
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
	const OtadBootPending *pending;
	GPtrArray *history;

	/* the file is replaced atomically by the workers: a fresh read is consistent */
	if (!otad_boot_record_load (record, error))
		return NULL;
	pending = otad_boot_record_get_pending (record);
	if (pending != NULL)
		g_variant_builder_add_value (
		    &b, otad_history_entry (pending->installed_at, "install",
						   pending->commit, pending->version, TRUE,
						   pending->detail, pending->correlation_id));
	history = otad_boot_record_get_history (record);
	for (guint i = history->len; i > 0; i--) {
		OtadBootHistoryEntry *e = g_ptr_array_index (history, i - 1);
		g_variant_builder_add_value (
		    &b, otad_history_entry (e->time, otad_history_action (e->outcome),
						   e->commit, e->version,
						   e->outcome == OTAD_BOOT_OUTCOME_SUCCESS,
						   e->detail, e->correlation_id));
	}
	return g_variant_builder_end (&b);
}
