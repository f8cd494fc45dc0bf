/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

#include "otad-pull-http.h"
#include "otad-pull-progress.h"

G_BEGIN_DECLS

/*
 * Static deltas fetched by otad itself and applied with libostree's offline delta
 * execution.  Debian 12's libostree (2022.7) downloads a delta *and* most objects it
 * contains (ostree#2053); doing the fetch here keeps the traffic to the delta's size.
 */

typedef struct {
	gchar checksum[OSTREE_SHA256_STRING_LEN + 1]; /* sha256 of the part file */
	guint64 size;				      /* bytes on the wire */
	guint64 usize;				      /* bytes once uncompressed */
	GBytes *objects;			      /* (owned) packed (y objtype, 32 bytes csum) */
	gboolean is_inline;			      /* carried in the superblock itself */
} OtadDeltaPart;

typedef struct {
	OstreeObjectType objtype;
	gchar checksum[OSTREE_SHA256_STRING_LEN + 1];
	guint64 size;  /* bytes on the wire (archive object) */
	guint64 usize; /* bytes once unpacked */
} OtadDeltaFallback;

typedef struct {
	gchar *from;	   /* (owned) (nullable) NULL for a delta from scratch */
	gchar *to;	   /* (owned) */
	guint64 timestamp; /* of the commit the delta produces */
	GArray *parts;	   /* (owned) (element-type OtadDeltaPart) */
	GArray *fallbacks; /* (owned) (element-type OtadDeltaFallback) */
	GBytes *bytes;	   /* (owned) the superblock as fetched */
} OtadDeltaSuperblock;

void otad_delta_superblock_free (OtadDeltaSuperblock *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadDeltaSuperblock, otad_delta_superblock_free)

gchar *otad_delta_get_relpath (const gchar *from, const gchar *to, const gchar *target)
    G_GNUC_WARN_UNUSED_RESULT;
OtadDeltaSuperblock *otad_delta_superblock_new_from_bytes (GBytes *bytes,
							   const gchar *expected_from,
							   const gchar *expected_to,
							   GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint64 otad_delta_superblock_get_download_size (const OtadDeltaSuperblock *self);
guint64 otad_delta_superblock_get_unpacked_size (const OtadDeltaSuperblock *self);

OtadDeltaSuperblock *otad_delta_fetch_superblock (OtadPullHttp *http,
						  const gchar *from,
						  const gchar *to,
						  GCancellable *cancellable,
						  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_delta_pull (OstreeRepo *repo,
			  OtadPullHttp *http,
			  const OtadDeltaSuperblock *superblock,
			  const gchar *download_dir,
			  OtadPullProgressFunc progress_func,
			  gpointer progress_data,
			  GCancellable *cancellable,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
