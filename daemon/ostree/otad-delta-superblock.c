/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadDelta"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-delta-superblock.h"
#include "otad-http.h"

/* OSTREE_STATIC_DELTA_SUPERBLOCK_FORMAT in libostree's ostree-repo-static-delta-private.h */
#define OTAD_DELTA_SUPERBLOCK_FORMAT                                                         \
	"(a{sv}tayay(a{sv}aya(say)sstayay)aya(uayttay)a(yaytt))"
/* superblocks are small unless parts are inlined, which generators only do for tiny parts */
#define OTAD_DELTA_SUPERBLOCK_MAX (64 * 1024 * 1024)

void
otad_delta_superblock_free (OtadDeltaSuperblock *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; self->parts != NULL && i < self->parts->len; i++)
		g_clear_pointer (&g_array_index (self->parts, OtadDeltaPart, i).objects,
				 g_bytes_unref);
	g_clear_pointer (&self->parts, g_array_unref);
	g_clear_pointer (&self->fallbacks, g_array_unref);
	g_clear_pointer (&self->bytes, g_bytes_unref);
	g_free (self->from);
	g_free (self->to);
	g_free (self);
}

gchar *
otad_delta_get_relpath (const gchar *from, const gchar *to, const gchar *target)
{
	guint8 csum[OSTREE_SHA256_DIGEST_LEN];
	g_autofree gchar *to_b64 = NULL;
	GString *path = g_string_new ("deltas/");

	/* the layout of libostree's _ostree_get_relative_static_delta_path(): modified base64 */
	ostree_checksum_inplace_to_bytes (to, csum);
	to_b64 = ostree_checksum_b64_from_bytes (csum);
	if (from != NULL) {
		g_autofree gchar *from_b64 = NULL;
		ostree_checksum_inplace_to_bytes (from, csum);
		from_b64 = ostree_checksum_b64_from_bytes (csum);
		g_string_append_printf (path, "%.2s/%s-%s", from_b64, from_b64 + 2, to_b64);
	} else {
		g_string_append_printf (path, "%.2s/%s", to_b64, to_b64 + 2);
	}
	if (target != NULL)
		g_string_append_printf (path, "/%s", target);
	return g_string_free (path, FALSE);
}

/* a 32 byte checksum from an untrusted `ay`, or NULL */
static gchar *
otad_delta_checksum_from_variant (GVariant *v)
{
	if (g_variant_n_children (v) != OSTREE_SHA256_DIGEST_LEN)
		return NULL;
	return ostree_checksum_from_bytes (g_variant_get_data (v));
}

/* which byte order the generator used for sizes (a historical mistake in libostree) */
static gboolean
otad_delta_needs_byteswap (GVariant *metadata, GVariant *headers)
{
	guint8 endianness = 0;
	guint64 total = 0;
	gsize n = g_variant_n_children (headers);

	if (g_variant_lookup (metadata, "ostree.endianness", "y", &endianness)) {
		if (endianness == 'l')
			return G_BYTE_ORDER != G_LITTLE_ENDIAN;
		if (endianness == 'B')
			return G_BYTE_ORDER != G_BIG_ENDIAN;
	}
	/* old generators: an average part above 4 GiB means the other order */
	for (gsize i = 0; i < n; i++) {
		guint64 size = 0;
		g_variant_get_child (headers, i, "(u@aytt@ay)", NULL, NULL, &size, NULL, NULL);
		total += size / n;
	}
	return n > 0 && total > G_MAXUINT32;
}

static guint64
otad_delta_u64 (gboolean swap, guint64 v)
{
	return swap ? GUINT64_SWAP_LE_BE (v) : v;
}

static gboolean
otad_delta_parse_parts (OtadDeltaSuperblock *self,
			GVariant *metadata,
			GVariant *headers,
			gboolean swap,
			GError **error)
{
	gsize n = g_variant_n_children (headers);

	for (gsize i = 0; i < n; i++) {
		g_autoptr(GVariant) csum_v = NULL;
		g_autoptr(GVariant) objects_v = NULL;
		g_autoptr(GVariant) inline_v = NULL;
		g_autofree gchar *checksum = NULL;
		g_autofree gchar *part_key = NULL;
		OtadDeltaPart part = { 0 };
		guint32 version = 0;

		g_variant_get_child (headers, i, "(u@aytt@ay)", &version, &csum_v, &part.size,
				     &part.usize, &objects_v);
		if (version != 0) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_SUPPORTED,
			             _("delta part %zu has unknown version %u"), i, version);
			return FALSE;
		}
		checksum = otad_delta_checksum_from_variant (csum_v);
		if (checksum == NULL ||
		    g_variant_n_children (objects_v) % OTAD_DELTA_PACKED_OBJECT_LEN != 0) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
			             _("delta part %zu has a malformed header"), i);
			return FALSE;
		}
		memcpy (part.checksum, checksum, sizeof part.checksum);
		part.size = otad_delta_u64 (swap, part.size);
		part.usize = otad_delta_u64 (swap, part.usize);
		part.objects = g_variant_get_data_as_bytes (objects_v);
		part_key = g_strdup_printf ("%" G_GSIZE_FORMAT, i);
		{
			g_autofree gchar *relpath =
			    otad_delta_get_relpath (self->from, self->to, part_key);
			inline_v = g_variant_lookup_value (metadata, relpath,
							   G_VARIANT_TYPE ("(yay)"));
		}
		part.is_inline = inline_v != NULL;
		g_array_append_val (self->parts, part);
	}
	return TRUE;
}

static gboolean
otad_delta_parse_fallbacks (OtadDeltaSuperblock *self,
			    GVariant *fallbacks,
			    gboolean swap,
			    GError **error)
{
	gsize n = g_variant_n_children (fallbacks);

	for (gsize i = 0; i < n; i++) {
		g_autoptr(GVariant) csum_v = NULL;
		g_autofree gchar *checksum = NULL;
		OtadDeltaFallback fallback = { 0 };
		guint8 objtype = 0;

		g_variant_get_child (fallbacks, i, "(y@aytt)", &objtype, &csum_v, &fallback.size,
				     &fallback.usize);
		checksum = otad_delta_checksum_from_variant (csum_v);
		if (checksum == NULL || objtype < OSTREE_OBJECT_TYPE_FILE ||
		    objtype > OSTREE_OBJECT_TYPE_COMMIT) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
			             _("delta fallback %zu is malformed"), i);
			return FALSE;
		}
		fallback.objtype = (OstreeObjectType)objtype;
		memcpy (fallback.checksum, checksum, sizeof fallback.checksum);
		fallback.size = otad_delta_u64 (swap, fallback.size);
		fallback.usize = otad_delta_u64 (swap, fallback.usize);
		g_array_append_val (self->fallbacks, fallback);
	}
	return TRUE;
}

OtadDeltaSuperblock *
otad_delta_superblock_new_from_bytes (GBytes *bytes,
				      const gchar *expected_from,
				      const gchar *expected_to,
				      GError **error)
{
	g_autoptr(OtadDeltaSuperblock) self = g_new0 (OtadDeltaSuperblock, 1);
	g_autoptr(GVariant) sb = NULL;
	g_autoptr(GVariant) metadata = NULL;
	g_autoptr(GVariant) from_v = NULL;
	g_autoptr(GVariant) to_v = NULL;
	g_autoptr(GVariant) headers = NULL;
	g_autoptr(GVariant) fallbacks = NULL;
	g_autoptr(GVariant) commit = NULL;
	gboolean swap;

	g_return_val_if_fail (expected_to != NULL, NULL);

	self->parts = g_array_new (FALSE, TRUE, sizeof (OtadDeltaPart));
	self->fallbacks = g_array_new (FALSE, TRUE, sizeof (OtadDeltaFallback));
	self->bytes = g_bytes_ref (bytes);
	sb = g_variant_ref_sink (g_variant_new_from_bytes (
	    G_VARIANT_TYPE (OTAD_DELTA_SUPERBLOCK_FORMAT), bytes, FALSE));
	/* the bytes come from the network: refuse anything GVariant would have to guess at */
	if (!g_variant_is_normal_form (sb)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_SERVER,
		                     _("static delta superblock is malformed"));
		return NULL;
	}
	metadata = g_variant_get_child_value (sb, 0);
	from_v = g_variant_get_child_value (sb, 2);
	to_v = g_variant_get_child_value (sb, 3);
	headers = g_variant_get_child_value (sb, 6);
	fallbacks = g_variant_get_child_value (sb, 7);
	commit = g_variant_get_child_value (sb, 4);
	self->timestamp = ostree_commit_get_timestamp (commit);

	self->to = otad_delta_checksum_from_variant (to_v);
	if (g_variant_n_children (from_v) > 0)
		self->from = otad_delta_checksum_from_variant (from_v);
	if (self->to == NULL || (g_variant_n_children (from_v) > 0 && self->from == NULL)) {
		g_set_error_literal (error, OTA_ERROR, OTA_ERROR_SERVER,
		                     _("static delta superblock has malformed checksums"));
		return NULL;
	}
	if (g_strcmp0 (self->to, expected_to) != 0 || g_strcmp0 (self->from, expected_from) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
		             _("static delta superblock is for %s-%s, expected %s-%s"),
		             self->from != NULL ? self->from : "(scratch)", self->to,
		             expected_from != NULL ? expected_from : "(scratch)", expected_to);
		return NULL;
	}
	swap = otad_delta_needs_byteswap (metadata, headers);
	if (!otad_delta_parse_parts (self, metadata, headers, swap, error))
		return NULL;
	if (!otad_delta_parse_fallbacks (self, fallbacks, swap, error))
		return NULL;

	/* success */
	return g_steal_pointer (&self);
}

/* the sizes are the server's word, unsigned: a sum that would wrap around stays at the
 * largest value, so that a space check refuses it rather than passing a small remainder */
static guint64
otad_delta_sum (guint64 a, guint64 b)
{
	guint64 sum;
	return g_uint64_checked_add (&sum, a, b) ? sum : G_MAXUINT64;
}

guint64
otad_delta_superblock_get_download_size (const OtadDeltaSuperblock *self)
{
	guint64 total = g_bytes_get_size (self->bytes);

	for (guint i = 0; i < self->parts->len; i++) {
		const OtadDeltaPart *part = &g_array_index (self->parts, OtadDeltaPart, i);
		if (!part->is_inline)
			total = otad_delta_sum (total, part->size);
	}
	for (guint i = 0; i < self->fallbacks->len; i++)
		total = otad_delta_sum (total,
					g_array_index (self->fallbacks, OtadDeltaFallback, i).size);
	return total;
}

guint64
otad_delta_superblock_get_unpacked_size (const OtadDeltaSuperblock *self)
{
	guint64 total = 0;

	for (guint i = 0; i < self->parts->len; i++)
		total = otad_delta_sum (total, g_array_index (self->parts, OtadDeltaPart, i).usize);
	for (guint i = 0; i < self->fallbacks->len; i++)
		total = otad_delta_sum (total,
					g_array_index (self->fallbacks, OtadDeltaFallback, i).usize);
	return total;
}

OtadDeltaSuperblock *
otad_delta_fetch_superblock (OtadHttp *http,
			     const gchar *base_url,
			     const gchar *from,
			     const gchar *to,
			     gboolean *out_found,
			     GCancellable *cancellable,
			     GError **error)
{
	g_autofree gchar *relpath = otad_delta_get_relpath (from, to, "superblock");
	g_autofree gchar *url = otad_http_join_url (base_url, relpath);
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) error_local = NULL;

	*out_found = TRUE;
	bytes = otad_http_get (http, url, OTAD_DELTA_SUPERBLOCK_MAX,
			       OTAD_HTTP_FLAG_ALLOW_NOT_FOUND, NULL, cancellable, &error_local);
	if (bytes == NULL) {
		/* a 404 is an answer: the server has no such delta */
		if (error_local == NULL) {
			*out_found = FALSE;
			return NULL;
		}
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	return otad_delta_superblock_new_from_bytes (bytes, from, to, error);
}

void
otad_delta_superblock_cache_clear (OtadDeltaSuperblockCache *cache)
{
	cache->answered = FALSE;
	g_clear_pointer (&cache->key, g_free);
	g_clear_pointer (&cache->sb, otad_delta_superblock_free);
}

const OtadDeltaSuperblock *
otad_delta_fetch_superblock_cached (OtadDeltaSuperblockCache *cache,
				    OtadHttp *http,
				    const gchar *base_url,
				    const gchar *from,
				    const gchar *to,
				    gboolean *out_found,
				    GCancellable *cancellable,
				    GError **error)
{
	g_autofree gchar *key = g_strdup_printf ("%s %s %s", base_url, from, to);
	OtadDeltaSuperblock *sb;
	gboolean found = FALSE;

	if (cache->answered && g_strcmp0 (cache->key, key) == 0) {
		*out_found = cache->sb != NULL;
		return cache->sb;
	}
	otad_delta_superblock_cache_clear (cache);
	sb = otad_delta_fetch_superblock (http, base_url, from, to, &found, cancellable, error);
	*out_found = found;
	if (sb == NULL && found)
		return NULL;
	cache->answered = TRUE;
	cache->key = g_steal_pointer (&key);
	cache->sb = sb;
	return sb;
}

/*
 * libostree refuses to execute offline a superblock that lists fallback objects, even when
 * they are in the repo already; otad fetched and stored them itself, so it hands libostree
 * the same superblock with an empty fallback list (the superblock is not signed: parts and
 * objects are checked by their checksums either way)
 */
GBytes *
otad_delta_superblock_for_offline (const OtadDeltaSuperblock *sb)
{
	g_autoptr(GVariant) orig = NULL;
	g_autoptr(GVariant) stripped = NULL;
	GVariantBuilder builder;

	if (sb->fallbacks->len == 0)
		return g_bytes_ref (sb->bytes);
	orig = g_variant_ref_sink (g_variant_new_from_bytes (
	    G_VARIANT_TYPE (OTAD_DELTA_SUPERBLOCK_FORMAT), sb->bytes, FALSE));
	g_variant_builder_init (&builder, G_VARIANT_TYPE (OTAD_DELTA_SUPERBLOCK_FORMAT));
	for (gsize i = 0; i < 7; i++) {
		/* not floating: the builder takes its own reference */
		g_autoptr(GVariant) child = g_variant_get_child_value (orig, i);
		g_variant_builder_add_value (&builder, child);
	}
	g_variant_builder_add_value (&builder,
				     g_variant_new_array (G_VARIANT_TYPE ("(yaytt)"), NULL, 0));
	stripped = g_variant_ref_sink (g_variant_builder_end (&builder));
	return g_variant_get_data_as_bytes (stripped);
}
