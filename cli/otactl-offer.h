/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otactl-context.h"

G_BEGIN_DECLS

/* shared by `otactl consent`, `decline`, `postpone` and `discard` */
const gchar *otactl_offer_resolve (OtactlContext *ctx, const gchar *given, gint *exit_code);
gint otactl_offer_done (OtactlContext *ctx, const gchar *answer, const gchar *offer_id,
			const gchar *message);

G_END_DECLS
