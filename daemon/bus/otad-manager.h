/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-daemon.h"
#include "otad-engine.h"

G_BEGIN_DECLS

#define OTAD_TYPE_MANAGER (otad_manager_get_type ())
G_DECLARE_FINAL_TYPE (OtadManager, otad_manager, OTAD, MANAGER, GObject)

OtadManager *otad_manager_new (OtadDaemon *daemon, OtadEngine *engine) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
