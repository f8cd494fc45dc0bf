/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-state-store.h"

G_BEGIN_DECLS

gboolean otad_state_transition_allowed (OtaState from, OtaState to);
gboolean otad_state_is_busy (OtaState state);
gboolean otad_state_transition (OtadStateStore *store, OtaState to, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_state_set_error (OtadStateStore *store, const GError *failure, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_state_check_method (OtadStateStore *store,
				  const gchar *method,
				  const OtaState *allowed,
				  gsize n_allowed,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_state_set_wrong_state_error (GError **error, const gchar *method, OtaState state);

G_END_DECLS
