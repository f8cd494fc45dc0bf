/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Run a helper program (fw_setenv, grub-editenv, systemctl, a health check)
 * synchronously with a deadline.  The child gets its own process group so a
 * timeout kills everything it started, not only the first process; the wait
 * runs on a private main context so this works from any worker thread.
 */
#define G_LOG_DOMAIN "OtadSpawn"

#include "config.h"

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-spawn.h"

/* after killing a child on timeout, how long to wait for its pipes to close
 * (a grandchild that left the process group may hold them open) */
#define OTAD_SPAWN_DRAIN_MS 2000

/* keep error messages readable when a tool is chatty */
#define OTAD_SPAWN_MAX_MESSAGE 1024

typedef struct {
	GSubprocess *proc;         /* (unowned) */
	GCancellable *cancellable; /* (owned) cancels the pipe reads after a kill */
	gboolean done;
	gboolean timed_out;
	GSource *drain; /* (owned) (nullable) */
	gchar *out;     /* (owned) */
	gchar *err;     /* (owned) */
	GError *error;  /* (owned) */
} OtadSpawnData;

void
otad_spawn_result_free (OtadSpawnResult *result)
{
	if (result == NULL)
		return;
	g_free (result->out);
	g_free (result->err);
	g_free (result);
}

gboolean
otad_spawn_result_success (const OtadSpawnResult *result)
{
	return result->exited && result->exit_status == 0 && !result->timed_out;
}

static const gchar *
otad_spawn_tail (const gchar *text)
{
	gsize len;

	if (text == NULL)
		return "";
	len = strlen (text);
	if (len <= OTAD_SPAWN_MAX_MESSAGE)
		return text;
	/* the end of the output usually says what went wrong */
	return g_utf8_find_next_char (text + len - OTAD_SPAWN_MAX_MESSAGE, NULL);
}

gchar *
otad_spawn_result_describe (const OtadSpawnResult *result)
{
	g_autofree gchar *msg = NULL;
	g_autofree gchar *stripped = NULL;
	const gchar *output = result->err;

	if (output == NULL || output[0] == '\0')
		output = result->out;
	stripped = g_strstrip (g_strdup (otad_spawn_tail (output)));

	if (result->timed_out)
		msg = g_strdup ("timed out and was killed");
	else if (!result->exited)
		msg = g_strdup_printf (_("killed by signal %d"), result->term_signal);
	else if (result->exit_status != 0)
		msg = g_strdup_printf (_("exit status %d"), result->exit_status);
	else
		msg = g_strdup ("succeeded");
	if (stripped[0] == '\0')
		return g_steal_pointer (&msg);
	return g_strdup_printf ("%s: %s", msg, stripped);
}

static void
otad_spawn_child_setup (gpointer user_data)
{
	/* own process group: a timeout kill reaches the children too */
	(void)setpgid (0, 0);
}

static void
otad_spawn_communicate_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	OtadSpawnData *data = user_data;

	g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), res, &data->out, &data->err,
	                                      &data->error);
	data->done = TRUE;
}

static gboolean
otad_spawn_drain_timeout_cb (gpointer user_data)
{
	OtadSpawnData *data = user_data;

	g_cancellable_cancel (data->cancellable);
	return G_SOURCE_REMOVE;
}

/* the child and everything it started (its own process group) */
static void
otad_spawn_kill_group (GSubprocess *proc)
{
	const gchar *ident = g_subprocess_get_identifier (proc);

	/* no identifier once the child was reaped: nothing left to kill */
	if (ident != NULL) {
		pid_t pid = (pid_t)g_ascii_strtoll (ident, NULL, 10);
		if (pid > 0)
			(void)kill (-pid, SIGKILL);
	}
	g_subprocess_force_exit (proc);
}

static gboolean
otad_spawn_timeout_cb (gpointer user_data)
{
	OtadSpawnData *data = user_data;

	data->timed_out = TRUE;
	otad_spawn_kill_group (data->proc);

	data->drain = g_timeout_source_new (OTAD_SPAWN_DRAIN_MS);
	g_source_set_callback (data->drain, otad_spawn_drain_timeout_cb, data, NULL);
	g_source_attach (data->drain, g_main_context_get_thread_default ());
	return G_SOURCE_REMOVE;
}

static void
otad_spawn_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
	GCancellable *inner = user_data;

	g_cancellable_cancel (inner);
}

/**
 * otad_spawn_run:
 * @argv: the command; argv[0] is looked up in PATH unless it contains a slash
 * @timeout_ms: kill the process (and its process group) after this long; 0 for no limit
 * @cancellable: (nullable): cancels the wait, killing the process
 * @error: return location for a #GError
 *
 * Runs @argv to completion, capturing its standard output and error.
 * Only failing to start the program is an error: a non-zero exit or a
 * timeout is reported in the result.
 *
 * Returns: (transfer full): the result, or %NULL if the program could not be started
 */
OtadSpawnResult *
otad_spawn_run (const gchar *const *argv, guint timeout_ms, GCancellable *cancellable,
                GError **error)
{
	g_autoptr (GSubprocessLauncher) launcher = NULL;
	g_autoptr (GSubprocess) proc = NULL;
	g_autoptr (GMainContext) context = g_main_context_new ();
	g_autoptr (GSource) timeout = NULL;
	g_autoptr (OtadSpawnResult) result = g_new0 (OtadSpawnResult, 1);
	OtadSpawnData data = {NULL};
	gulong cancel_id = 0;

	g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

	launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
	                                      G_SUBPROCESS_FLAGS_STDERR_PIPE |
	                                      G_SUBPROCESS_FLAGS_STDIN_INHERIT);
	g_subprocess_launcher_set_child_setup (launcher, otad_spawn_child_setup, NULL, NULL);
	/* C locale: tool output is parsed and error messages stay greppable */
	g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
	proc = g_subprocess_launcher_spawnv (launcher, argv, error);
	if (proc == NULL) {
		g_prefix_error (error, _("failed to run %s: "), argv[0]);
		return NULL;
	}

	g_main_context_push_thread_default (context);
	data.proc = proc;
	data.cancellable = g_cancellable_new ();
	if (cancellable != NULL)
		cancel_id =
		    g_cancellable_connect (cancellable, G_CALLBACK (otad_spawn_cancelled_cb),
		                           g_object_ref (data.cancellable), g_object_unref);
	g_subprocess_communicate_utf8_async (proc, NULL, data.cancellable,
	                                     otad_spawn_communicate_cb, &data);
	if (timeout_ms > 0) {
		timeout = g_timeout_source_new (timeout_ms);
		g_source_set_callback (timeout, otad_spawn_timeout_cb, &data, NULL);
		g_source_attach (timeout, context);
	}
	while (!data.done)
		g_main_context_iteration (context, TRUE);
	if (timeout != NULL)
		g_source_destroy (timeout);
	if (data.drain != NULL) {
		g_source_destroy (data.drain);
		g_clear_pointer (&data.drain, g_source_unref);
	}
	if (cancel_id != 0)
		g_cancellable_disconnect (cancellable, cancel_id);

	/* a cancelled read may leave the child running: make sure it is gone and reaped */
	if (data.error != NULL) {
		otad_spawn_kill_group (proc);
		(void)g_subprocess_wait (proc, NULL, NULL);
	}
	/* drain any timeout sources still attached before the context goes away */
	while (g_main_context_pending (context))
		g_main_context_iteration (context, FALSE);
	g_main_context_pop_thread_default (context);
	g_clear_object (&data.cancellable);

	if (data.error != NULL && !data.timed_out) {
		if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
			g_clear_error (&data.error);
			return NULL;
		}
		g_propagate_prefixed_error (error, g_steal_pointer (&data.error),
		                            _("failed to read output of %s: "), argv[0]);
		return NULL;
	}
	g_clear_error (&data.error);

	result->timed_out = data.timed_out;
	result->out = g_steal_pointer (&data.out);
	result->err = g_steal_pointer (&data.err);
	result->exited = g_subprocess_get_if_exited (proc);
	if (result->exited)
		result->exit_status = g_subprocess_get_exit_status (proc);
	else if (g_subprocess_get_if_signaled (proc))
		result->term_signal = g_subprocess_get_term_sig (proc);
	return g_steal_pointer (&result);
}

/**
 * otad_spawn_check:
 * @argv: the command
 * @timeout_ms: as for otad_spawn_run()
 * @error_code: the #OtaError code to use when the tool fails
 * @out_stdout: (out) (optional) (transfer full): the tool's standard output
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs a tool that must succeed.  On failure the error names the tool and
 * carries the end of what it printed on standard error.
 *
 * Returns: %TRUE if the tool exited with status 0
 */
gboolean
otad_spawn_check (const gchar *const *argv, guint timeout_ms, gint error_code, gchar **out_stdout,
                  GCancellable *cancellable, GError **error)
{
	g_autoptr (OtadSpawnResult) result = NULL;
	g_autofree gchar *cmdline = NULL;
	g_autofree gchar *why = NULL;

	result = otad_spawn_run (argv, timeout_ms, cancellable, error);
	if (result == NULL) {
		if (error != NULL && *error != NULL && (*error)->domain != OTA_ERROR &&
		    !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			(*error)->domain = OTA_ERROR;
			(*error)->code = error_code;
		}
		return FALSE;
	}
	if (!otad_spawn_result_success (result)) {
		cmdline = g_strjoinv (" ", (gchar **)argv);
		why = otad_spawn_result_describe (result);
		g_set_error (error, OTA_ERROR, error_code, _("%s failed (%s): %s"), argv[0],
		             cmdline, why);
		return FALSE;
	}
	if (out_stdout != NULL)
		*out_stdout = g_steal_pointer (&result->out);

	/* success */
	return TRUE;
}
