/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* one key a method's `a{sv} options` may carry */
typedef struct {
	const gchar *name;
	const gchar *type; /* GVariant type string, e.g. "b" */
} OtadOption;

gchar *otad_invocation_quote (const gchar *text) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_invocation_check_options (GVariant *options,
					const OtadOption *known,
					gsize n_known,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_invocation_return_error (GDBusMethodInvocation *invocation, const GError *error);

G_END_DECLS
