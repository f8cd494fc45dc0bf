/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GVariant *otad_history_load (const gchar *state_dir, GError **error);

G_END_DECLS
