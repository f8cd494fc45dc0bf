/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ota.h>

G_BEGIN_DECLS

/* what a person reads for otad's machine names; --json keeps the names */
const gchar *otactl_state_label (OtaState state);
const gchar *otactl_action_label (const gchar *action);

G_END_DECLS
