/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-http.h"
#include "otad-target.h"
#include "otad-tuf-metadata.h"
#include "otad-tuf-repo.h"

G_BEGIN_DECLS

/*
 * OtadCheckin: one check-in with the server in the TUF order, for the Director and the
 * Image repository (full Uptane), or the Image repository alone (lite mode).  Trusted
 * metadata lives under @metadata_dir/director and @metadata_dir/repo.  Synchronous: run it
 * in a worker thread.
 */
#define OTAD_TYPE_CHECKIN (otad_checkin_get_type ())
G_DECLARE_FINAL_TYPE (OtadCheckin, otad_checkin, OTAD, CHECKIN, GObject)

/* @director_url may be NULL for lite mode only */
OtadCheckin *otad_checkin_new (OtadHttp *http, const gchar *director_url, const gchar *repo_url,
                               const gchar *metadata_dir) G_GNUC_WARN_UNUSED_RESULT;
/* where pre-provisioned roots are looked for ("<dir>/director/root.json", "<dir>/repo/...");
 * default: otad_uptane_default_root_dirs() */
void otad_checkin_set_root_dirs (OtadCheckin *self, const gchar *const *dirs);
/* trust the server's 1.root.json when no root is provisioned (off by default) */
void otad_checkin_set_allow_tofu (OtadCheckin *self, gboolean allow_tofu);
/* the largest metadata files accepted ([tuf] max-*-size); the repository's defaults
 * otherwise */
void otad_checkin_set_limits (OtadCheckin *self, const OtadTufLimits *limits);
/* the "now" used for expiry checks (tests); 0 is the real clock */
void otad_checkin_set_time (OtadCheckin *self, gint64 unix_time);

/*
 * Full Uptane: the Director's targets decide.  TRUE with *@out_target NULL means "no
 * update": the Director assigns nothing to @primary_serial, or what it assigns is
 * @installed_sha256 already.  Errors are OtaError: VERIFICATION for what the verifier
 * refused, the attack class first in the message ("rollback: ..."; see
 * otad_tuf_error_convert()), NETWORK, TLS or SERVER for the transport.
 */
gboolean otad_checkin_run (OtadCheckin *self, const gchar *primary_serial, const gchar *hardware_id,
                           const gchar *installed_sha256, OtadTarget **out_target,
                           GCancellable *cancellable, GError **error);

/* lite mode (aktualizr-lite): see otad-lite.h for the selection */
gboolean otad_checkin_run_lite (OtadCheckin *self, const gchar *hardware_id,
                                const gchar *const *tags, const gchar *installed_sha256,
                                OtadTarget **out_target, GCancellable *cancellable,
                                GError **error);

/*
 * Downloads a BINARY target (from custom.uri, else <repo>/targets/<name>) to @dest, resuming
 * an interrupted download, and checks its length and sha256 against @target (which comes
 * from verified metadata).  OSTree targets are pulled by the ostree layer instead.
 */
gboolean otad_checkin_download_target (OtadCheckin *self, const OtadTarget *target,
                                       const gchar *dest, OtadHttpProgressFunc progress,
                                       gpointer user_data, GCancellable *cancellable,
                                       GError **error);

G_END_DECLS
