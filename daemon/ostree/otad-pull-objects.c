/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadPull"

#include "config.h"

#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-pull-objects.h"

/* dirtree and dirmeta objects are small; a file object may be as large as an image */
#define OTAD_PULL_OBJECTS_META_MAX (16 * 1024 * 1024)
#define OTAD_PULL_OBJECTS_FILE_MAX (G_GUINT64_CONSTANT (8) * 1024 * 1024 * 1024)
#define OTAD_PULL_OBJECTS_MAX_DEPTH 256
#define OTAD_PULL_OBJECTS_PROGRESS_USEC (200 * 1000)

/*
 * Objects are fetched by OTAD_PULL_OBJECTS_IN_FLIGHT workers at once, as libostree's
 * fetcher keeps up to _OSTREE_MAX_OUTSTANDING_FETCHER_REQUESTS (8) requests outstanding
 * (ostree-repo-private.h; fetcher_queue_is_full() in ostree-repo-pull.c): one request at
 * a time waits a round trip per object, which on a tree of small files is most of the
 * pull.  The workers are threads that use otad's synchronous transport (libsoup >= 3.2
 * sends from any thread, docs/reference/client-thread-safety.md), so every request keeps
 * what that transport guarantees: the redirect rule, the per-file deadline and minimum
 * speed, Retry-After, resume of a part file, the client identity (PEM or PKCS#11) and the
 * job's retry budget.  The session allows as many connections per host
 * (otad-http.c).  The threads live for this pull only.
 *
 * Work is a queue of objects: a dirtree, once in the repository, adds its subdirectories'
 * dirmeta and dirtree at the head (the tree is learnt first, as libostree scans metadata
 * before content) and its missing file objects at the tail.
 */
#define OTAD_PULL_OBJECTS_IN_FLIGHT 8

typedef struct {
	OstreeObjectType type;
	guint depth;
	gchar checksum[OSTREE_SHA256_STRING_LEN + 1];
} OtadPullTask;

typedef struct {
	OstreeRepo *repo;	  /* (unowned) */
	const gchar *url;	  /* (unowned) */
	OtadHttp *http;		  /* (unowned) */
	gchar *tmpdir;		  /* (owned) where file objects land before writing */
	GCancellable *cancellable; /* (owned) the workers': the job's, and the first failure */
	gulong cancelled_id;	  /* on the job's cancellable */
	GCancellable *job_cancellable; /* (unowned) (nullable) */
	OtadPullProgressFunc progress_func;
	gpointer progress_data;
	guint64 bytes_start;

	GMutex lock; /* everything below */
	GCond cond;  /* new work, a worker done or returned */
	GQueue tasks;	    /* (element-type OtadPullTask) metadata first */
	GHashTable *seen;   /* (owned) "checksum.type" of every object queued */
	guint busy;	    /* workers with a task in hand */
	guint running;	    /* workers not returned yet */
	GError *error;	    /* (owned) (nullable) the first failure; stops the others */
	guint fetched;
	guint total;
} OtadPullObjects;

static void
otad_pull_objects_cancel_workers (GCancellable *job_cancellable, gpointer user_data)
{
	g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
otad_pull_objects_clear (OtadPullObjects *self)
{
	if (self->cancelled_id != 0)
		g_cancellable_disconnect (self->job_cancellable, self->cancelled_id);
	g_clear_object (&self->cancellable);
	g_queue_clear_full (&self->tasks, g_free);
	g_clear_pointer (&self->seen, g_hash_table_unref);
	g_clear_pointer (&self->tmpdir, g_free);
	g_clear_error (&self->error);
	g_mutex_clear (&self->lock);
	g_cond_clear (&self->cond);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OtadPullObjects, otad_pull_objects_clear)

/* in the thread that called otad_pull_objects_http(), never in a worker */
static void
otad_pull_objects_progress (OtadPullObjects *self)
{
	OtadPullProgress progress = {.phase = OTAD_PULL_PHASE_OBJECTS};

	if (self->progress_func == NULL)
		return;
	/* the byte counter only grows; so do fetched and total, read under the lock */
	progress.bytes_transferred = otad_http_get_bytes_received (self->http) - self->bytes_start;
	g_mutex_lock (&self->lock);
	progress.objects_fetched = self->fetched;
	progress.objects_total = self->total;
	g_mutex_unlock (&self->lock);
	if (progress.objects_fetched > 0 && progress.objects_total >= progress.objects_fetched)
		progress.bytes_total = progress.bytes_transferred * progress.objects_total /
				       progress.objects_fetched;
	self->progress_func (&progress, self->progress_data);
}

static gchar *
otad_pull_objects_url (OtadPullObjects *self, const gchar *checksum, const gchar *suffix)
{
	g_autofree gchar *relpath =
	    g_strdup_printf ("objects/%.2s/%s.%s", checksum, checksum + 2, suffix);
	return otad_http_join_url (self->url, relpath);
}

/* queues @checksum unless it was queued before; under the lock */
static void
otad_pull_objects_queue_locked (OtadPullObjects *self,
				OstreeObjectType type,
				const gchar *checksum,
				guint depth)
{
	g_autofree gchar *name = g_strdup_printf ("%s.%d", checksum, type);
	OtadPullTask *task;

	if (g_hash_table_contains (self->seen, name))
		return;
	g_hash_table_add (self->seen, g_steal_pointer (&name));
	task = g_new0 (OtadPullTask, 1);
	task->type = type;
	task->depth = depth;
	g_strlcpy (task->checksum, checksum, sizeof task->checksum);
	if (type == OSTREE_OBJECT_TYPE_FILE)
		g_queue_push_tail (&self->tasks, task);
	else
		g_queue_push_head (&self->tasks, task);
	self->total++;
	g_cond_signal (&self->cond);
}

static void
otad_pull_objects_queue (OtadPullObjects *self,
			 OstreeObjectType type,
			 const gchar *checksum,
			 guint depth)
{
	g_mutex_lock (&self->lock);
	otad_pull_objects_queue_locked (self, type, checksum, depth);
	g_mutex_unlock (&self->lock);
}

static gboolean
otad_pull_objects_queued (OtadPullObjects *self, const gchar *checksum, OstreeObjectType type)
{
	g_autofree gchar *name = g_strdup_printf ("%s.%d", checksum, type);
	gboolean queued;

	g_mutex_lock (&self->lock);
	queued = g_hash_table_contains (self->seen, name);
	g_mutex_unlock (&self->lock);
	return queued;
}

/* a dirtree or dirmeta object, fetched unless the repository has it; its variant out */
static GVariant *
otad_pull_objects_meta (OtadPullObjects *self,
			OstreeObjectType type,
			const gchar *checksum,
			GError **error)
{
	g_autofree gchar *url = NULL;
	g_autofree guchar *csum = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GVariant) variant = NULL;
	gboolean have = FALSE;

	if (!ostree_repo_has_object (self->repo, type, checksum, &have, self->cancellable, error))
		return NULL;
	if (have) {
		if (!ostree_repo_load_variant (self->repo, type, checksum, &variant, error))
			return NULL;
		return g_steal_pointer (&variant);
	}
	url = otad_pull_objects_url (self, checksum,
				     type == OSTREE_OBJECT_TYPE_DIR_TREE ? "dirtree" : "dirmeta");
	bytes = otad_http_get (self->http, url, OTAD_PULL_OBJECTS_META_MAX, OTAD_HTTP_FLAG_NONE,
			       NULL, self->cancellable, error);
	if (bytes == NULL)
		return NULL;
	variant = g_variant_ref_sink (g_variant_new_from_bytes (
	    ostree_metadata_variant_type (type), bytes, FALSE));
	/* written only when the content has the checksum it was asked for */
	if (!ostree_repo_write_metadata (self->repo, type, checksum, variant, &csum,
					 self->cancellable, error)) {
		g_prefix_error (error, "%s: ", url);
		return NULL;
	}
	return g_steal_pointer (&variant);
}

/* one archive-mode file object (compressed content and its header) into the repository */
static gboolean
otad_pull_objects_file (OtadPullObjects *self, const gchar *checksum, GError **error)
{
	GCancellable *cancellable = self->cancellable;
	g_autofree gchar *url = otad_pull_objects_url (self, checksum, "filez");
	g_autofree gchar *dest = g_build_filename (self->tmpdir, checksum, NULL);
	g_autoptr(GFile) file = g_file_new_for_path (dest);
	g_autoptr(GFileInputStream) in = NULL;
	g_autoptr(GFileInfo) st = NULL;
	g_autoptr(GInputStream) file_in = NULL;
	g_autoptr(GFileInfo) finfo = NULL;
	g_autoptr(GVariant) xattrs = NULL;
	g_autoptr(GInputStream) content = NULL;
	g_autofree guchar *csum = NULL;
	guint64 content_len = 0;
	gboolean ok;

	/* the object is checked and written to the repository (synced with its transaction)
	 * right away: the file it waits in need not reach the disk first */
	if (!otad_http_download_full (self->http, url, dest, OTAD_PULL_OBJECTS_FILE_MAX,
				      OTAD_HTTP_DOWNLOAD_FLAG_TRANSIENT, NULL, NULL, cancellable,
				      error))
		return FALSE;
	in = g_file_read (file, cancellable, error);
	if (in == NULL)
		return FALSE;
	st = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable,
					     error);
	if (st == NULL)
		return FALSE;
	/* written only when the content has the checksum it was asked for */
	ok = ostree_content_stream_parse (TRUE, G_INPUT_STREAM (in),
					  (guint64)g_file_info_get_size (st), FALSE, &file_in,
					  &finfo, &xattrs, cancellable, error) &&
	     ostree_raw_file_to_content_stream (file_in, finfo, xattrs, &content, &content_len,
						cancellable, error) &&
	     ostree_repo_write_content (self->repo, checksum, content, content_len, &csum,
					cancellable, error);
	g_unlink (dest);
	if (!ok)
		g_prefix_error (error, "%s: ", url);
	return ok;
}

/* a dirtree in the repository: its file objects the repository lacks and its
 * subdirectories go to the queue */
static gboolean
otad_pull_objects_scan_tree (OtadPullObjects *self, GVariant *tree, guint depth, GError **error)
{
	g_autoptr(GVariant) files = g_variant_get_child_value (tree, 0);
	g_autoptr(GVariant) dirs = g_variant_get_child_value (tree, 1);

	/* a(say) files, a(sayay) dirs: names with binary checksums */
	for (gsize i = 0; i < g_variant_n_children (files); i++) {
		g_autoptr(GVariant) csum_v = NULL;
		g_autofree gchar *csum = NULL;
		const gchar *name = NULL;
		gboolean have = FALSE;

		g_variant_get_child (files, i, "(&s@ay)", &name, &csum_v);
		if (!ostree_validate_structureof_csum_v (csum_v, error))
			return FALSE;
		csum = ostree_checksum_from_bytes_v (csum_v);
		if (otad_pull_objects_queued (self, csum, OSTREE_OBJECT_TYPE_FILE))
			continue;
		if (!ostree_repo_has_object (self->repo, OSTREE_OBJECT_TYPE_FILE, csum, &have,
					     self->cancellable, error))
			return FALSE;
		if (!have)
			otad_pull_objects_queue (self, OSTREE_OBJECT_TYPE_FILE, csum, depth + 1);
	}
	for (gsize i = 0; i < g_variant_n_children (dirs); i++) {
		g_autoptr(GVariant) tree_v = NULL;
		g_autoptr(GVariant) meta_v = NULL;
		g_autofree gchar *sub_tree = NULL;
		g_autofree gchar *sub_meta = NULL;
		const gchar *name = NULL;

		g_variant_get_child (dirs, i, "(&s@ay@ay)", &name, &tree_v, &meta_v);
		if (!ostree_validate_structureof_csum_v (tree_v, error) ||
		    !ostree_validate_structureof_csum_v (meta_v, error))
			return FALSE;
		sub_tree = ostree_checksum_from_bytes_v (tree_v);
		sub_meta = ostree_checksum_from_bytes_v (meta_v);
		g_mutex_lock (&self->lock);
		otad_pull_objects_queue_locked (self, OSTREE_OBJECT_TYPE_DIR_META, sub_meta,
						depth + 1);
		otad_pull_objects_queue_locked (self, OSTREE_OBJECT_TYPE_DIR_TREE, sub_tree,
						depth + 1);
		g_mutex_unlock (&self->lock);
	}
	return TRUE;
}

static gboolean
otad_pull_objects_do (OtadPullObjects *self, const OtadPullTask *task, GError **error)
{
	g_autoptr(GVariant) variant = NULL;

	if (task->depth > OTAD_PULL_OBJECTS_MAX_DEPTH) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_SERVER, _("tree %s is nested too deep"),
		             task->checksum);
		return FALSE;
	}
	if (task->type == OSTREE_OBJECT_TYPE_FILE)
		return otad_pull_objects_file (self, task->checksum, error);
	variant = otad_pull_objects_meta (self, task->type, task->checksum, error);
	if (variant == NULL)
		return FALSE;
	if (task->type == OSTREE_OBJECT_TYPE_DIR_TREE)
		return otad_pull_objects_scan_tree (self, variant, task->depth, error);
	return TRUE;
}

/* takes tasks until the queue is empty with no worker that could add to it, or a
 * worker failed */
static gpointer
otad_pull_objects_worker (gpointer data)
{
	OtadPullObjects *self = data;

	g_mutex_lock (&self->lock);
	for (;;) {
		g_autoptr(GError) error_local = NULL;
		g_autofree OtadPullTask *task = NULL;
		gboolean ok;

		while (self->error == NULL && g_queue_is_empty (&self->tasks) && self->busy > 0)
			g_cond_wait (&self->cond, &self->lock);
		if (self->error != NULL || g_queue_is_empty (&self->tasks))
			break;
		task = g_queue_pop_head (&self->tasks);
		self->busy++;
		g_mutex_unlock (&self->lock);
		ok = otad_pull_objects_do (self, task, &error_local);
		g_mutex_lock (&self->lock);
		self->busy--;
		if (ok) {
			self->fetched++;
		} else if (self->error == NULL) {
			/* the others stop at their next read: nothing more is worth fetching */
			self->error = g_steal_pointer (&error_local);
			g_cancellable_cancel (self->cancellable);
		}
		g_cond_broadcast (&self->cond);
	}
	self->running--;
	g_cond_broadcast (&self->cond);
	g_mutex_unlock (&self->lock);
	return NULL;
}

/* the workers from the commit's root tree on; progress from this thread meanwhile */
static gboolean
otad_pull_objects_run (OtadPullObjects *self, const gchar *checksum, GError **error)
{
	g_autoptr(GVariant) commit = NULL;
	g_autoptr(GVariant) tree_v = NULL;
	g_autoptr(GVariant) meta_v = NULL;
	g_autofree gchar *tree = NULL;
	g_autofree gchar *meta = NULL;
	GThread *threads[OTAD_PULL_OBJECTS_IN_FLIGHT] = {NULL};
	gint64 next_progress = g_get_monotonic_time () + OTAD_PULL_OBJECTS_PROGRESS_USEC;

	if (!ostree_repo_load_variant (self->repo, OSTREE_OBJECT_TYPE_COMMIT, checksum, &commit,
				       error))
		return FALSE;
	g_variant_get_child (commit, 6, "@ay", &tree_v);
	g_variant_get_child (commit, 7, "@ay", &meta_v);
	if (!ostree_validate_structureof_csum_v (tree_v, error) ||
	    !ostree_validate_structureof_csum_v (meta_v, error))
		return FALSE;
	tree = ostree_checksum_from_bytes_v (tree_v);
	meta = ostree_checksum_from_bytes_v (meta_v);
	g_mutex_lock (&self->lock);
	otad_pull_objects_queue_locked (self, OSTREE_OBJECT_TYPE_DIR_META, meta, 0);
	otad_pull_objects_queue_locked (self, OSTREE_OBJECT_TYPE_DIR_TREE, tree, 0);
	self->running = G_N_ELEMENTS (threads);
	g_mutex_unlock (&self->lock);

	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		threads[i] = g_thread_new ("otad-pull", otad_pull_objects_worker, self);
	g_mutex_lock (&self->lock);
	while (self->running > 0) {
		(void)g_cond_wait_until (&self->cond, &self->lock, next_progress);
		if (self->running > 0 && g_get_monotonic_time () >= next_progress) {
			g_mutex_unlock (&self->lock);
			otad_pull_objects_progress (self);
			next_progress = g_get_monotonic_time () + OTAD_PULL_OBJECTS_PROGRESS_USEC;
			g_mutex_lock (&self->lock);
		}
	}
	g_mutex_unlock (&self->lock);
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		g_thread_join (threads[i]);

	if (self->error != NULL) {
		g_propagate_error (error, g_steal_pointer (&self->error));
		return FALSE;
	}
	otad_pull_objects_progress (self);
	return TRUE;
}

/* OtadHttp names a cancellation OTA_ERROR_CANCELLED; the pull's callers use GIO's */
static gboolean
otad_pull_objects_fail (GError **error)
{
	if (error != NULL && g_error_matches (*error, OTA_ERROR, OTA_ERROR_CANCELLED)) {
		(*error)->domain = G_IO_ERROR;
		(*error)->code = G_IO_ERROR_CANCELLED;
	}
	return FALSE;
}

gboolean
otad_pull_objects_http (OstreeRepo *repo,
			OtadHttp *http,
			const gchar *url,
			const gchar *tmpdir,
			const gchar *checksum,
			OtadPullProgressFunc progress_func,
			gpointer progress_data,
			GCancellable *cancellable,
			GError **error)
{
	g_auto(OtadPullObjects) self = {.repo = repo, .url = url, .http = http};
	g_autoptr(GError) error_local = NULL;

	g_mutex_init (&self.lock);
	g_cond_init (&self.cond);
	g_queue_init (&self.tasks);
	self.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self.tmpdir = g_strdup (tmpdir);
	self.progress_func = progress_func;
	self.progress_data = progress_data;
	self.bytes_start = otad_http_get_bytes_received (http);
	/* the workers' own, so the first failure stops the others; the waits between
	 * attempts made with it still count against the job's retry budget */
	self.cancellable = g_cancellable_new ();
	if (cancellable != NULL) {
		otad_http_share_retry_budget (http, cancellable, self.cancellable);
		self.job_cancellable = cancellable;
		self.cancelled_id = g_cancellable_connect (
		    cancellable, G_CALLBACK (otad_pull_objects_cancel_workers),
		    g_object_ref (self.cancellable), g_object_unref);
	}
	if (g_mkdir_with_parents (self.tmpdir, 0700) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("cannot create %s"),
		             self.tmpdir);
		return FALSE;
	}
	if (!ostree_repo_prepare_transaction (repo, NULL, cancellable, error))
		return FALSE;
	if (!otad_pull_objects_run (&self, checksum, &error_local)) {
		/* a failure that cancelled the others is what is reported; a cancelled job
		 * is a cancellation whatever a worker saw first */
		if (g_cancellable_is_cancelled (cancellable)) {
			g_clear_error (&error_local);
			g_set_error_literal (&error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED,
			                     _("Operation was cancelled"));
		}
		otad_pull_objects_fail (&error_local);
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
		                            _("failed to pull %s from %s: "), checksum, url);
		(void)ostree_repo_abort_transaction (repo, NULL, NULL);
		return FALSE;
	}
	if (!ostree_repo_commit_transaction (repo, NULL, cancellable, error))
		return FALSE;
	/* everything the commit needs is there now */
	return ostree_repo_mark_commit_partial (repo, checksum, FALSE, error);
}
