/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "otactl-context.h"
#include "otactl-json.h"

/* `otactl config get [KEY]`, `config set KEY VALUE`, `config reset KEY...` and
 * `otactl schedule [download|install|reboot WINDOW]`: the configuration otad can
 * change at run time (GetConfiguration/SetConfiguration/ResetConfiguration).  A
 * VALUE is text; it is given the type GetConfiguration shows for KEY (true/false
 * for booleans, a decimal number for numbers).
 * JSON: the values as an object {"GROUP.KEY": value, …} */

static void
otactl_config_add_value (JsonBuilder *builder, GVariant *value)
{
	if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
		json_builder_add_boolean_value (builder, g_variant_get_boolean (value));
	else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
		json_builder_add_int_value (builder, (gint64)g_variant_get_uint64 (value));
	else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
		json_builder_add_string_value (builder, g_variant_get_string (value, NULL));
}

static gchar *
otactl_config_value_to_text (GVariant *value)
{
	if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
		return g_strdup (g_variant_get_string (value, NULL));
	if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
		return g_strdup (g_variant_get_boolean (value) ? "true" : "false");
	if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
		return g_strdup_printf ("%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
	return g_variant_print (value, FALSE);
}

/* @text as the type of @current; NULL with @error when it does not fit */
static GVariant *
otactl_config_parse_value (GVariant *current, const gchar *key, const gchar *text,
			   GError **error)
{
	if (g_variant_is_of_type (current, G_VARIANT_TYPE_BOOLEAN)) {
		if (g_strcmp0 (text, "true") == 0 || g_strcmp0 (text, "false") == 0)
			return g_variant_new_boolean (g_strcmp0 (text, "true") == 0);
	} else if (g_variant_is_of_type (current, G_VARIANT_TYPE_UINT64)) {
		guint64 n = 0;
		if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &n, NULL))
			return g_variant_new_uint64 (n);
	} else {
		return g_variant_new_string (text);
	}
	g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		     /* TRANSLATORS: %s is a value, then a configuration key */
		     _("“%s” is not a valid value for %s"), text, key);
	return NULL;
}

static gint
otactl_config_print (OtactlContext *ctx, GVariant *values, const gchar *only_key)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	GVariantIter iter;
	const gchar *key;
	GVariant *value;
	gboolean found = only_key == NULL;

	json_builder_begin_object (builder);
	g_variant_iter_init (&iter, values);
	while (g_variant_iter_next (&iter, "{&sv}", &key, &value)) {
		g_autoptr(GVariant) owned = value;
		g_autofree gchar *text = NULL;

		if (only_key != NULL && g_strcmp0 (only_key, key) != 0)
			continue;
		found = TRUE;
		json_builder_set_member_name (builder, key);
		otactl_config_add_value (builder, value);
		text = otactl_config_value_to_text (value);
		if (!ctx->json && only_key != NULL)
			g_print ("%s\n", text);
		else if (!ctx->json)
			g_print ("%s=%s\n", key, text);
	}
	json_builder_end_object (builder);
	if (!found) {
		g_autoptr(GError) error = NULL;
		g_set_error (&error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
			     /* TRANSLATORS: %s is a configuration key */
			     _("%s cannot be read or set at run time"), only_key);
		return otactl_context_report_error (ctx, _("cannot read the configuration"),
						    error);
	}
	if (ctx->json)
		otactl_json_print (builder);
	return OTACTL_EXIT_OK;
}

/* KEY VALUE [KEY VALUE...] → SetConfiguration */
static gint
otactl_config_set (OtactlContext *ctx, GVariant *current, gint n, gchar **pairs)
{
	g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) values = NULL;

	for (gint i = 0; i + 1 < n; i += 2) {
		g_autoptr(GVariant) now = g_variant_lookup_value (current, pairs[i], NULL);
		GVariant *value;

		if (now == NULL) {
			g_set_error (&error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
				     _("%s cannot be read or set at run time"), pairs[i]);
			return otactl_context_report_error (ctx, _("cannot set"), error);
		}
		value = otactl_config_parse_value (now, pairs[i], pairs[i + 1], &error);
		if (value == NULL)
			/* TRANSLATORS: what failed, in "otactl: %s: reason" */
			return otactl_context_report_error (ctx, _("cannot set"), error);
		g_variant_builder_add (&builder, "{sv}", pairs[i], value);
	}
	values = g_variant_ref_sink (g_variant_builder_end (&builder));
	otactl_context_start_agent (ctx);
	if (!ota_client_set_configuration_sync (ctx->client, values,
						otactl_context_get_flags (ctx), NULL, &error))
		return otactl_context_report_error (ctx, _("cannot set"), error);
	return OTACTL_EXIT_OK;
}

static gint
otactl_config_run (OtactlContext *ctx, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) values = NULL;
	const gchar *verb = argc > 1 ? argv[1] : "get";
	gint exit_code;

	if (!(g_strcmp0 (verb, "get") == 0 && argc <= 3) &&
	    !(g_strcmp0 (verb, "set") == 0 && argc == 4) &&
	    !(g_strcmp0 (verb, "reset") == 0 && argc >= 3)) {
		otactl_context_usage_error (ctx, _("expected get [KEY], set KEY VALUE or "
						   "reset KEY…"));
		return OTACTL_EXIT_USAGE;
	}
	exit_code = otactl_context_connect (ctx);
	if (exit_code != OTACTL_EXIT_OK)
		return exit_code;
	values = ota_client_get_configuration_sync (ctx->client, NULL, &error);
	if (values == NULL)
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return otactl_context_report_error (ctx, _("cannot read the configuration"), error);
	if (g_strcmp0 (verb, "get") == 0)
		return otactl_config_print (ctx, values, argc == 3 ? argv[2] : NULL);
	if (g_strcmp0 (verb, "set") == 0)
		exit_code = otactl_config_set (ctx, values, 2, argv + 2);
	else {
		otactl_context_start_agent (ctx);
		if (!ota_client_reset_configuration_sync (ctx->client,
							  (const gchar *const *)argv + 2,
							  otactl_context_get_flags (ctx), NULL, &error))
			/* TRANSLATORS: what failed, in "otactl: %s: reason" */
			return otactl_context_report_error (ctx, _("cannot reset"), error);
	}
	if (exit_code != OTACTL_EXIT_OK)
		return exit_code;
	g_clear_pointer (&values, g_variant_unref);
	values = ota_client_get_configuration_sync (ctx->client, NULL, &error);
	if (values == NULL)
		return otactl_context_report_error (ctx, _("cannot read the configuration"), error);
	return ctx->json ? otactl_config_print (ctx, values, NULL) : OTACTL_EXIT_OK;
}

gint
otactl_cmd_config (OtactlContext *ctx, gint argc, gchar **argv)
{
	gint exit_code = OTACTL_EXIT_OK;

	if (!otactl_context_parse (ctx, NULL, &argc, &argv, &exit_code))
		return exit_code;
	return otactl_config_run (ctx, argc, argv);
}

/* `otactl schedule`: the windows, the reboot policy and what waits; with
 * `download|install|reboot WINDOW` sets a window ("" for any time) */
gint
otactl_cmd_schedule (OtactlContext *ctx, gint argc, gchar **argv)
{
	static const gchar *const kinds[] = {"download", "install", "reboot", NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) values = NULL;
	gint exit_code = OTACTL_EXIT_OK;

	if (!otactl_context_parse (ctx, NULL, &argc, &argv, &exit_code))
		return exit_code;
	if (argc != 1 && !(argc == 3 && g_strv_contains (kinds, argv[1]))) {
		otactl_context_usage_error (ctx, _("expected download, install or reboot and "
						   "a window"));
		return OTACTL_EXIT_USAGE;
	}
	exit_code = otactl_context_connect (ctx);
	if (exit_code != OTACTL_EXIT_OK)
		return exit_code;
	values = ota_client_get_configuration_sync (ctx->client, NULL, &error);
	if (values == NULL)
		return otactl_context_report_error (ctx, _("cannot read the configuration"), error);
	if (argc == 3) {
		g_autofree gchar *key = g_strdup_printf ("schedule.%s-window", argv[1]);
		gchar *pair[] = {key, argv[2]};
		return otactl_config_set (ctx, values, 2, pair);
	}
	if (ctx->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new ();
		json_builder_begin_object (builder);
		for (guint i = 0; kinds[i] != NULL; i++) {
			g_autofree gchar *key = g_strdup_printf ("schedule.%s-window", kinds[i]);
			g_autoptr(GVariant) w = g_variant_lookup_value (values, key, NULL);
			json_builder_set_member_name (builder, kinds[i]);
			if (w != NULL)
				otactl_config_add_value (builder, w);
			else
				json_builder_add_null_value (builder);
		}
		json_builder_set_member_name (builder, "waiting-for");
		json_builder_add_string_value (builder, ota_client_get_waiting_for (ctx->client));
		json_builder_set_member_name (builder, "waiting-until");
		json_builder_add_int_value (builder,
					    (gint64)ota_client_get_waiting_until (ctx->client));
		json_builder_end_object (builder);
		otactl_json_print (builder);
		return OTACTL_EXIT_OK;
	}
	for (guint i = 0; kinds[i] != NULL; i++) {
		g_autofree gchar *key = g_strdup_printf ("schedule.%s-window", kinds[i]);
		const gchar *w = NULL;
		g_variant_lookup (values, key, "&s", &w);
		/* TRANSLATORS: %s is download, install or reboot; then the window */
		g_print (_("%-8s window: %s"), kinds[i],
			 w != NULL && w[0] != '\0' ? w : _("any time"));
		g_print ("\n");
	}
	{
		const gchar *policy = NULL;
		const gchar *waiting = ota_client_get_waiting_for (ctx->client);
		g_variant_lookup (values, "schedule.reboot-policy", "&s", &policy);
		/* TRANSLATORS: %s is never, in-window or ask */
		g_print (_("reboot policy: %s"), policy != NULL ? policy : "");
		g_print ("\n");
		if (waiting[0] != '\0') {
			guint64 until = ota_client_get_waiting_until (ctx->client);
			g_autoptr(GDateTime) t =
			    until > 0 ? g_date_time_new_from_unix_local ((gint64)until) : NULL;
			g_autofree gchar *when =
			    t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M:%S") : NULL;
			/* TRANSLATORS: %s is what otad waits for, e.g. install-window */
			g_print (_("waiting for: %s"), waiting);
			if (when != NULL)
				/* TRANSLATORS: %s is a date and time */
				g_print (_(" (until %s)"), when);
			g_print ("\n");
		}
	}
	return OTACTL_EXIT_OK;
}
