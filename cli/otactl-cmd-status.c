/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "otactl-context.h"
#include "otactl-json.h"
#include "otactl-labels.h"

/* `otactl status`: what otad reports, as text or as one JSON object:
 *
 *   {
 *     "state": "idle",                      the State property
 *     "error": null | {"name": "org.otad.Updater1.Error.…", "message": "…"},
 *     "booted": null | {deployment},         the running deployment
 *     "pending": null | {deployment},        boots next (staged or new default)
 *     "rollback": null | {deployment},       the other A/B slot
 *     "last-check-time": null | seconds since the epoch,
 *     "daemon-version": the interface minor version (u)
 *   }
 *
 * where a deployment is {"osname", "checksum", "version", "serial", "index",
 * "origin", "booted", "staged", "pinned"}, as on D-Bus */

static const gchar *
otactl_cmd_status_state_description (OtaState state)
{
	switch (state) {
	case OTA_STATE_IDLE:
		/* TRANSLATORS: explains the state "idle" */
		return _("nothing to do");
	case OTA_STATE_CHECKING:
		/* TRANSLATORS: explains the state "checking" */
		return _("checking the server for an update");
	case OTA_STATE_UPDATE_AVAILABLE:
		/* TRANSLATORS: explains the state "update-available" */
		return _("an update is available");
	case OTA_STATE_AWAITING_CONSENT:
		/* TRANSLATORS: explains the state "awaiting-consent" */
		return _("an update waits for consent");
	case OTA_STATE_DOWNLOADING:
		/* TRANSLATORS: explains the state "downloading" */
		return _("downloading an update");
	case OTA_STATE_DOWNLOADED:
		/* TRANSLATORS: explains the state "downloaded" */
		return _("an update is downloaded and verified");
	case OTA_STATE_INSTALLING:
		/* TRANSLATORS: explains the state "installing" */
		return _("installing an update");
	case OTA_STATE_PENDING_REBOOT:
		/* TRANSLATORS: explains the state "pending-reboot" */
		return _("an update is installed and waits for a reboot");
	case OTA_STATE_CONFIRMING:
		/* TRANSLATORS: explains the state "confirming" */
		return _("checking the newly booted deployment");
	case OTA_STATE_ROLLED_BACK:
		/* TRANSLATORS: explains the state "rolled-back" */
		return _("the update failed and the previous deployment is back");
	case OTA_STATE_ERROR:
		/* TRANSLATORS: explains the state "error" */
		return _("the last operation failed");
	default:
		return "";
	}
}

/* "  Label:   value" with the values of one block aligned, whatever the translation */
static void
otactl_cmd_status_print_field (const gchar *label, const gchar *value, guint width)
{
	glong len = g_utf8_strlen (label, -1);
	g_print ("  %s%*s %s\n", label, (gint)(width > len ? width - len : 0), "", value);
}

static void
otactl_cmd_status_print_deployment (const gchar *heading, OtaDeployment *deployment)
{
	const gchar *labels[] = {
	    /* TRANSLATORS: field of a deployment: the OSTree stateroot */
	    _("OS:"),
	    /* TRANSLATORS: field of a deployment: the version of the commit */
	    _("Version:"),
	    /* TRANSLATORS: field of a deployment: the OSTree commit checksum */
	    _("Commit:"),
	    /* TRANSLATORS: field of a deployment: the deployment serial */
	    _("Serial:"),
	    /* TRANSLATORS: field of a deployment: the origin refspec */
	    _("Origin:"),
	    /* TRANSLATORS: field of a deployment: "staged", "pinned" */
	    _("Flags:"),
	};
	g_autoptr(GPtrArray) flags = g_ptr_array_new ();
	g_autofree gchar *serial = NULL;
	g_autofree gchar *flags_str = NULL;
	const gchar *version;
	const gchar *origin;
	guint width = 0;

	if (deployment == NULL) {
		/* TRANSLATORS: %s is a heading such as "Pending deployment" */
		g_print (_("%s: none"), heading);
		g_print ("\n");
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
		width = MAX (width, (guint)g_utf8_strlen (labels[i], -1));

	g_print ("%s:\n", heading);
	version = ota_deployment_get_version (deployment);
	origin = ota_deployment_get_origin (deployment);
	serial = g_strdup_printf ("%d", ota_deployment_get_serial (deployment));
	otactl_cmd_status_print_field (labels[0], ota_deployment_get_osname (deployment), width);
	/* TRANSLATORS: shown when a commit or deployment has no version or origin */
	otactl_cmd_status_print_field (labels[1], version[0] != '\0' ? version : _("(none)"), width);
	otactl_cmd_status_print_field (labels[2], ota_deployment_get_checksum (deployment), width);
	otactl_cmd_status_print_field (labels[3], serial, width);
	otactl_cmd_status_print_field (labels[4], origin[0] != '\0' ? origin : _("(none)"), width);
	if (ota_deployment_get_staged (deployment))
		/* TRANSLATORS: a deployment flag */
		g_ptr_array_add (flags, (gpointer)_("staged"));
	if (ota_deployment_get_pinned (deployment))
		/* TRANSLATORS: a deployment flag */
		g_ptr_array_add (flags, (gpointer)_("pinned"));
	if (flags->len > 0) {
		g_ptr_array_add (flags, NULL);
		flags_str = g_strjoinv (", ", (gchar **)flags->pdata);
		otactl_cmd_status_print_field (labels[5], flags_str, width);
	}
}

static gchar *
otactl_cmd_status_format_time (guint64 secs)
{
	g_autoptr(GDateTime) dt = NULL;

	if (secs == 0)
		/* TRANSLATORS: the time of the last check when there was none */
		return g_strdup (_("never"));
	dt = g_date_time_new_from_unix_local ((gint64)MIN (secs, (guint64)G_MAXINT64));
	if (dt == NULL)
		return g_strdup_printf ("%" G_GUINT64_FORMAT, secs);
	return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S %Z");
}

static void
otactl_cmd_status_print_text (OtaClient *client)
{
	OtaState state = ota_client_get_state (client);
	const gchar *error_name = ota_client_get_error_name (client);
	g_autofree gchar *last_check = NULL;

	/* TRANSLATORS: first %s is a state name such as "idle", second explains it */
	g_print (_("State: %s (%s)"), otactl_state_label (state),
		 otactl_cmd_status_state_description (state));
	g_print ("\n");
	if (error_name[0] != '\0') {
		/* TRANSLATORS: first %s is a D-Bus error name, second its message */
		g_print (_("Last error: %s: %s"), error_name, ota_client_get_error_message (client));
		g_print ("\n");
	}
	last_check = otactl_cmd_status_format_time (ota_client_get_last_check_time (client));
	/* TRANSLATORS: %s is a date and time, or "never" */
	g_print (_("Last check: %s"), last_check);
	g_print ("\n\n");

	/* TRANSLATORS: heading: the deployment the system runs */
	otactl_cmd_status_print_deployment (_("Booted deployment"),
					    ota_client_get_booted_deployment (client));
	g_print ("\n");
	/* TRANSLATORS: heading: the deployment that boots next */
	otactl_cmd_status_print_deployment (_("Pending deployment (boots next)"),
					    ota_client_get_pending_deployment (client));
	g_print ("\n");
	/* TRANSLATORS: heading: the deployment in the other A/B slot */
	otactl_cmd_status_print_deployment (_("Rollback deployment (other slot)"),
					    ota_client_get_rollback_deployment (client));
}

static void
otactl_cmd_status_print_json (OtaClient *client)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	const gchar *error_name = ota_client_get_error_name (client);
	guint64 last_check = ota_client_get_last_check_time (client);

	json_builder_begin_object (builder);
	otactl_json_add_state (builder, client);
	json_builder_set_member_name (builder, "error");
	if (error_name[0] != '\0') {
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "name");
		json_builder_add_string_value (builder, error_name);
		json_builder_set_member_name (builder, "message");
		json_builder_add_string_value (builder, ota_client_get_error_message (client));
		json_builder_end_object (builder);
	} else {
		json_builder_add_null_value (builder);
	}
	otactl_json_add_deployment (builder, "booted", ota_client_get_booted_deployment (client));
	otactl_json_add_deployment (builder, "pending", ota_client_get_pending_deployment (client));
	otactl_json_add_deployment (builder,
				    "rollback",
				    ota_client_get_rollback_deployment (client));
	json_builder_set_member_name (builder, "last-check-time");
	if (last_check != 0)
		json_builder_add_int_value (builder, (gint64)MIN (last_check, (guint64)G_MAXINT64));
	else
		json_builder_add_null_value (builder);
	json_builder_set_member_name (builder, "daemon-version");
	json_builder_add_int_value (builder, ota_client_get_daemon_version (client));
	json_builder_end_object (builder);

	otactl_json_print (builder);
}

gint
otactl_cmd_status (OtactlContext *ctx, gint argc, gchar **argv)
{
	gint exit_code = OTACTL_EXIT_OK;

	if (!otactl_context_prepare (ctx, NULL, &argc, &argv, &exit_code))
		return exit_code;

	if (ctx->json)
		otactl_cmd_status_print_json (ctx->client);
	else
		otactl_cmd_status_print_text (ctx->client);

	/* success */
	return OTACTL_EXIT_OK;
}
