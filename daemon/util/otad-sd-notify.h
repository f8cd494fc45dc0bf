/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean otad_sd_notify (const gchar *state, GError **error);

G_END_DECLS
