/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-engine.h"

G_BEGIN_DECLS

#define OTAD_TYPE_POLLER (otad_poller_get_type ())
G_DECLARE_FINAL_TYPE (OtadPoller, otad_poller, OTAD, POLLER, GObject)

OtadPoller *otad_poller_new (OtadEngine *engine) G_GNUC_WARN_UNUSED_RESULT;
void otad_poller_start (OtadPoller *self);
guint64 otad_poller_compute_delay (guint64 interval_s,
				   guint jitter_percent,
				   guint failures,
				   guint64 max_backoff_s,
				   gdouble random);
guint64 otad_poller_compute_first_delay (guint64 interval_s,
					 guint jitter_percent,
					 gdouble random);

G_END_DECLS
