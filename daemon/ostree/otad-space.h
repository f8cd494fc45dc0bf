/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

#include "otad-pull.h"

G_BEGIN_DECLS

/**
 * OtadSpaceSource:
 * @OTAD_SPACE_SOURCE_UNKNOWN: nothing to go by; only the reserves are checked
 * @OTAD_SPACE_SOURCE_DELTA: part and fallback sizes from the static delta superblock
 * @OTAD_SPACE_SOURCE_COMMIT_SIZES: per-object sizes in the commit's `ostree.sizes`,
 *   minus the objects the repo has already
 * @OTAD_SPACE_SOURCE_TARGET_LENGTH: the TUF target length
 * @OTAD_SPACE_SOURCE_BOOTED_COMMIT: the booted commit's `ostree.sizes` as a whole (the
 *   new one is assumed as big and sharing nothing)
 */
typedef enum {
	OTAD_SPACE_SOURCE_UNKNOWN,
	OTAD_SPACE_SOURCE_DELTA,
	OTAD_SPACE_SOURCE_COMMIT_SIZES,
	OTAD_SPACE_SOURCE_TARGET_LENGTH,
	OTAD_SPACE_SOURCE_BOOTED_COMMIT,
} OtadSpaceSource;

/**
 * OtadSpaceEstimate:
 * @source: where the numbers come from
 * @download_bytes: bytes the pull will fetch
 * @repo_bytes: bytes the repo's file system needs during pull and deployment
 * @boot_bytes: bytes /boot needs for the new kernel and initramfs
 * @installed_bytes: bytes the new objects take once unpacked (the offer's installed size;
 *   0 when only a length or the booted commit was to go by)
 */
typedef struct {
	OtadSpaceSource source;
	guint64 download_bytes;
	guint64 repo_bytes;
	guint64 boot_bytes;
	guint64 installed_bytes;
} OtadSpaceEstimate;

/**
 * OtadSpaceFreeFunc:
 * @path: a directory
 * @out_available: (out): bytes an unprivileged writer may still use there
 * @out_fsid: (out): identifies the file system, to add up needs on a shared one
 * @user_data: closure
 * @error: return location
 *
 * How free space is measured; statvfs() unless a test injects another.
 */
typedef gboolean (*OtadSpaceFreeFunc) (const gchar *path,
				       guint64 *out_available,
				       guint64 *out_fsid,
				       gpointer user_data,
				       GError **error);

const gchar *otad_space_source_to_string (OtadSpaceSource source);
gboolean otad_space_get_free (const gchar *path,
			      guint64 *out_available,
			      guint64 *out_fsid,
			      gpointer user_data,
			      GError **error);
gboolean otad_space_commit_sizes (OstreeRepo *repo,
				  GVariant *commit,
				  gboolean skip_present,
				  guint64 *out_download,
				  guint64 *out_unpacked,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_space_estimate (OstreeRepo *repo,
			      const OtadPullOptions *options,
			      const gchar *checksum,
			      guint64 target_length,
			      OtadSpaceEstimate *out_estimate,
			      GCancellable *cancellable,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_space_check (OstreeRepo *repo,
			   const OtadSpaceEstimate *estimate,
			   const gchar *boot_path,
			   OtadSpaceFreeFunc free_func,
			   gpointer free_data,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
