/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* one option a D-Bus method accepts in its a{sv} argument */
typedef struct {
	const gchar *key;
	const gchar *type; /* a GVariant type string */
} OtadOptionSpec;

gboolean otad_invocation_check_options (GVariant *options,
					const OtadOptionSpec *specs,
					guint n_specs,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_invocation_option_boolean (GVariant *options,
					 const gchar *key,
					 gboolean default_value);
void otad_invocation_return_gerror (GDBusMethodInvocation *invocation, const GError *error);

G_END_DECLS
