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
	gchar *bus_address; /* (owned) (nullable) */
	OtaClient *client;  /* (owned) (nullable) */
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
void otactl_context_usage_error (OtactlContext *ctx, const gchar *message);

G_END_DECLS
