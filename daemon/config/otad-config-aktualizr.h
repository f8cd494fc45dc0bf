/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-config.h"

G_BEGIN_DECLS

/*
 * aktualizr's configuration, read into the one OtadConfig: a device that ran aktualizr keeps
 * its server, identity and storage without a new otad.conf.  Files are found as aktualizr
 * finds them, keys are mapped to otad's (docs/sota-toml.md lists every one), paths are
 * resolved as aktualizr resolves them, and a bad value stops otad with
 * "FILE:LINE: [table] key: reason".  Keys otad's own files set win.
 */

/* aktualizr's own places (Config::config_dirs_), or aktualizr-lite's (AkliteClient) */
const gchar *const *otad_config_aktualizr_default_dirs (gboolean lite);

/* the *.toml files aktualizr reads from @paths, in its order (BaseConfig::updateFromDirs:
 * a file hides one of the same name from an earlier path; then by name) */
GPtrArray *otad_config_aktualizr_list_files (const gchar *const *paths) G_GNUC_WARN_UNUSED_RESULT;

/* reads @paths into @config; @warnings (nullable) (element-type utf8) gets one line per key
 * that is read but ignored */
gboolean otad_config_aktualizr_load (OtadConfig *config,
				     const gchar *const *paths,
				     GPtrArray *warnings,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* what [aktualizr] config / import-toml in @config ask for; warnings are logged */
gboolean otad_config_aktualizr_load_configured (OtadConfig *config, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
