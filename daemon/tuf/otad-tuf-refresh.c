/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n.h>

#include "otad-tuf-error.h"
#include "otad-tuf-repo-private.h"

/*
 * One refresh of a repository in the order of the TUF 1.0.x specification, section 5:
 * 5.3 root (N+1 until 404), 5.4 timestamp, 5.5 snapshot, 5.6 targets, every expiry checked
 * against one start time.  Each file is persisted, and becomes the trusted copy, as soon as
 * its step has verified it (5.3.8, 5.4.5, 5.5.7, 5.6.6): a root rotation is kept when a
 * later step fails, and the next refresh starts from it.
 */

gint64
otad_tuf_repo_now (OtadTufRepo *self)
{
	if (self->now == 0)
		return self->fixed_time != 0 ? self->fixed_time
		                             : g_get_real_time () / G_USEC_PER_SEC;
	return self->now;
}

static gboolean otad_tuf_refresh_fail (OtadTufRepo *self, GError **error, OtadTufError code,
                                       const gchar *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
otad_tuf_refresh_fail (OtadTufRepo *self, GError **error, OtadTufError code, const gchar *format,
                       ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;
	va_start (args, format);
	msg = g_strdup_vprintf (format, args);
	va_end (args);
	g_set_error (error, OTAD_TUF_ERROR, code, "%s: %s", self->name, msg);
	return FALSE;
}

/* writes @md as @filename and makes it the trusted copy in @slot */
static gboolean
otad_tuf_refresh_trust (OtadTufRepo *self, OtadTufMetadata **slot, OtadTufMetadata *md,
                        const gchar *filename, GError **error)
{
	if (!otad_tuf_store_save (self->store, filename, otad_tuf_metadata_get_bytes (md), error)) {
		g_prefix_error (error, "%s: ", self->name);
		return FALSE;
	}
	if (*slot != md) {
		g_clear_pointer (slot, otad_tuf_metadata_unref);
		*slot = otad_tuf_metadata_ref (md);
	}
	return TRUE;
}

static gboolean
otad_tuf_refresh_forget (OtadTufRepo *self, OtadTufMetadata **slot, const gchar *filename,
                         GError **error)
{
	g_clear_pointer (slot, otad_tuf_metadata_unref);
	if (!otad_tuf_store_remove (self->store, filename, error)) {
		g_prefix_error (error, "%s: ", self->name);
		return FALSE;
	}
	return TRUE;
}

/* the key material and threshold of @name: NULL role (not defined) is its own value */
static GHashTable *
otad_tuf_refresh_role_fingerprints (OtadTufMetadata *root, const gchar *name, guint *threshold)
{
	const OtadTufRole *role = otad_tuf_metadata_get_role (root, name);
	GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

	*threshold = role != NULL ? role->threshold : 0;
	for (guint i = 0; role != NULL && i < role->keyids->len; i++) {
		OtadTufKey *key =
		    g_hash_table_lookup (root->keys, g_ptr_array_index (role->keyids, i));
		if (key != NULL)
			g_hash_table_add (set, (gpointer)otad_tuf_key_get_fingerprint (key));
	}
	return set;
}

/* the same keys (by material) and threshold for @name in both roots */
static gboolean
otad_tuf_refresh_role_keys_equal (OtadTufMetadata *a, OtadTufMetadata *b, const gchar *name)
{
	guint ta = 0, tb = 0;
	g_autoptr (GHashTable) fa = otad_tuf_refresh_role_fingerprints (a, name, &ta);
	g_autoptr (GHashTable) fb = otad_tuf_refresh_role_fingerprints (b, name, &tb);
	GHashTableIter iter;
	gpointer k;

	if (ta != tb || g_hash_table_size (fa) != g_hash_table_size (fb))
		return FALSE;
	g_hash_table_iter_init (&iter, fa);
	while (g_hash_table_iter_next (&iter, &k, NULL)) {
		if (!g_hash_table_contains (fb, k))
			return FALSE;
	}
	return TRUE;
}

static gboolean
otad_tuf_refresh_verify (OtadTufRepo *self, OtadTufMetadata *md, GError **error)
{
	const OtadTufRole *role = otad_tuf_metadata_get_role (self->root, md->role_name);
	g_autofree gchar *signer =
	    g_strdup_printf (_("root version %" PRId64), self->root->version);
	if (role == NULL)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_UNKNOWN_ROLE,
		                              _("root version %" PRId64 " defines no %s role"),
		                              self->root->version, md->role_name);
	if (!otad_tuf_metadata_verify_role (md, self->root->keys, role, signer, error)) {
		g_prefix_error (error, "%s: ", self->name);
		return FALSE;
	}
	return TRUE;
}

static gboolean
otad_tuf_refresh_expiry (OtadTufRepo *self, OtadTufMetadata *md, GError **error)
{
	if (!otad_tuf_metadata_check_expiry (md, self->now, error)) {
		g_prefix_error (error, "%s: ", self->name);
		return FALSE;
	}
	return TRUE;
}

/* 5.3.11: new timestamp or snapshot keys (from @old_root to the trusted root) make the
 * trusted files worthless (so that a repository recovers from a fast-forward attack); what
 * the new root no longer vouches for is no rollback reference either */
static gboolean
otad_tuf_refresh_after_rotation (OtadTufRepo *self, OtadTufMetadata *old_root, GError **error)
{
	struct {
		OtadTufMetadata **slot;
		const gchar *filename;
	} trusted[] = {{&self->timestamp, "timestamp.json"},
	               {&self->snapshot, "snapshot.json"},
	               {&self->targets, "targets.json"}};

	if (!otad_tuf_refresh_role_keys_equal (old_root, self->root, "timestamp") ||
	    !otad_tuf_refresh_role_keys_equal (old_root, self->root, "snapshot")) {
		g_info ("%s: timestamp or snapshot keys rotated: trusted copies dropped",
		        self->name);
		if (!otad_tuf_refresh_forget (self, &self->timestamp, "timestamp.json", error) ||
		    !otad_tuf_refresh_forget (self, &self->snapshot, "snapshot.json", error))
			return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS (trusted); i++) {
		OtadTufMetadata *md = *trusted[i].slot;
		const OtadTufRole *role =
		    md != NULL ? otad_tuf_metadata_get_role (self->root, md->role_name) : NULL;
		if (md == NULL ||
		    (role != NULL && otad_tuf_metadata_verify_role (md, self->root->keys, role,
		                                                    "the new root", NULL)))
			continue;
		g_info ("%s: trusted %s no longer signed by the root's keys", self->name,
		        md->role_name);
		if (!otad_tuf_refresh_forget (self, trusted[i].slot, trusted[i].filename, error))
			return FALSE;
	}
	g_hash_table_remove_all (self->delegated);
	return TRUE;
}

/* the roles a refresh needs: all four for a TUF repository, root and targets for a Director
 * (whose timestamp and snapshot are optional) */
static gboolean
otad_tuf_refresh_check_roles (OtadTufRepo *self, OtadTufMetadata *root, gboolean optional,
                              const gchar *path, GError **error)
{
	const gchar *needed[] = {"timestamp", "snapshot"};
	for (guint i = 0; !optional && i < G_N_ELEMENTS (needed); i++) {
		if (otad_tuf_metadata_get_role (root, needed[i]) == NULL)
			return otad_tuf_refresh_fail (
			    self, error, OTAD_TUF_ERROR_MALFORMED,
			    _("%s: root metadata: role %s is not defined"), path, needed[i]);
	}
	return TRUE;
}

/* 5.3: root N → N+1 until the server has no next version */
static gboolean
otad_tuf_refresh_root (OtadTufRepo *self, gboolean optional, GCancellable *cancellable,
                       GError **error)
{
	/* a root at the largest version has no next one */
	for (guint i = 0; i < self->limits.max_root_rotations && self->root->version < G_MAXINT64;
	     i++) {
		gint64 next = self->root->version + 1;
		g_autofree gchar *path = g_strdup_printf ("%" G_GINT64_FORMAT ".root.json", next);
		g_autofree gchar *signer = NULL;
		g_autoptr (GBytes) bytes = NULL;
		g_autoptr (OtadTufMetadata) md = NULL;
		g_autoptr (OtadTufMetadata) previous = NULL;
		g_autoptr (GError) error_local = NULL;

		bytes = otad_tuf_repo_fetch (self, path, self->limits.root_max, cancellable,
		                             &error_local);
		if (bytes == NULL) {
			if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
				break;
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
		md = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_ROOT, "root", error);
		if (md == NULL) {
			g_prefix_error (error, "%s: %s: ", self->name, path);
			return FALSE;
		}
		/* 5.3.4: signed by a threshold of the trusted root's keys and of its own */
		signer = g_strdup_printf (_("trusted root version %" PRId64), self->root->version);
		if (!otad_tuf_metadata_verify_role (md, self->root->keys,
		                                    otad_tuf_metadata_get_role (self->root, "root"),
		                                    signer, error) ||
		    !otad_tuf_metadata_verify_role (md, md->keys,
		                                    otad_tuf_metadata_get_role (md, "root"),
		                                    "the new root itself", error)) {
			g_prefix_error (error, "%s: %s: ", self->name, path);
			return FALSE;
		}
		/* 5.3.5 */
		if (md->version < next)
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_ROLLBACK,
			                              _("%s has version %" PRId64), path,
			                              md->version);
		if (md->version > next)
			return otad_tuf_refresh_fail (
			    self, error, OTAD_TUF_ERROR_BAD_VERSION,
			    _("%s has version %" PRId64 " (fast-forward)"), path, md->version);
		if (!otad_tuf_refresh_check_roles (self, md, optional, path, error))
			return FALSE;
		/* 5.3.8: persisted at once, so a later failure does not lose it; what 5.3.11
		 * drops goes with it, so that disk and memory never hold a timestamp or
		 * snapshot of keys the trusted root no longer has */
		previous = otad_tuf_metadata_ref (self->root);
		if (!otad_tuf_refresh_trust (self, &self->root, md, "root.json", error) ||
		    !otad_tuf_refresh_after_rotation (self, previous, error))
			return FALSE;
	}

	if (!otad_tuf_refresh_check_roles (self, self->root, optional, "root.json", error))
		return FALSE;
	/* 5.3.10: the final root must not have expired (freeze) */
	return otad_tuf_refresh_expiry (self, self->root, error);
}

/* parses @bytes as the file @meta describes: its bytes must have the length and hashes
 * @meta gives; in the OTA dialect, when they do not, its canonical form must (a server may
 * serve it indented; aktualizr checks only the canonical form) */
OtadTufMetadata *
otad_tuf_refresh_parse_described (GBytes *bytes, const OtadTufMetaFile *meta, OtadTufRoleType type,
                                  const gchar *role_name, const gchar *what, GError **error)
{
	g_autoptr (GError) error_raw = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;

	if (meta != NULL &&
	    !otad_tuf_check_hashes (meta->hashes, meta->length, bytes, what, &error_raw) &&
	    !meta->canonical) {
		g_propagate_error (error, g_steal_pointer (&error_raw));
		return NULL;
	}
	if (error_raw == NULL)
		return otad_tuf_metadata_parse (bytes, type, role_name, error);
	/* the bytes are not what @meta describes: neither JSON nor its canonical form is */
	md = otad_tuf_metadata_parse (bytes, type, role_name, NULL);
	if (md == NULL) {
		g_propagate_error (error, g_steal_pointer (&error_raw));
		return NULL;
	}
	if (!otad_tuf_metadata_check_described (md, meta, what, error))
		return NULL;
	return g_steal_pointer (&md);
}

/* fetches and parses a file that a parent role describes in its meta */
static OtadTufMetadata *
otad_tuf_refresh_fetch_described (OtadTufRepo *self, const gchar *path, const OtadTufMetaFile *meta,
                                  guint64 default_max, OtadTufRoleType type, const gchar *role_name,
                                  GCancellable *cancellable, GError **error)
{
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GError) error_local = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;
	guint64 max = default_max;

	/* a canonical length says little about the bytes served (an indented file is
	 * longer): the role's limit bounds those */
	if (meta != NULL && meta->length >= 0)
		max = meta->canonical ? MAX ((guint64)meta->length, default_max)
		                      : (guint64)meta->length;
	/* described by nothing (a Director's targets.json): asked for under one name
	 * each time, so conditionally */
	if (meta == NULL && g_strcmp0 (path, "targets.json") == 0)
		bytes = otad_tuf_repo_fetch_current (self, path, max, cancellable, &error_local);
	else
		bytes = otad_tuf_repo_fetch (self, path, max, cancellable, &error_local);
	if (bytes == NULL) {
		if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_NOT_FOUND,
			                              _("%s not found"), path),
			       NULL;
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	md = otad_tuf_refresh_parse_described (bytes, meta, type, role_name, path, error);
	if (md == NULL)
		g_prefix_error (error, "%s: ", self->name);
	return g_steal_pointer (&md);
}

/* the time (Unix seconds, decimal) an optional timestamp.json last answered 404 */
#define OTAD_TUF_TIMESTAMP_ABSENT_FILE "timestamp.absent"
#define OTAD_TUF_TIMESTAMP_REPROBE_S (24 * 3600)

static gboolean
otad_tuf_refresh_timestamp_known_absent (OtadTufRepo *self)
{
	g_autoptr (GBytes) bytes =
	    otad_tuf_store_load (self->store, OTAD_TUF_TIMESTAMP_ABSENT_FILE, NULL);
	g_autofree gchar *text = NULL;
	gint64 since;

	if (bytes == NULL || g_bytes_get_size (bytes) > 32)
		return FALSE;
	text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
	since = g_ascii_strtoll (text, NULL, 10);
	/* a clock set back, or a note from the future, means probe again */
	return since > 0 && since <= self->now && self->now - since < OTAD_TUF_TIMESTAMP_REPROBE_S;
}

static void
otad_tuf_refresh_timestamp_note_absent (OtadTufRepo *self)
{
	g_autofree gchar *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", self->now);
	g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
	g_autoptr (GError) error_local = NULL;

	if (!otad_tuf_store_save (self->store, OTAD_TUF_TIMESTAMP_ABSENT_FILE, bytes, &error_local))
		g_debug ("%s: cannot note the absent timestamp: %s", self->name,
		         error_local->message);
}

/* 5.4 timestamp; *unchanged when its version equals the trusted one, *absent when an
 * optional one is not there */
static gboolean
otad_tuf_refresh_timestamp (OtadTufRepo *self, gboolean optional, gboolean *unchanged,
                            gboolean *absent, GCancellable *cancellable, GError **error)
{
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autoptr (GError) error_local = NULL;
	const OtadTufMetaFile *snap_meta;

	/* a Director whose root defines no timestamp role has none: not even asked for */
	if (optional && otad_tuf_metadata_get_role (self->root, "timestamp") == NULL) {
		*absent = TRUE;
		return TRUE;
	}
	/* one whose root defines it but that answered 404 is not asked again for a day:
	 * aktualizr never asks a Director for it (DirectorRepository::updateMeta in
	 * src/libaktualizr/uptane/directorrepository.cc: "Not supported: 3. Download and
	 * check the Timestamp metadata file from the Director repository"), so an OTA CE
	 * Director may serve none whatever its root lists */
	if (optional && self->timestamp == NULL && otad_tuf_refresh_timestamp_known_absent (self)) {
		*absent = TRUE;
		return TRUE;
	}
	bytes = otad_tuf_repo_fetch_current (self, "timestamp.json", self->limits.timestamp_max,
	                                     cancellable, &error_local);
	if (bytes == NULL) {
		if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
			if (optional) {
				otad_tuf_refresh_timestamp_note_absent (self);
				*absent = TRUE;
				return TRUE;
			}
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_NOT_FOUND,
			                              _("timestamp.json not found"));
		}
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	md = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_TIMESTAMP, "timestamp", error);
	if (md == NULL) {
		g_prefix_error (error, "%s: ", self->name);
		return FALSE;
	}
	if (!otad_tuf_refresh_verify (self, md, error))
		return FALSE;
	snap_meta = otad_tuf_metadata_get_meta (md, "snapshot.json");
	if (self->timestamp != NULL) {
		const OtadTufMetaFile *old =
		    otad_tuf_metadata_get_meta (self->timestamp, "snapshot.json");
		/* 5.4.3 */
		if (md->version < self->timestamp->version)
			return otad_tuf_refresh_fail (
			    self, error, OTAD_TUF_ERROR_ROLLBACK,
			    _("timestamp version %" PRId64 " is lower than the trusted %" PRId64),
			    md->version, self->timestamp->version);
		if (snap_meta->version < old->version)
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_ROLLBACK,
			                              _("timestamp names snapshot version %" PRId64
			                                 ", lower than the trusted %" PRId64),
			                              snap_meta->version, old->version);
		if (md->version == self->timestamp->version) {
			/* a replayed timestamp is still a freeze once it expires */
			if (!otad_tuf_refresh_expiry (self, self->timestamp, error))
				return FALSE;
			*unchanged = TRUE;
			return TRUE;
		}
	}
	/* 5.4.4, then 5.4.5 */
	if (!otad_tuf_refresh_expiry (self, md, error))
		return FALSE;
	return otad_tuf_refresh_trust (self, &self->timestamp, md, "timestamp.json", error);
}

/* 5.5 snapshot */
static gboolean
otad_tuf_refresh_snapshot (OtadTufRepo *self, GCancellable *cancellable, GError **error)
{
	const OtadTufMetaFile *meta = otad_tuf_metadata_get_meta (self->timestamp, "snapshot.json");
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autofree gchar *path = NULL;

	if (self->root->consistent_snapshot)
		path = g_strdup_printf ("%" G_GINT64_FORMAT ".snapshot.json", meta->version);
	else
		path = g_strdup ("snapshot.json");
	md = otad_tuf_refresh_fetch_described (self, path, meta, self->limits.snapshot_max,
	                                       OTAD_TUF_ROLE_SNAPSHOT, "snapshot", cancellable,
	                                       error);
	if (md == NULL)
		return FALSE;
	if (!otad_tuf_refresh_verify (self, md, error))
		return FALSE;
	if (md->version != meta->version)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_MIX_AND_MATCH,
		                              _("snapshot version %" PRId64 " differs from "
		                                 "version %" PRId64 " in timestamp"),
		                              md->version, meta->version);
	if (self->snapshot != NULL) {
		GHashTableIter iter;
		gpointer key, value;
		if (md->version < self->snapshot->version)
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_ROLLBACK,
			                              _("snapshot version %" PRId64 " is lower "
			                                 "than the trusted %" PRId64),
			                              md->version, self->snapshot->version);
		/* 5.5.5: no targets role may go back or disappear */
		g_hash_table_iter_init (&iter, self->snapshot->meta);
		while (g_hash_table_iter_next (&iter, &key, &value)) {
			const OtadTufMetaFile *old = value;
			const OtadTufMetaFile *now = otad_tuf_metadata_get_meta (md, key);
			if (g_strcmp0 (key, "root.json") == 0)
				continue;
			if (now == NULL)
				return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_ROLLBACK,
				                              _("snapshot no longer lists %s"),
				                              (const gchar *)key);
			if (now->version < old->version)
				return otad_tuf_refresh_fail (
				    self, error, OTAD_TUF_ERROR_ROLLBACK,
				    _("snapshot lists %s version %" PRId64
				       ", lower than the trusted %" PRId64),
				    (const gchar *)key, now->version, old->version);
		}
	}
	if (!otad_tuf_refresh_expiry (self, md, error))
		return FALSE;
	/* 5.5.7; delegated roles are checked again against the new snapshot */
	g_hash_table_remove_all (self->delegated);
	return otad_tuf_refresh_trust (self, &self->snapshot, md, "snapshot.json", error);
}

/* 5.6 targets.  With a snapshot, the version must be the one it lists, and nothing else:
 * the snapshot's own rollback check covers targets, and after the snapshot key rotated a
 * repository must be able to go back from a fast-forwarded targets version.  Without
 * snapshot (a Director that has none) the version only may not go back. */
static gboolean
otad_tuf_refresh_targets (OtadTufRepo *self, gboolean *fetched, GCancellable *cancellable,
                          GError **error)
{
	const OtadTufMetaFile *meta = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autofree gchar *path = NULL;

	if (self->snapshot != NULL) {
		meta = otad_tuf_metadata_get_meta (self->snapshot, "targets.json");
		/* the trusted copy is the one snapshot names: no need to download it */
		if (self->targets != NULL && self->targets->version == meta->version &&
		    otad_tuf_metadata_check_described (self->targets, meta, "targets.json", NULL) &&
		    otad_tuf_refresh_verify (self, self->targets, NULL))
			return otad_tuf_refresh_expiry (self, self->targets, error);
	}
	*fetched = TRUE;
	if (meta != NULL && self->root->consistent_snapshot)
		path = g_strdup_printf ("%" G_GINT64_FORMAT ".targets.json", meta->version);
	else
		path = g_strdup ("targets.json");
	md =
	    otad_tuf_refresh_fetch_described (self, path, meta, self->limits.targets_max,
	                                      OTAD_TUF_ROLE_TARGETS, "targets", cancellable, error);
	if (md == NULL)
		return FALSE;
	if (!otad_tuf_refresh_verify (self, md, error))
		return FALSE;
	if (meta != NULL && md->version != meta->version)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_MIX_AND_MATCH,
		                              _("targets version %" PRId64 " differs from "
		                                 "version %" PRId64 " in snapshot"),
		                              md->version, meta->version);
	if (meta == NULL && self->targets != NULL && md->version < self->targets->version)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_ROLLBACK,
		                              _("targets version %" PRId64 " is lower than "
		                                 "the trusted %" PRId64),
		                              md->version, self->targets->version);
	if (!otad_tuf_refresh_expiry (self, md, error))
		return FALSE;
	if (self->targets_check != NULL &&
	    !self->targets_check (md, self->targets_check_data, error))
		return FALSE;
	g_hash_table_remove_all (self->delegated);
	return otad_tuf_refresh_trust (self, &self->targets, md, "targets.json", error);
}

static gboolean
otad_tuf_repo_refresh_internal (OtadTufRepo *self, OtadTufRefreshFlags flags,
                                OtadTufRefreshResult *out_result, GCancellable *cancellable,
                                GError **error)
{
	gboolean optional = (flags & OTAD_TUF_REFRESH_FLAG_OPTIONAL_SNAPSHOT) != 0;
	gboolean unchanged = FALSE;
	gboolean absent = FALSE;
	gboolean fetched = FALSE;

	if (!otad_tuf_refresh_root (self, optional, cancellable, error))
		return FALSE;
	if (!otad_tuf_refresh_timestamp (self, optional, &unchanged, &absent, cancellable, error))
		return FALSE;
	/* a server that had a timestamp may not drop it to skip the snapshot checks */
	if (absent && self->timestamp != NULL)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_NOT_FOUND,
		                              _("timestamp.json is gone although one is trusted"));
	/* the trusted snapshot is the one an unchanged timestamp names: not fetched again,
	 * but it must still be fresh */
	if (unchanged && self->snapshot != NULL &&
	    self->snapshot->version ==
	        otad_tuf_metadata_get_meta (self->timestamp, "snapshot.json")->version) {
		if (!otad_tuf_refresh_expiry (self, self->snapshot, error))
			return FALSE;
	} else if (!absent) {
		unchanged = FALSE;
		if (!otad_tuf_refresh_snapshot (self, cancellable, error))
			return FALSE;
	}
	/* targets always: a trusted copy that is not the version snapshot lists (a refresh
	 * refused at targets before) is fetched again */
	if (!otad_tuf_refresh_targets (self, &fetched, cancellable, error))
		return FALSE;
	if (out_result != NULL)
		*out_result = unchanged && !fetched ? OTAD_TUF_REFRESH_RESULT_UNCHANGED
		                                    : OTAD_TUF_REFRESH_RESULT_UPDATED;
	return TRUE;
}

gboolean
otad_tuf_repo_refresh (OtadTufRepo *self, OtadTufRefreshFlags flags,
                       OtadTufRefreshResult *out_result, GCancellable *cancellable, GError **error)
{
	gboolean ok;

	g_return_val_if_fail (OTAD_IS_TUF_REPO (self), FALSE);
	if (self->root == NULL)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_NO_TRUSTED_ROOT,
		                              _("no trusted root"));
	/* 5.1: one fixed start time for every expiry check of this refresh */
	self->now = 0;
	self->now = otad_tuf_repo_now (self);
	ok = otad_tuf_repo_refresh_internal (self, flags, out_result, cancellable, error);
	self->now = 0;
	return ok;
}
