/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-config.h"
#include "otad-engine-jobs.h"
#include "otad-state-store.h"

G_BEGIN_DECLS

OtadEngineSettings *otad_engine_setup_settings (OtadConfig *config,
						OtadStateStore *store,
						const gchar *sysroot_path,
						const gchar *test_booted,
						GError **error) G_GNUC_WARN_UNUSED_RESULT;
OtadHttp *otad_engine_setup_http (const OtadEngineSettings *settings, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_engine_setup_reporter (const OtadEngineSettings *settings,
				     OtadHttp *http,
				     OtadReporter **out_reporter,
				     gchar **out_ecu_public,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
