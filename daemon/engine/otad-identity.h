/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-config.h"
#include "otad-state-store.h"

G_BEGIN_DECLS

gchar *otad_identity_ecu_serial (OtadConfig *config,
				 const gchar *imported,
				 OtadStateStore *store,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
