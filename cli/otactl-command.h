/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the exit codes of otactl, documented in `otactl --help` */
typedef enum {
	OTACTL_EXIT_OK = 0,
	OTACTL_EXIT_FAILED = 1,
	OTACTL_EXIT_USAGE = 2,
	OTACTL_EXIT_UNREACHABLE = 3,
	/* polkit refused the call */
	OTACTL_EXIT_NOT_AUTHORIZED = 4,
	/* as rpm-ostree's RPM_OSTREE_EXIT_UNCHANGED: `check` found nothing new */
	OTACTL_EXIT_NO_UPDATE = 77,
	/* Ctrl+C while following a job: otactl stopped waiting, otad goes on */
	OTACTL_EXIT_INTERRUPTED = 130,
} OtactlExit;

typedef struct _OtactlContext OtactlContext;

/* returns an OtactlExit code */
typedef gint (*OtactlCommandFunc) (OtactlContext *ctx, gint argc, gchar **argv);

typedef struct {
	const gchar *name;
	const gchar *args;	  /* the parameter string shown in the usage line */
	const gchar *description; /* N_() marked, translated at use */
	OtactlCommandFunc func;
} OtactlCommand;

/* one per cli/otactl-cmd-<name>.c */
gint otactl_cmd_status (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_check (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_download (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_install (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_update (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_cancel (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_rollback (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_history (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_monitor (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_consent (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_decline (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_postpone (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_discard (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_reboot (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_schedule (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_config (OtactlContext *ctx, gint argc, gchar **argv);
gint otactl_cmd_inhibit (OtactlContext *ctx, gint argc, gchar **argv);

G_END_DECLS
