/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean otad_logind_reboot (GDBusConnection *connection, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
