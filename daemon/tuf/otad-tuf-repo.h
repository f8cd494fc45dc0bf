/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "otad-tuf-fetcher.h"
#include "otad-tuf-metadata.h"

G_BEGIN_DECLS

/*
 * One TUF repository (an Image repository or a Director) as a client sees it: trusted
 * metadata in a directory, a fetcher for new metadata, and the TUF 1.0 section 5 client
 * workflow.  As section 5 orders it, each file is written (atomically) and becomes the
 * trusted copy as soon as its step verified it: root after each rotation (5.3.8),
 * timestamp (5.4.5), snapshot (5.5.7), targets (5.6.6), delegated targets when a search
 * verified them.  A refused file leaves its trusted copy, and those of the later steps,
 * as they were.
 */
#define OTAD_TYPE_TUF_REPO (otad_tuf_repo_get_type ())
G_DECLARE_FINAL_TYPE (OtadTufRepo, otad_tuf_repo, OTAD, TUF_REPO, GObject)

typedef struct {
	guint64 root_max;         /* default 512 KiB */
	guint64 timestamp_max;    /* default 16 KiB */
	guint64 snapshot_max;     /* when timestamp gives no length; default 2 MiB */
	guint64 targets_max;      /* when snapshot gives no length; default 8 MiB (aktualizr) */
	guint max_root_rotations; /* default 32 */
	guint max_delegations;    /* roles visited per target search; default 32 */
} OtadTufLimits;

typedef enum {
	OTAD_TUF_REFRESH_FLAG_NONE = 0,
	/* Uptane Director: timestamp and snapshot are used when the server has them and
	 * skipped when it answers 404 (as aktualizr does) */
	OTAD_TUF_REFRESH_FLAG_OPTIONAL_SNAPSHOT = 1 << 0,
} OtadTufRefreshFlags;

typedef enum {
	OTAD_TUF_REFRESH_RESULT_UPDATED,   /* new metadata verified (and persisted) */
	OTAD_TUF_REFRESH_RESULT_UNCHANGED, /* timestamp version unchanged: nothing fetched after */
} OtadTufRefreshResult;

OtadTufRepo *otad_tuf_repo_new (const gchar *name, const gchar *metadata_dir,
                                OtadTufFetcher *fetcher);
/* more checks of new top-level targets metadata before it is trusted and written (the
 * Uptane Director's: no delegation, each ECU once, this device's ECUs) */
typedef gboolean (*OtadTufTargetsCheckFunc) (OtadTufMetadata *targets, gpointer user_data,
                                             GError **error);
void otad_tuf_repo_set_targets_check (OtadTufRepo *self, OtadTufTargetsCheckFunc func,
                                      gpointer user_data);
void otad_tuf_repo_get_default_limits (OtadTufLimits *limits);
void otad_tuf_repo_set_limits (OtadTufRepo *self, const OtadTufLimits *limits);
/* the "fixed start time" of the next refresh; 0 (default) means the clock at its start */
void otad_tuf_repo_set_time (OtadTufRepo *self, gint64 unix_time);
const gchar *otad_tuf_repo_get_name (OtadTufRepo *self);

/* loads the trusted metadata; OTAD_TUF_ERROR_NO_TRUSTED_ROOT when there is no root.json */
gboolean otad_tuf_repo_load (OtadTufRepo *self, GError **error);
gboolean otad_tuf_repo_has_root (OtadTufRepo *self);
/* makes @root (self-signed by its own threshold) the trusted root and writes it */
gboolean otad_tuf_repo_init_root (OtadTufRepo *self, GBytes *root, GError **error);
/* trust-on-first-use: fetch 1.root.json, trust and write it; only when the policy allows it */
gboolean otad_tuf_repo_init_root_tofu (OtadTufRepo *self, GCancellable *cancellable,
                                       GError **error);

gboolean otad_tuf_repo_refresh (OtadTufRepo *self, OtadTufRefreshFlags flags,
                                OtadTufRefreshResult *out_result, GCancellable *cancellable,
                                GError **error);

OtadTufMetadata *otad_tuf_repo_get_root (OtadTufRepo *self);
OtadTufMetadata *otad_tuf_repo_get_targets (OtadTufRepo *self);

/* searches @name in targets and its delegations (pre-order depth first); fills @out, whose
 * pointers stay valid while @out_role (the role that listed it) is referenced */
gboolean otad_tuf_repo_find_target (OtadTufRepo *self, const gchar *name, OtadTufTargetInfo *out,
                                    OtadTufMetadata **out_role, GCancellable *cancellable,
                                    GError **error);
/* the path to download a target from: "<dir>/<hash>.<base>" when consistent_snapshot */
/* every candidate, one per listed hash when consistent_snapshot (sha256 first): try the next
 * on NOT_FOUND */
gchar **otad_tuf_repo_get_target_paths (OtadTufRepo *self, const gchar *name,
                                        const OtadTufTargetInfo *info);
gchar *otad_tuf_repo_get_target_path (OtadTufRepo *self, const gchar *name,
                                      const OtadTufTargetInfo *info);

/* downloads @path (at most info->length bytes) and checks length and hashes */
GBytes *otad_tuf_fetch_target (OtadTufFetcher *fetcher, const gchar *path,
                               const OtadTufTargetInfo *info, const gchar *what,
                               GCancellable *cancellable, GError **error);

G_END_DECLS
