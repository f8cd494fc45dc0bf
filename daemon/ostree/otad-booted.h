/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

G_BEGIN_DECLS

OstreeDeployment *otad_booted_get_deployment (OstreeSysroot *sysroot, const gchar *test_booted,
                                              GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_booted_parse_test_spec (const gchar *spec, gchar **out_commit, gint *out_serial,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
