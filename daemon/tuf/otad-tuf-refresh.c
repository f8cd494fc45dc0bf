/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include "otad-tuf-error.h"
#include "otad-tuf-repo-private.h"

/*
 * One refresh of a repository in the order of the TUF 1.0.x specification, section 5:
 * 5.3 root (N+1 until 404), 5.4 timestamp, 5.5 snapshot, 5.6 targets.  Everything is
 * checked against a single start time and kept in local variables; the repository's
 * trusted state changes only when every step passed.
 */

typedef struct {
	OtadTufMetadata *root;      /* (owned) */
	OtadTufMetadata *timestamp; /* (owned) (nullable) */
	OtadTufMetadata *snapshot;  /* (owned) (nullable) */
	OtadTufMetadata *targets;   /* (owned) (nullable) */
	gboolean root_changed;
	gboolean discard_ts_snapshot;
	GBytes *new_timestamp; /* (owned) (nullable) to write */
	GBytes *new_snapshot;  /* (owned) (nullable) */
	GBytes *new_targets;   /* (owned) (nullable) */
	GPtrArray *new_roots;  /* (owned) GBytes of each accepted root */
} OtadTufRefresh;

static void
otad_tuf_refresh_clear (OtadTufRefresh *r)
{
	g_clear_pointer (&r->root, otad_tuf_metadata_unref);
	g_clear_pointer (&r->timestamp, otad_tuf_metadata_unref);
	g_clear_pointer (&r->snapshot, otad_tuf_metadata_unref);
	g_clear_pointer (&r->targets, otad_tuf_metadata_unref);
	g_clear_pointer (&r->new_timestamp, g_bytes_unref);
	g_clear_pointer (&r->new_snapshot, g_bytes_unref);
	g_clear_pointer (&r->new_targets, g_bytes_unref);
	g_clear_pointer (&r->new_roots, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OtadTufRefresh, otad_tuf_refresh_clear)

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

/* the same keys (by material) and threshold for @name in both roots */
static gboolean
otad_tuf_refresh_role_keys_equal (OtadTufMetadata *a, OtadTufMetadata *b, const gchar *name)
{
	const OtadTufRole *ra = otad_tuf_metadata_get_role (a, name);
	const OtadTufRole *rb = otad_tuf_metadata_get_role (b, name);
	g_autoptr (GHashTable) fa = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GHashTable) fb = g_hash_table_new (g_str_hash, g_str_equal);

	if (ra->threshold != rb->threshold)
		return FALSE;
	for (guint i = 0; i < ra->keyids->len; i++) {
		OtadTufKey *key = g_hash_table_lookup (a->keys, g_ptr_array_index (ra->keyids, i));
		if (key != NULL)
			g_hash_table_add (fa, (gpointer)otad_tuf_key_get_fingerprint (key));
	}
	for (guint i = 0; i < rb->keyids->len; i++) {
		OtadTufKey *key = g_hash_table_lookup (b->keys, g_ptr_array_index (rb->keyids, i));
		if (key != NULL)
			g_hash_table_add (fb, (gpointer)otad_tuf_key_get_fingerprint (key));
	}
	if (g_hash_table_size (fa) != g_hash_table_size (fb))
		return FALSE;
	{
		GHashTableIter iter;
		gpointer k;
		g_hash_table_iter_init (&iter, fa);
		while (g_hash_table_iter_next (&iter, &k, NULL)) {
			if (!g_hash_table_contains (fb, k))
				return FALSE;
		}
	}
	return TRUE;
}

/* 5.3: root N → N+1 until the server has no next version */
static gboolean
otad_tuf_refresh_root (OtadTufRepo *self, OtadTufRefresh *r, GCancellable *cancellable,
                       GError **error)
{
	for (guint i = 0; i < self->limits.max_root_rotations; i++) {
		gint64 next = r->root->version + 1;
		g_autofree gchar *path = g_strdup_printf ("%" G_GINT64_FORMAT ".root.json", next);
		g_autofree gchar *signer = NULL;
		g_autoptr (GBytes) bytes = NULL;
		g_autoptr (OtadTufMetadata) md = NULL;
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
		/* signed by a threshold of the trusted root's keys and of its own */
		signer =
		    g_strdup_printf ("trusted root version %" G_GINT64_FORMAT, r->root->version);
		if (!otad_tuf_metadata_verify_role (md, r->root->keys,
		                                    otad_tuf_metadata_get_role (r->root, "root"),
		                                    signer, error) ||
		    !otad_tuf_metadata_verify_role (md, md->keys,
		                                    otad_tuf_metadata_get_role (md, "root"),
		                                    "the new root itself", error)) {
			g_prefix_error (error, "%s: %s: ", self->name, path);
			return FALSE;
		}
		if (md->version < next)
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_ROLLBACK,
			                              "%s has version %" G_GINT64_FORMAT, path,
			                              md->version);
		if (md->version > next)
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_BAD_VERSION,
			                              "%s has version %" G_GINT64_FORMAT
			                              " (fast-forward)",
			                              path, md->version);
		g_clear_pointer (&r->root, otad_tuf_metadata_unref);
		r->root = g_steal_pointer (&md);
		r->root_changed = TRUE;
		g_ptr_array_add (r->new_roots, g_steal_pointer (&bytes));
	}

	/* 5.3.10: the final root must not have expired (freeze) */
	if (!otad_tuf_metadata_check_expiry (r->root, self->now, error)) {
		g_prefix_error (error, "%s: ", self->name);
		return FALSE;
	}
	/* 5.3.11: new timestamp or snapshot keys make the old files worthless */
	if (r->root_changed &&
	    (!otad_tuf_refresh_role_keys_equal (self->root, r->root, "timestamp") ||
	     !otad_tuf_refresh_role_keys_equal (self->root, r->root, "snapshot"))) {
		g_clear_pointer (&r->timestamp, otad_tuf_metadata_unref);
		g_clear_pointer (&r->snapshot, otad_tuf_metadata_unref);
		r->discard_ts_snapshot = TRUE;
	}
	/* what the new root no longer vouches for cannot serve as a rollback reference:
	 * this is how a repository recovers from a fast-forward attack */
	if (r->root_changed) {
		OtadTufMetadata **trusted[] = {&r->timestamp, &r->snapshot, &r->targets};
		for (guint i = 0; i < G_N_ELEMENTS (trusted); i++) {
			OtadTufMetadata *md = *trusted[i];
			if (md != NULL && !otad_tuf_metadata_verify_role (
			                      md, r->root->keys,
			                      otad_tuf_metadata_get_role (r->root, md->role_name),
			                      "the new root", NULL)) {
				g_info ("%s: trusted %s no longer signed by the root's keys",
				        self->name, md->role_name);
				g_clear_pointer (trusted[i], otad_tuf_metadata_unref);
			}
		}
	}
	return TRUE;
}

static gboolean
otad_tuf_refresh_verify (OtadTufRepo *self, OtadTufRefresh *r, OtadTufMetadata *md, GError **error)
{
	const OtadTufRole *role = otad_tuf_metadata_get_role (r->root, md->role_name);
	g_autofree gchar *signer =
	    g_strdup_printf ("root version %" G_GINT64_FORMAT, r->root->version);
	if (!otad_tuf_metadata_verify_role (md, r->root->keys, role, signer, error)) {
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

/* fetch a file that a parent role describes in its meta; length and hashes checked */
static GBytes *
otad_tuf_refresh_fetch_described (OtadTufRepo *self, const gchar *path, const OtadTufMetaFile *meta,
                                  guint64 default_max, GCancellable *cancellable, GError **error)
{
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GError) error_local = NULL;
	guint64 max = (meta != NULL && meta->length >= 0) ? (guint64)meta->length : default_max;

	bytes = otad_tuf_repo_fetch (self, path, max, cancellable, &error_local);
	if (bytes == NULL) {
		if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_NOT_FOUND,
			                              "%s not found", path),
			       NULL;
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	if (meta != NULL &&
	    !otad_tuf_check_hashes (meta->hashes, meta->length, bytes, path, error)) {
		g_prefix_error (error, "%s: ", self->name);
		return NULL;
	}
	return g_steal_pointer (&bytes);
}

/* 5.4 timestamp; sets *unchanged when its version equals the trusted one */
static gboolean
otad_tuf_refresh_timestamp (OtadTufRepo *self, OtadTufRefresh *r, gboolean optional,
                            gboolean *unchanged, gboolean *absent, GCancellable *cancellable,
                            GError **error)
{
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autoptr (GError) error_local = NULL;
	const OtadTufMetaFile *snap_meta;

	bytes = otad_tuf_repo_fetch (self, "timestamp.json", self->limits.timestamp_max,
	                             cancellable, &error_local);
	if (bytes == NULL) {
		if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
			if (optional) {
				*absent = TRUE;
				return TRUE;
			}
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_NOT_FOUND,
			                              "timestamp.json not found");
		}
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	md = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_TIMESTAMP, "timestamp", error);
	if (md == NULL) {
		g_prefix_error (error, "%s: ", self->name);
		return FALSE;
	}
	if (!otad_tuf_refresh_verify (self, r, md, error))
		return FALSE;
	snap_meta = otad_tuf_metadata_get_meta (md, "snapshot.json");
	if (r->timestamp != NULL) {
		const OtadTufMetaFile *old =
		    otad_tuf_metadata_get_meta (r->timestamp, "snapshot.json");
		if (md->version < r->timestamp->version)
			return otad_tuf_refresh_fail (
			    self, error, OTAD_TUF_ERROR_ROLLBACK,
			    "timestamp version %" G_GINT64_FORMAT
			    " is lower than the trusted %" G_GINT64_FORMAT,
			    md->version, r->timestamp->version);
		if (snap_meta->version < old->version)
			return otad_tuf_refresh_fail (
			    self, error, OTAD_TUF_ERROR_ROLLBACK,
			    "timestamp names snapshot version %" G_GINT64_FORMAT
			    ", lower than the trusted %" G_GINT64_FORMAT,
			    snap_meta->version, old->version);
		if (md->version == r->timestamp->version) {
			/* a replayed timestamp is still a freeze once it expires */
			if (!otad_tuf_refresh_expiry (self, r->timestamp, error))
				return FALSE;
			*unchanged = TRUE;
			return TRUE;
		}
	}
	if (!otad_tuf_refresh_expiry (self, md, error))
		return FALSE;
	g_clear_pointer (&r->timestamp, otad_tuf_metadata_unref);
	r->timestamp = g_steal_pointer (&md);
	r->new_timestamp = g_steal_pointer (&bytes);
	return TRUE;
}

/* 5.5 snapshot */
static gboolean
otad_tuf_refresh_snapshot (OtadTufRepo *self, OtadTufRefresh *r, GCancellable *cancellable,
                           GError **error)
{
	const OtadTufMetaFile *meta = otad_tuf_metadata_get_meta (r->timestamp, "snapshot.json");
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autofree gchar *path = NULL;

	if (r->root->consistent_snapshot)
		path = g_strdup_printf ("%" G_GINT64_FORMAT ".snapshot.json", meta->version);
	else
		path = g_strdup ("snapshot.json");
	bytes = otad_tuf_refresh_fetch_described (self, path, meta, self->limits.snapshot_max,
	                                          cancellable, error);
	if (bytes == NULL)
		return FALSE;
	md = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_SNAPSHOT, "snapshot", error);
	if (md == NULL) {
		g_prefix_error (error, "%s: ", self->name);
		return FALSE;
	}
	if (!otad_tuf_refresh_verify (self, r, md, error))
		return FALSE;
	if (md->version != meta->version)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_MIX_AND_MATCH,
		                              "snapshot version %" G_GINT64_FORMAT " differs from "
		                              "version %" G_GINT64_FORMAT " in timestamp",
		                              md->version, meta->version);
	if (r->snapshot != NULL) {
		GHashTableIter iter;
		gpointer key, value;
		if (md->version < r->snapshot->version)
			return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_ROLLBACK,
			                              "snapshot version %" G_GINT64_FORMAT
			                              " is lower "
			                              "than the trusted %" G_GINT64_FORMAT,
			                              md->version, r->snapshot->version);
		/* no targets role may go back or disappear */
		g_hash_table_iter_init (&iter, r->snapshot->meta);
		while (g_hash_table_iter_next (&iter, &key, &value)) {
			const OtadTufMetaFile *old = value;
			const OtadTufMetaFile *now = otad_tuf_metadata_get_meta (md, key);
			if (g_strcmp0 (key, "root.json") == 0)
				continue;
			if (now == NULL)
				return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_ROLLBACK,
				                              "snapshot no longer lists %s",
				                              (const gchar *)key);
			if (now->version < old->version)
				return otad_tuf_refresh_fail (
				    self, error, OTAD_TUF_ERROR_ROLLBACK,
				    "snapshot lists %s version %" G_GINT64_FORMAT
				    ", lower than the trusted %" G_GINT64_FORMAT,
				    (const gchar *)key, now->version, old->version);
		}
	}
	if (!otad_tuf_refresh_expiry (self, md, error))
		return FALSE;
	g_clear_pointer (&r->snapshot, otad_tuf_metadata_unref);
	r->snapshot = g_steal_pointer (&md);
	r->new_snapshot = g_steal_pointer (&bytes);
	return TRUE;
}

/* 5.6 targets; without snapshot (a Director that has none) the version only may not go
 * back */
static gboolean
otad_tuf_refresh_targets (OtadTufRepo *self, OtadTufRefresh *r, GCancellable *cancellable,
                          GError **error)
{
	const OtadTufMetaFile *meta = NULL;
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autofree gchar *path = NULL;

	if (r->snapshot != NULL) {
		meta = otad_tuf_metadata_get_meta (r->snapshot, "targets.json");
		/* the trusted copy is the one snapshot names: no need to download it */
		if (r->targets != NULL && r->targets->version == meta->version &&
		    otad_tuf_check_hashes (meta->hashes, meta->length,
		                           otad_tuf_metadata_get_bytes (r->targets), "targets.json",
		                           NULL) &&
		    otad_tuf_refresh_verify (self, r, r->targets, NULL))
			return otad_tuf_refresh_expiry (self, r->targets, error);
	}
	if (meta != NULL && r->root->consistent_snapshot)
		path = g_strdup_printf ("%" G_GINT64_FORMAT ".targets.json", meta->version);
	else
		path = g_strdup ("targets.json");
	bytes = otad_tuf_refresh_fetch_described (self, path, meta, self->limits.targets_max,
	                                          cancellable, error);
	if (bytes == NULL)
		return FALSE;
	md = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_TARGETS, "targets", error);
	if (md == NULL) {
		g_prefix_error (error, "%s: ", self->name);
		return FALSE;
	}
	if (!otad_tuf_refresh_verify (self, r, md, error))
		return FALSE;
	if (meta != NULL && md->version != meta->version)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_MIX_AND_MATCH,
		                              "targets version %" G_GINT64_FORMAT " differs from "
		                              "version %" G_GINT64_FORMAT " in snapshot",
		                              md->version, meta->version);
	if (r->targets != NULL && md->version < r->targets->version)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_ROLLBACK,
		                              "targets version %" G_GINT64_FORMAT " is lower than "
		                              "the trusted %" G_GINT64_FORMAT,
		                              md->version, r->targets->version);
	if (!otad_tuf_refresh_expiry (self, md, error))
		return FALSE;
	g_clear_pointer (&r->targets, otad_tuf_metadata_unref);
	r->targets = g_steal_pointer (&md);
	r->new_targets = g_steal_pointer (&bytes);
	return TRUE;
}

static void
otad_tuf_refresh_apply (OtadTufRepo *self, OtadTufRefresh *r)
{
	if (r->root_changed) {
		GBytes *last = g_ptr_array_index (r->new_roots, r->new_roots->len - 1);
		g_hash_table_insert (self->dirty, g_strdup ("root.json"), g_bytes_ref (last));
	}
	if (r->discard_ts_snapshot) {
		g_hash_table_insert (self->dirty, g_strdup ("timestamp.json"), NULL);
		g_hash_table_insert (self->dirty, g_strdup ("snapshot.json"), NULL);
	}
	if (r->new_timestamp != NULL)
		g_hash_table_insert (self->dirty, g_strdup ("timestamp.json"),
		                     g_steal_pointer (&r->new_timestamp));
	if (r->new_snapshot != NULL)
		g_hash_table_insert (self->dirty, g_strdup ("snapshot.json"),
		                     g_steal_pointer (&r->new_snapshot));
	if (r->new_targets != NULL)
		g_hash_table_insert (self->dirty, g_strdup ("targets.json"),
		                     g_steal_pointer (&r->new_targets));
	g_clear_pointer (&self->root, otad_tuf_metadata_unref);
	g_clear_pointer (&self->timestamp, otad_tuf_metadata_unref);
	g_clear_pointer (&self->snapshot, otad_tuf_metadata_unref);
	g_clear_pointer (&self->targets, otad_tuf_metadata_unref);
	self->root = g_steal_pointer (&r->root);
	self->timestamp = g_steal_pointer (&r->timestamp);
	self->snapshot = g_steal_pointer (&r->snapshot);
	self->targets = g_steal_pointer (&r->targets);
	/* delegated roles are checked again against the new snapshot */
	g_hash_table_remove_all (self->delegated);
}

static gboolean
otad_tuf_repo_refresh_internal (OtadTufRepo *self, OtadTufRefreshFlags flags,
                                OtadTufRefreshResult *out_result, GCancellable *cancellable,
                                GError **error)
{
	g_auto (OtadTufRefresh) r = {0};
	gboolean unchanged = FALSE;
	gboolean absent = FALSE;

	r.root = otad_tuf_metadata_ref (self->root);
	r.timestamp = self->timestamp != NULL ? otad_tuf_metadata_ref (self->timestamp) : NULL;
	r.snapshot = self->snapshot != NULL ? otad_tuf_metadata_ref (self->snapshot) : NULL;
	r.targets = self->targets != NULL ? otad_tuf_metadata_ref (self->targets) : NULL;
	r.new_roots = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

	if (!otad_tuf_refresh_root (self, &r, cancellable, error))
		return FALSE;
	if (!otad_tuf_refresh_timestamp (self, &r, flags & OTAD_TUF_REFRESH_FLAG_OPTIONAL_SNAPSHOT,
	                                 &unchanged, &absent, cancellable, error))
		return FALSE;
	/* a server that had a timestamp may not drop it to skip the snapshot checks */
	if (absent && r.timestamp != NULL)
		return otad_tuf_refresh_fail (self, error, OTAD_TUF_ERROR_NOT_FOUND,
		                              "timestamp.json is gone although one is trusted");
	if (unchanged && r.snapshot != NULL && r.targets != NULL &&
	    r.snapshot->version ==
	        otad_tuf_metadata_get_meta (r.timestamp, "snapshot.json")->version) {
		/* nothing more is fetched; what is trusted must still be fresh */
		if (!otad_tuf_refresh_expiry (self, r.snapshot, error) ||
		    !otad_tuf_refresh_expiry (self, r.targets, error))
			return FALSE;
		otad_tuf_refresh_apply (self, &r);
		if (out_result != NULL)
			*out_result = OTAD_TUF_REFRESH_RESULT_UNCHANGED;
		return TRUE;
	}
	if (!absent && !otad_tuf_refresh_snapshot (self, &r, cancellable, error))
		return FALSE;
	if (!otad_tuf_refresh_targets (self, &r, cancellable, error))
		return FALSE;
	otad_tuf_refresh_apply (self, &r);
	if (out_result != NULL)
		*out_result = OTAD_TUF_REFRESH_RESULT_UPDATED;
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
		                              "no trusted root");
	/* 5.1: one fixed start time for every expiry check of this refresh */
	self->now = 0;
	self->now = otad_tuf_repo_now (self);
	ok = otad_tuf_repo_refresh_internal (self, flags, out_result, cancellable, error);
	self->now = 0;
	return ok;
}
