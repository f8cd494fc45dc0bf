/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

#include "otad-http.h"

G_BEGIN_DECLS

/*
 * A static delta superblock as the server describes it: its parts, its fallback objects
 * and the commit it produces.  Parsed from untrusted bytes; parts and objects are checked
 * by their checksums when fetched and applied (otad-delta.c).
 */

/* one object a part produces: (y objtype, 32 bytes checksum) */
#define OTAD_DELTA_PACKED_OBJECT_LEN (1 + OSTREE_SHA256_DIGEST_LEN)

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
GBytes *otad_delta_superblock_for_offline (const OtadDeltaSuperblock *self)
    G_GNUC_WARN_UNUSED_RESULT;

/* NULL with no error and *out_found FALSE when the server has no such delta (404) */
OtadDeltaSuperblock *otad_delta_fetch_superblock (OtadHttp *http,
						  const gchar *base_url,
						  const gchar *from,
						  const gchar *to,
						  gboolean *out_found,
						  GCancellable *cancellable,
						  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * What one download learnt of its static delta, so that its superblock is fetched once
 * (issue 13: the space estimate, then the pull, asked for it twice): the parsed and checked
 * superblock, or the server's answer that it has none.  A failure is not kept: the next
 * caller asks again.  Zero-initialise; otad_delta_superblock_cache_clear() at the end.
 */
typedef struct {
	gboolean answered;	 /* the server answered for this from, to and URL */
	gchar *key;		 /* (owned) (nullable) base URL, from and to */
	OtadDeltaSuperblock *sb; /* (owned) (nullable) NULL: the server has no such delta */
} OtadDeltaSuperblockCache;

void otad_delta_superblock_cache_clear (OtadDeltaSuperblockCache *cache);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OtadDeltaSuperblockCache, otad_delta_superblock_cache_clear)

/* otad_delta_fetch_superblock() through @cache: (transfer none) the superblock, valid as
 * long as @cache; NULL with no error and *out_found FALSE when the server has none */
const OtadDeltaSuperblock *otad_delta_fetch_superblock_cached (OtadDeltaSuperblockCache *cache,
							       OtadHttp *http,
							       const gchar *base_url,
							       const gchar *from,
							       const gchar *to,
							       gboolean *out_found,
							       GCancellable *cancellable,
							       GError **error);

G_END_DECLS
