/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* the work of one job; runs in a worker thread (see otad-job.c on contexts)
 * and must not touch objects the main thread owns */
typedef gboolean (*OtadJobFunc) (gpointer job_data, GCancellable *cancellable, GError **error);

void otad_job_run (gpointer source_object,
		   const gchar *name,
		   OtadJobFunc func,
		   gpointer job_data,
		   GDestroyNotify job_data_free,
		   GCancellable *cancellable,
		   GAsyncReadyCallback callback,
		   gpointer user_data);
gboolean otad_job_finish (gpointer source_object,
			  GAsyncResult *res,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gpointer otad_job_get_data (GAsyncResult *res);

void otad_job_invoke_main (GMainContext *main_context,
			   GSourceFunc func,
			   gpointer data,
			   GDestroyNotify data_free);

G_END_DECLS
