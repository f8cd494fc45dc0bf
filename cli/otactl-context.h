/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ota.h>

#include "otactl-command.h"

G_BEGIN_DECLS

/* what one run of otactl shares between main and the command */
struct _OtactlContext {
	const OtactlCommand *commands; /* (unowned): the table, NULL-terminated */
	const OtactlCommand *command;  /* (unowned) (nullable): the one being run */
	gboolean json;
	gboolean verbose;
	gboolean version;
	gboolean help;
	gboolean interactive;	 /* --interactive */
	gboolean no_interactive; /* --no-interactive */
	gchar *bus_address;	 /* (owned) (nullable) */
	OtaClient *client;	 /* (owned) (nullable) */
	GSubprocess *agent;	 /* (owned) (nullable): pkttyagent, when we started one */
};

OtactlContext *otactl_context_new (const OtactlCommand *commands);
void otactl_context_free (OtactlContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtactlContext, otactl_context_free)

gboolean otactl_context_parse (OtactlContext *ctx,
			       const GOptionEntry *entries,
			       gint *argc,
			       gchar ***argv,
			       gint *exit_code);
gint otactl_context_connect (OtactlContext *ctx);
gboolean otactl_context_prepare (OtactlContext *ctx,
				 const GOptionEntry *entries,
				 gint *argc,
				 gchar ***argv,
				 gint *exit_code);
void otactl_context_drain (OtactlContext *ctx);
void otactl_context_wait_job_end (OtactlContext *ctx, OtaState start_state, guint timeout_secs);
void otactl_context_usage_error (OtactlContext *ctx, const gchar *message);
gboolean otactl_context_check_no_args (OtactlContext *ctx, gint argc, gchar **argv);
OtaClientFlags otactl_context_get_flags (OtactlContext *ctx);
void otactl_context_start_agent (OtactlContext *ctx);
gint otactl_context_report_error (OtactlContext *ctx, const gchar *what, const GError *error);
const gchar *otactl_context_error_name (const GError *error);
void otactl_context_print_json_error (OtactlContext *ctx,
				      gint exit_code,
				      const gchar *name,
				      const gchar *what,
				      const gchar *message);
gint otactl_context_fail (OtactlContext *ctx,
			  gint exit_code,
			  const gchar *name,
			  const gchar *what,
			  const gchar *message);

G_END_DECLS
