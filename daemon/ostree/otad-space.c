/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadSpace"

#include "config.h"

#include <errno.h>
#include <sys/statvfs.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-delta.h"
#include "otad-space.h"

/* checkouts of a bare repo are hard links: a deployment costs directories and /etc */
#define OTAD_SPACE_DEPLOYMENT_SLACK (4 * 1024 * 1024)

const gchar *
otad_space_source_to_string (OtadSpaceSource source)
{
	switch (source) {
	case OTAD_SPACE_SOURCE_DELTA:
		return "static delta";
	case OTAD_SPACE_SOURCE_COMMIT_SIZES:
		return "commit sizes";
	case OTAD_SPACE_SOURCE_TARGET_LENGTH:
		return "target length";
	case OTAD_SPACE_SOURCE_BOOTED_COMMIT:
		return "booted commit size";
	case OTAD_SPACE_SOURCE_UNKNOWN:
	default:
		return "unknown";
	}
}

gboolean
otad_space_get_free (const gchar *path,
		     guint64 *out_available,
		     guint64 *out_fsid,
		     gpointer user_data,
		     GError **error)
{
	struct statvfs st;

	if (statvfs (path, &st) < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
		             _("failed to get free space of %s: %s"), path, g_strerror (errno));
		return FALSE;
	}
	*out_available = (guint64)st.f_bavail * (guint64)st.f_frsize;
	*out_fsid = (guint64)st.f_fsid;
	return TRUE;
}

/* sizes from the server (ostree.sizes, a delta superblock) are unsigned and unchecked: a
 * sum that would wrap around stays at the largest value, and the check refuses it */
static guint64
otad_space_sum (guint64 a, guint64 b)
{
	guint64 sum;
	return g_uint64_checked_add (&sum, a, b) ? sum : G_MAXUINT64;
}

/* protobuf-style varint as libostree writes in ostree.sizes */
static gboolean
otad_space_read_varint (const guint8 *buf, gsize len, gsize *pos, guint64 *out)
{
	guint64 v = 0;

	for (guint shift = 0; shift < 64 && *pos < len; shift += 7) {
		guint8 b = buf[(*pos)++];
		v |= (guint64)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*out = v;
			return TRUE;
		}
	}
	return FALSE;
}

static gboolean
otad_space_add_sizes_entry (OstreeRepo *repo,
			    const guint8 *csum,
			    const guint8 *sizes,
			    gsize len,
			    gboolean skip_present,
			    guint64 *download,
			    guint64 *unpacked,
			    GCancellable *cancellable,
			    GError **error)
{
	g_autofree gchar *checksum = ostree_checksum_from_bytes (csum);
	OstreeObjectType objtype = OSTREE_OBJECT_TYPE_FILE;
	guint64 archived = 0, size = 0;
	gsize pos = 0;
	gboolean have = FALSE;

	if (!otad_space_read_varint (sizes, len, &pos, &archived) ||
	    !otad_space_read_varint (sizes, len, &pos, &size)) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER,
		             _("malformed ostree.sizes entry"));
		return FALSE;
	}
	/* newer generators append the object type */
	if (pos < len && sizes[pos] >= OSTREE_OBJECT_TYPE_FILE &&
	    sizes[pos] <= OSTREE_OBJECT_TYPE_COMMIT)
		objtype = (OstreeObjectType)sizes[pos];
	if (skip_present && !ostree_repo_has_object (repo, objtype, checksum, &have, cancellable,
						     error))
		return FALSE;
	if (have)
		return TRUE;
	*download = otad_space_sum (*download, archived);
	*unpacked = otad_space_sum (*unpacked, size);
	return TRUE;
}

/**
 * otad_space_commit_sizes:
 *
 * Sums the commit's `ostree.sizes` metadata (written by `ostree commit --generate-sizes`),
 * leaving out objects the repo has when @skip_present.  Fails with %G_IO_ERROR_NOT_FOUND
 * when the commit has no sizes.
 */
gboolean
otad_space_commit_sizes (OstreeRepo *repo,
			 GVariant *commit,
			 gboolean skip_present,
			 guint64 *out_download,
			 guint64 *out_unpacked,
			 GCancellable *cancellable,
			 GError **error)
{
	g_autoptr(GVariant) metadata = g_variant_get_child_value (commit, 0);
	g_autoptr(GVariant) sizes = NULL;
	guint64 download = 0, unpacked = 0;
	gsize n;

	sizes = g_variant_lookup_value (metadata, "ostree.sizes", NULL);
	if (sizes == NULL) {
		g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		                     _("commit has no ostree.sizes"));
		return FALSE;
	}
	n = g_variant_n_children (sizes);
	for (gsize i = 0; i < n; i++) {
		g_autoptr(GVariant) entry = g_variant_get_child_value (sizes, i);
		g_autoptr(GVariant) csum_v = NULL;
		g_autoptr(GVariant) sizes_v = NULL;
		const guint8 *data;
		gsize len;

		/* "aay" (csum + varints) since 2020.1, "a(ayay)" before */
		if (g_variant_is_of_type (entry, G_VARIANT_TYPE_BYTESTRING)) {
			data = g_variant_get_fixed_array (entry, &len, 1);
			if (len <= OSTREE_SHA256_DIGEST_LEN)
				continue;
			if (!otad_space_add_sizes_entry (
				repo, data, data + OSTREE_SHA256_DIGEST_LEN,
				len - OSTREE_SHA256_DIGEST_LEN, skip_present, &download, &unpacked,
				cancellable, error))
				return FALSE;
		} else if (g_variant_is_of_type (entry, G_VARIANT_TYPE ("(ayay)"))) {
			gsize csum_len;
			csum_v = g_variant_get_child_value (entry, 0);
			sizes_v = g_variant_get_child_value (entry, 1);
			data = g_variant_get_fixed_array (csum_v, &csum_len, 1);
			if (csum_len != OSTREE_SHA256_DIGEST_LEN)
				continue;
			if (!otad_space_add_sizes_entry (
				repo, data, g_variant_get_fixed_array (sizes_v, &len, 1), len,
				skip_present, &download, &unpacked, cancellable, error))
				return FALSE;
		}
	}
	*out_download = download;
	*out_unpacked = unpacked;
	return TRUE;
}

/* what the new kernel and initramfs will take in /boot, judged by the booted ones */
static guint64
otad_space_boot_estimate (OstreeRepo *repo, const gchar *from_commit, GCancellable *cancellable)
{
	g_autoptr(GFile) root = NULL;
	g_autoptr(GFile) modules = NULL;
	g_autoptr(GFileEnumerator) versions = NULL;
	guint64 total = 0;

	if (from_commit == NULL ||
	    !ostree_repo_read_commit (repo, from_commit, &root, NULL, cancellable, NULL))
		return 0;
	modules = g_file_resolve_relative_path (root, "usr/lib/modules");
	versions = g_file_enumerate_children (modules, G_FILE_ATTRIBUTE_STANDARD_NAME,
					      G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable,
					      NULL);
	while (versions != NULL) {
		const gchar *names[] = { "vmlinuz", "initramfs.img" };
		GFile *version = NULL;
		if (!g_file_enumerator_iterate (versions, NULL, &version, cancellable, NULL) ||
		    version == NULL)
			break;
		for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
			g_autoptr(GFile) file = g_file_get_child (version, names[i]);
			g_autoptr(GFileInfo) info = g_file_query_info (
			    file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
			    cancellable, NULL);
			if (info != NULL)
				total += (guint64)g_file_info_get_size (info);
		}
	}
	return total;
}

static gboolean
otad_space_estimate_from_delta (OstreeRepo *repo,
				const OtadPullOptions *options,
				const gchar *checksum,
				OtadSpaceEstimate *est,
				GCancellable *cancellable,
				GError **error)
{
	g_autoptr(OtadHttp) http = NULL;
	g_auto(OtadDeltaSuperblockCache) own_cache = {0};
	const OtadDeltaSuperblock *sb = NULL;
	gboolean have_from = FALSE;
	gboolean found = FALSE;

	if (options->from_commit == NULL || (options->flags & OTAD_PULL_FLAGS_NO_DELTA))
		return TRUE;
	if (!ostree_repo_has_object (repo, OSTREE_OBJECT_TYPE_COMMIT, options->from_commit,
				     &have_from, cancellable, error))
		return FALSE;
	if (!have_from)
		return TRUE;
	http = otad_pull_get_http (options, error);
	if (http == NULL)
		return FALSE;
	/* kept for the pull of the same download (options->delta_cache) */
	sb = otad_delta_fetch_superblock_cached (
	    options->delta_cache != NULL ? options->delta_cache : &own_cache, http, options->url,
	    options->from_commit, checksum, &found, cancellable, error);
	if (sb == NULL)
		return !found;
	est->source = OTAD_SPACE_SOURCE_DELTA;
	est->download_bytes = otad_delta_superblock_get_download_size (sb);
	/* parts wait in the repo's tmp until applied next to the objects they make */
	est->installed_bytes = otad_delta_superblock_get_unpacked_size (sb);
	est->repo_bytes = otad_space_sum (est->download_bytes, est->installed_bytes);
	return TRUE;
}

/**
 * otad_space_estimate:
 * @target_length: the TUF target length, 0 when unknown (OSTree targets usually say 0)
 *
 * Estimates what pulling and deploying @checksum needs, fetching at most a delta
 * superblock or the commit object.  Call before otad_pull_commit().
 */
gboolean
otad_space_estimate (OstreeRepo *repo,
		     const OtadPullOptions *options,
		     const gchar *checksum,
		     guint64 target_length,
		     OtadSpaceEstimate *out_estimate,
		     GCancellable *cancellable,
		     GError **error)
{
	OtadSpaceEstimate est = { .source = OTAD_SPACE_SOURCE_UNKNOWN };
	g_autoptr(GVariant) commit = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!otad_space_estimate_from_delta (repo, options, checksum, &est, cancellable, error))
		return FALSE;
	if (est.source == OTAD_SPACE_SOURCE_UNKNOWN) {
		commit = otad_pull_commit_object (repo, options, checksum, cancellable, error);
		if (commit == NULL)
			return FALSE;
		if (otad_space_commit_sizes (repo, commit, TRUE, &est.download_bytes,
					     &est.repo_bytes, cancellable, &error_local)) {
			est.source = OTAD_SPACE_SOURCE_COMMIT_SIZES;
			est.installed_bytes = est.repo_bytes;
		} else if (!g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
	}
	if (est.source == OTAD_SPACE_SOURCE_UNKNOWN && target_length > 0) {
		est.source = OTAD_SPACE_SOURCE_TARGET_LENGTH;
		est.download_bytes = target_length;
		est.repo_bytes = target_length;
	}
	if (est.source == OTAD_SPACE_SOURCE_UNKNOWN && options->from_commit != NULL) {
		g_autoptr(GVariant) from = NULL;
		g_clear_error (&error_local);
		if (ostree_repo_load_commit (repo, options->from_commit, &from, NULL, NULL) &&
		    otad_space_commit_sizes (repo, from, FALSE, &est.download_bytes,
					     &est.repo_bytes, cancellable, NULL))
			est.source = OTAD_SPACE_SOURCE_BOOTED_COMMIT;
	}
	est.repo_bytes = otad_space_sum (est.repo_bytes, OTAD_SPACE_DEPLOYMENT_SLACK);
	est.boot_bytes = otad_space_boot_estimate (repo, options->from_commit, cancellable);
	g_debug ("space needed for %s (%s): download %" G_GUINT64_FORMAT ", repo %" G_GUINT64_FORMAT
		 ", boot %" G_GUINT64_FORMAT,
		 checksum, otad_space_source_to_string (est.source), est.download_bytes,
		 est.repo_bytes, est.boot_bytes);
	*out_estimate = est;
	return TRUE;
}

static gboolean
otad_space_refuse (const gchar *path,
		   guint64 needed,
		   guint64 reserved,
		   guint64 available,
		   GError **error)
{
	g_autofree gchar *needed_str = g_format_size (otad_space_sum (needed, reserved));
	g_autofree gchar *update_str = g_format_size (needed);
	g_autofree gchar *reserved_str = g_format_size (reserved);
	g_autofree gchar *available_str = g_format_size (available);

	g_set_error (error, OTA_ERROR, OTA_ERROR_NO_SPACE,
	             _("Not enough disk space for the update on %s: %s needed (%s for the update, "
	                "%s kept free for the system), %s available"),
	             path, needed_str, update_str, reserved_str, available_str);
	return FALSE;
}

/**
 * otad_space_check:
 * @boot_path: (nullable): the sysroot's /boot, checked too when given
 * @free_func: (nullable): otad_space_get_free() when %NULL
 *
 * Fails with %OTA_ERROR_NO_SPACE, naming what is needed and what is available, when the
 * estimate does not fit next to the repo's own reserve (`min-free-space-*`).
 */
gboolean
otad_space_check (OstreeRepo *repo,
		  const OtadSpaceEstimate *estimate,
		  const gchar *boot_path,
		  OtadSpaceFreeFunc free_func,
		  gpointer free_data,
		  GError **error)
{
	const gchar *repo_path = g_file_peek_path (ostree_repo_get_path (repo));
	guint64 repo_free = 0, repo_fsid = 0, reserved = 0, repo_need;

	if (free_func == NULL)
		free_func = otad_space_get_free;
	if (!free_func (repo_path, &repo_free, &repo_fsid, free_data, error))
		return FALSE;
	if (!ostree_repo_get_min_free_space_bytes (repo, &reserved, error))
		return FALSE;
	repo_need = estimate->repo_bytes;
	if (boot_path != NULL && estimate->boot_bytes > 0) {
		guint64 boot_free = 0, boot_fsid = 0;
		if (!free_func (boot_path, &boot_free, &boot_fsid, free_data, error))
			return FALSE;
		if (boot_fsid == repo_fsid)
			repo_need = otad_space_sum (repo_need, estimate->boot_bytes);
		else if (boot_free < estimate->boot_bytes)
			return otad_space_refuse (boot_path, estimate->boot_bytes, 0, boot_free,
						  error);
	}
	if (repo_free < otad_space_sum (repo_need, reserved))
		return otad_space_refuse (repo_path, repo_need, reserved, repo_free, error);

	/* success */
	return TRUE;
}
