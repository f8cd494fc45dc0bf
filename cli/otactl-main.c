/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "otactl-context.h"

/* one entry per subcommand, in the order `otactl --help` lists them */
static const OtactlCommand otactl_commands[] = {
    {"status", "",
     /* TRANSLATORS: description of `otactl status` */
     N_("Show the state of otad and the booted, pending and rollback deployments"),
     otactl_cmd_status},
    {"check", "",
     /* TRANSLATORS: description of `otactl check` */
     N_("Check the server for an update and show what it offers"),
     otactl_cmd_check},
    {"download", "",
     /* TRANSLATORS: description of `otactl download` */
     N_("Download the update on offer"),
     otactl_cmd_download},
    {"install", "",
     /* TRANSLATORS: description of `otactl install` */
     N_("Install the downloaded update; it starts at the next reboot"),
     otactl_cmd_install},
    {"update", "",
     /* TRANSLATORS: description of `otactl update` */
     N_("Check, download and install in one go"),
     otactl_cmd_update},
    {"cancel", "",
     /* TRANSLATORS: description of `otactl cancel` */
     N_("Cancel the running check, download or installation"),
     otactl_cmd_cancel},
    {"rollback", "",
     /* TRANSLATORS: description of `otactl rollback` */
     N_("Boot the other A/B slot again, or drop a pending update"),
     otactl_cmd_rollback},
    {"consent", "",
     /* TRANSLATORS: description of `otactl consent` */
     N_("Agree to the update on offer: download and install it"),
     otactl_cmd_consent},
    {"decline", "",
     /* TRANSLATORS: description of `otactl decline` */
     N_("Refuse the update on offer; it is not offered again automatically"),
     otactl_cmd_decline},
    {"postpone", "",
     /* TRANSLATORS: description of `otactl postpone` */
     N_("Put the update on offer off until later"),
     otactl_cmd_postpone},
    {"discard", "",
     /* TRANSLATORS: description of `otactl discard` */
     N_("Delete a downloaded update that was not installed"),
     otactl_cmd_discard},
    {"history", "",
     /* TRANSLATORS: description of `otactl history` */
     N_("Show past updates and their outcomes"),
     otactl_cmd_history},
    {"inhibit", "REASON",
     /* TRANSLATORS: description of `otactl inhibit` */
     N_("Hold installs back until interrupted"),
     otactl_cmd_inhibit},
    {"monitor", "",
     /* TRANSLATORS: description of `otactl monitor` */
     N_("Follow otad's state and progress until interrupted"),
     otactl_cmd_monitor},
    {"reboot", "",
     /* TRANSLATORS: description of `otactl reboot` */
     N_("Reboot now to finish an update or a rollback"),
     otactl_cmd_reboot},
    {"schedule", "[download|install|reboot WINDOW]",
     /* TRANSLATORS: description of `otactl schedule` */
     N_("Show the maintenance windows, or set one (e.g. \"Mon..Fri 02:00-04:00\")"),
     otactl_cmd_schedule},
    {"config", "get [KEY] | set KEY VALUE | reset KEY…",
     /* TRANSLATORS: description of `otactl config` */
     N_("Show or change the configuration that can change at run time"),
     otactl_cmd_config},
    {NULL, NULL, NULL, NULL}};

static const OtactlCommand *
otactl_main_find_command (const gchar *name)
{
	for (const OtactlCommand *cmd = otactl_commands; cmd->name != NULL; cmd++) {
		if (g_strcmp0 (cmd->name, name) == 0)
			return cmd;
	}
	return NULL;
}

/* the index of the first argument that is not an option or an option's value */
static gint
otactl_main_find_command_arg (gint argc, gchar **argv)
{
	for (gint i = 1; i < argc; i++) {
		if (g_strcmp0 (argv[i], "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (argv[i][0] != '-')
			return i;
		/* the one global option that takes a separate value */
		if (g_strcmp0 (argv[i], "--bus-address") == 0)
			i++;
	}
	return -1;
}

int
main (int argc, char **argv)
{
	g_autoptr(OtactlContext) ctx = otactl_context_new (otactl_commands);
	g_autofree gchar *prgname = NULL;
	gint exit_code = OTACTL_EXIT_OK;
	gint idx;

	setlocale (LC_ALL, "");
	bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
	bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
	textdomain (GETTEXT_PACKAGE);
	g_set_prgname ("otactl");

	idx = otactl_main_find_command_arg (argc, argv);
	if (idx < 0) {
		/* no command: only --help and --version make sense */
		if (!otactl_context_parse (ctx, NULL, &argc, &argv, &exit_code))
			return exit_code;
		/* TRANSLATORS: printed when otactl is run without a subcommand */
		otactl_context_usage_error (ctx, _("no command given"));
		return OTACTL_EXIT_USAGE;
	}

	ctx->command = otactl_main_find_command (argv[idx]);
	if (ctx->command == NULL) {
		/* TRANSLATORS: %s is what the user typed as the subcommand */
		g_autofree gchar *msg = g_strdup_printf (_("unknown command “%s”"), argv[idx]);
		otactl_context_usage_error (ctx, msg);
		return OTACTL_EXIT_USAGE;
	}

	/* the command parses the options on both sides of its name */
	for (gint i = idx; i < argc - 1; i++)
		argv[i] = argv[i + 1];
	argc--;
	argv[argc] = NULL;

	/* makes the usage line read "otactl status [OPTION…]" */
	prgname = g_strdup_printf ("otactl %s", ctx->command->name);
	g_set_prgname (prgname);

	return ctx->command->func (ctx, argc, argv);
}
