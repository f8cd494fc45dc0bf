/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean otad_sd_notify (const gchar *state, GError **error);
guint64 otad_sd_notify_watchdog_usec (void);

G_END_DECLS
