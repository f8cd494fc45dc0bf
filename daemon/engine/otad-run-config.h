/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-settings.h"
#include "otad-window.h"

G_BEGIN_DECLS

/*
 * OtadRunConfig: the part of the configuration that may change while otad runs
 * (GetConfiguration()/SetConfiguration() on D-Bus, polkit action org.otad.configure):
 * the update policy, the maintenance windows, the reboot policy and the network
 * conditions.  Each key starts from the configuration files; a value set at run time
 * is kept in the state directory (run-config.json) and wins over the files, also
 * after a restart, until it is reset.  Main thread only.
 */
typedef struct _OtadRunConfig OtadRunConfig;

typedef enum {
	OTAD_RUN_WINDOW_DOWNLOAD,
	OTAD_RUN_WINDOW_INSTALL,
	OTAD_RUN_WINDOW_REBOOT,
	OTAD_RUN_WINDOW_LAST
} OtadRunWindow;

OtadRunConfig *otad_run_config_new (const OtadSettings *settings) G_GNUC_WARN_UNUSED_RESULT;
void otad_run_config_free (OtadRunConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadRunConfig, otad_run_config_free)

const gchar *otad_run_config_get_policy (OtadRunConfig *self);
const gchar *otad_run_config_get_reboot_policy (OtadRunConfig *self);
gboolean otad_run_config_get_allow_metered (OtadRunConfig *self);
guint64 otad_run_config_get_max_download_rate (OtadRunConfig *self);
const OtadWindow *otad_run_config_get_window (OtadRunConfig *self, OtadRunWindow which);
const gchar *otad_run_config_window_name (OtadRunWindow which);

GVariant *otad_run_config_to_variant (OtadRunConfig *self, const gchar *only_key,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_run_config_set (OtadRunConfig *self, GVariant *values, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_run_config_reset (OtadRunConfig *self, const gchar *const *keys, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
