/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include "otad-job.h"

/* the job pattern of eos-updater: the caller copies what the worker needs
 * into job_data, the worker runs in a thread, and the callback comes back on
 * the caller's main context, which alone changes state.
 *
 * The worker deliberately pushes no thread-default GMainContext: libostree
 * and otad-spawn make their own where they need one, and glib-networking
 * dispatches a TLS handshake's certificate check to the thread-default
 * context of the caller and waits for it; a pushed context that nobody
 * iterates while libsoup blocks in a sync request hangs every handshake. */

typedef struct {
	OtadJobFunc func;
	gchar *name;
} OtadJobHelper;

static void
otad_job_helper_free (OtadJobHelper *helper)
{
	g_free (helper->name);
	g_free (helper);
}

static void
otad_job_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
	OtadJobHelper *helper = g_object_get_data (G_OBJECT (task), "otad-job-helper");
	g_autoptr(GError) error_local = NULL;
	gboolean ok;

	g_debug ("job %s started", helper->name);
	ok = helper->func (task_data, cancellable, &error_local);

	if (!ok) {
		g_debug ("job %s failed: %s", helper->name, error_local->message);
		g_task_return_error (task, g_steal_pointer (&error_local));
		return;
	}
	g_debug ("job %s done", helper->name);
	g_task_return_boolean (task, TRUE);
}

/**
 * otad_job_run:
 * @job_data: (transfer full): owned by the job, freed with @job_data_free
 *
 * Runs @func in a worker thread; @callback is called on the thread-default
 * main context of the caller.
 */
void
otad_job_run (gpointer source_object,
	      const gchar *name,
	      OtadJobFunc func,
	      gpointer job_data,
	      GDestroyNotify job_data_free,
	      GCancellable *cancellable,
	      GAsyncReadyCallback callback,
	      gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new (source_object, cancellable, callback, user_data);
	OtadJobHelper *helper = g_new0 (OtadJobHelper, 1);

	helper->func = func;
	helper->name = g_strdup (name);
	g_task_set_source_tag (task, otad_job_run);
	g_task_set_name (task, name);
	g_task_set_task_data (task, job_data, job_data_free);
	g_object_set_data_full (G_OBJECT (task),
				"otad-job-helper",
				helper,
				(GDestroyNotify)otad_job_helper_free);
	/* a cancelled job still runs its func, which notices and cleans up */
	g_task_set_return_on_cancel (task, FALSE);
	g_task_run_in_thread (task, otad_job_thread);
}

gboolean
otad_job_finish (gpointer source_object, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (res, source_object), FALSE);
	return g_task_propagate_boolean (G_TASK (res), error);
}

/**
 * otad_job_get_data:
 *
 * Returns: (transfer none): the job_data given to otad_job_run()
 */
gpointer
otad_job_get_data (GAsyncResult *res)
{
	return g_task_get_task_data (G_TASK (res));
}

/**
 * otad_job_invoke_main:
 *
 * Lets a worker hand progress or events to the main thread.
 */
void
otad_job_invoke_main (GMainContext *main_context,
		      GSourceFunc func,
		      gpointer data,
		      GDestroyNotify data_free)
{
	g_main_context_invoke_full (main_context, G_PRIORITY_DEFAULT, func, data, data_free);
}
