/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "otactl-job.h"
#include "otactl-progress.h"

/* libota's check, download and install calls finish when otad's job has finished
 * (JobFinished); the progress arrives through the properties meanwhile.  otactl
 * connects to the client's notifications before it calls the method (as RAUC's client
 * does), so that no transition can slip between the call and the wait.  An otad older
 * than interface version 4 answers at the start: then the State property tells the end. */

typedef struct {
	OtactlContext *ctx;
	OtactlJobKind kind;
	OtaState start_state;
	guint64 start_check_time;
	gboolean seen_busy;
	gboolean done;
	gboolean timed_out;
	gboolean vanished;
	gboolean interrupted; /* Ctrl+C: otactl stops waiting, otad goes on */
	gboolean finished;    /* the call's callback ran */
	GError *error;	      /* (owned) (nullable): the call's or the job's */
	GCancellable *cancellable; /* (owned): stops waiting */
	OtactlProgress progress;
	GMainLoop *loop;      /* (owned) */
} OtactlJob;

static gboolean
otactl_job_is_busy (OtactlJob *job, OtaState state)
{
	switch (job->kind) {
	case OTACTL_JOB_CHECK:
		return state == OTA_STATE_CHECKING;
	case OTACTL_JOB_DOWNLOAD:
		return state == OTA_STATE_DOWNLOADING;
	case OTACTL_JOB_INSTALL:
		/* from update-available, Install downloads first */
		return state == OTA_STATE_DOWNLOADING || state == OTA_STATE_INSTALLING;
	default:
		return FALSE;
	}
}

static gboolean
otactl_job_is_done (OtactlJob *job)
{
	OtaClient *client = job->ctx->client;
	OtaState state = ota_client_get_state (client);

	if (otactl_job_is_busy (job, state)) {
		job->seen_busy = TRUE;
		return FALSE;
	}
	switch (job->kind) {
	case OTACTL_JOB_CHECK:
		/* Check is allowed in error and idle: only a transition proves the end */
		return job->seen_busy ||
		       ota_client_get_last_check_time (client) != job->start_check_time;
	case OTACTL_JOB_DOWNLOAD:
		if (state == OTA_STATE_DOWNLOADED || state == OTA_STATE_ERROR)
			return TRUE;
		break;
	case OTACTL_JOB_INSTALL:
		if (state == OTA_STATE_PENDING_REBOOT || state == OTA_STATE_ERROR)
			return TRUE;
		break;
	default:
		break;
	}
	/* cancelled: back where it started */
	return job->seen_busy && state == job->start_state;
}

static gboolean
otactl_job_is_progress (GParamSpec *pspec)
{
	const gchar *name = g_param_spec_get_name (pspec);
	return g_strcmp0 (name, "progress") == 0 || g_strcmp0 (name, "downloaded-bytes") == 0 ||
	       g_strcmp0 (name, "download-size") == 0 || g_strcmp0 (name, "progress-phase") == 0 ||
	       g_strcmp0 (name, "time-remaining") == 0 || g_strcmp0 (name, "state") == 0;
}

static void
otactl_job_print_progress (OtactlJob *job)
{
	if (job->ctx->json || job->kind == OTACTL_JOB_CHECK)
		return;
	if (!otactl_job_is_busy (job, ota_client_get_state (job->ctx->client)))
		return;
	otactl_progress_update (&job->progress, job->ctx->client);
}

static void
otactl_job_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
	OtactlJob *job = user_data;

	if (!ota_client_get_connected (job->ctx->client)) {
		job->vanished = TRUE;
		g_main_loop_quit (job->loop);
		return;
	}
	if (otactl_job_is_progress (pspec))
		otactl_job_print_progress (job);
	if (!job->done && otactl_job_is_done (job)) {
		job->done = TRUE;
		if (job->finished)
			g_main_loop_quit (job->loop);
	}
}

static gboolean
otactl_job_timeout_cb (gpointer user_data)
{
	OtactlJob *job = user_data;
	job->timed_out = TRUE;
	g_main_loop_quit (job->loop);
	return G_SOURCE_REMOVE;
}

static gboolean
otactl_job_sigint_cb (gpointer user_data)
{
	OtactlJob *job = user_data;
	job->interrupted = TRUE;
	g_main_loop_quit (job->loop);
	return G_SOURCE_CONTINUE;
}

void
otactl_job_print_update_info (OtaUpdateInfo *info)
{
	const gchar *version = ota_update_info_get_version (info);
	const gchar *correlation_id = ota_update_info_get_correlation_id (info);
	guint64 size = ota_update_info_get_download_size (info);

	/* TRANSLATORS: %s is the target name of the update */
	g_print (_("Update available: %s"), ota_update_info_get_name (info));
	g_print ("\n");
	/* TRANSLATORS: field of the offered update; (none) when it has no version */
	g_print ("  %s %s\n", _("Version:"), version[0] != '\0' ? version : _("(none)"));
	/* TRANSLATORS: field of the offered update: the OSTree commit */
	g_print ("  %s %s\n", _("Commit:"), ota_update_info_get_checksum (info));
	if (size > 0) {
		g_autofree gchar *size_str = g_format_size (size);
		/* TRANSLATORS: field of the offered update: estimated bytes to fetch */
		g_print ("  %s %s\n", _("Download size:"), size_str);
	}
	if (correlation_id[0] != '\0')
		/* TRANSLATORS: field of the offered update: the server's campaign id */
		g_print ("  %s %s\n", _("Campaign:"), correlation_id);
}

static const gchar *
otactl_job_failure_text (OtactlJobKind kind)
{
	switch (kind) {
	case OTACTL_JOB_CHECK:
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return _("cannot check for updates");
	case OTACTL_JOB_DOWNLOAD:
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return _("cannot download the update");
	case OTACTL_JOB_INSTALL:
		/* TRANSLATORS: what failed, in "otactl: %s: reason" */
		return _("cannot install the update");
	default:
		return "";
	}
}

static void
otactl_job_finished_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	OtactlJob *job = user_data;
	OtaClient *client = OTA_CLIENT (source);
	gboolean ok = FALSE;

	switch (job->kind) {
	case OTACTL_JOB_CHECK:
		ok = ota_client_check_finish (client, res, &job->error);
		break;
	case OTACTL_JOB_DOWNLOAD:
		ok = ota_client_download_finish (client, res, &job->error);
		break;
	case OTACTL_JOB_INSTALL:
		ok = ota_client_install_finish (client, res, &job->error);
		break;
	default:
		g_assert_not_reached ();
	}
	job->finished = TRUE;
	/* an otad without JobFinished (interface version < 4) answers at the start:
	 * then the state tells the end */
	if (ota_client_get_daemon_version (client) >= 4 || !ok || job->done)
		g_main_loop_quit (job->loop);
}

static void
otactl_job_start (OtactlJob *job)
{
	OtaClient *client = job->ctx->client;
	OtaClientFlags flags = otactl_context_get_flags (job->ctx);

	switch (job->kind) {
	case OTACTL_JOB_CHECK:
		ota_client_check_async (client, flags, job->cancellable, otactl_job_finished_cb, job);
		break;
	case OTACTL_JOB_DOWNLOAD:
		ota_client_download_async (client, flags, job->cancellable, otactl_job_finished_cb,
					   job);
		break;
	case OTACTL_JOB_INSTALL:
		ota_client_install_async (client, flags, job->cancellable, otactl_job_finished_cb,
					  job);
		break;
	default:
		g_assert_not_reached ();
	}
}

/* what every command that follows a job does before it starts one: parse its
 * options (@entries hold its --timeout), refuse arguments and a negative
 * timeout, then connect; returns FALSE when the command ends here, with
 * *exit_code to exit with.  @timeout is read only after the parse set it. */
gboolean
otactl_job_prepare (OtactlContext *ctx,
		    const GOptionEntry *entries,
		    gint *argc,
		    gchar ***argv,
		    const gint *timeout,
		    gint *exit_code)
{
	if (!otactl_context_parse (ctx, entries, argc, argv, exit_code))
		return FALSE;
	if (!otactl_context_check_no_args (ctx, *argc, *argv) ||
	    !otactl_job_check_timeout (ctx, *timeout)) {
		*exit_code = OTACTL_EXIT_USAGE;
		return FALSE;
	}
	*exit_code = otactl_context_connect (ctx);
	return *exit_code == OTACTL_EXIT_OK;
}

/* `otactl check`, `download` and `install`: the job, then its result */
gint
otactl_job_run_and_report (OtactlContext *ctx, OtactlJobKind kind, guint timeout_secs)
{
	gint exit_code = otactl_job_run (ctx, kind, timeout_secs);

	if (exit_code != OTACTL_EXIT_OK)
		return exit_code;
	switch (kind) {
	case OTACTL_JOB_CHECK:
		return otactl_job_report_offer (ctx);
	case OTACTL_JOB_DOWNLOAD:
		return otactl_job_report_downloaded (ctx);
	case OTACTL_JOB_INSTALL:
		return otactl_job_report_installed (ctx);
	default:
		g_assert_not_reached ();
	}
}

/* Ctrl+C while otactl follows a job: otad goes on (the job belongs to otad, and
 * other clients may follow it too); otactl says so and how to stop it */
static gint
otactl_job_report_interrupted (OtactlContext *ctx, OtactlJobKind kind, const gchar *what)
{
	const gchar *message;

	if (kind == OTACTL_JOB_CHECK)
		/* TRANSLATORS: after Ctrl+C during `otactl check` */
		message = _("interrupted; otad goes on checking. "
			    "“otactl cancel” stops it, “otactl monitor” follows it.");
	else if (ota_client_get_state (ctx->client) == OTA_STATE_INSTALLING)
		/* TRANSLATORS: after Ctrl+C during `otactl install` */
		message = _("interrupted; otad goes on installing in the background. "
			    "“otactl cancel” stops it, “otactl monitor” follows it.");
	else
		/* TRANSLATORS: after Ctrl+C during `otactl download` */
		message = _("interrupted; otad goes on downloading in the background. "
			    "“otactl cancel” stops it, “otactl monitor” follows it.");
	return otactl_context_fail (ctx, OTACTL_EXIT_INTERRUPTED,
				    ota_error_to_dbus_name (OTA_ERROR_CANCELLED), what, message);
}

/* starts the job, follows it to its end and says how it ended; returns the exit code */
gint
otactl_job_run (OtactlContext *ctx, OtactlJobKind kind, guint timeout_secs)
{
	OtactlJob job = {ctx, kind, ota_client_get_state (ctx->client),
			 ota_client_get_last_check_time (ctx->client)};
	g_autoptr(GError) error = NULL;
	const gchar *what = otactl_job_failure_text (kind);
	guint timeout_id = 0;
	guint sigint_id;
	gulong handler_id;
	OtaState state;

	otactl_progress_init (&job.progress, isatty (STDOUT_FILENO));
	job.loop = g_main_loop_new (NULL, FALSE);
	job.cancellable = g_cancellable_new ();
	handler_id = g_signal_connect (ctx->client, "notify", G_CALLBACK (otactl_job_notify_cb),
				       &job);
	sigint_id = g_unix_signal_add (SIGINT, otactl_job_sigint_cb, &job);
	otactl_context_start_agent (ctx);
	otactl_job_start (&job);
	/* the first line at once, not with the first byte */
	otactl_job_print_progress (&job);
	if (timeout_secs > 0)
		timeout_id = g_timeout_add_seconds (timeout_secs, otactl_job_timeout_cb, &job);
	g_main_loop_run (job.loop);
	if (timeout_id != 0 && !job.timed_out)
		g_source_remove (timeout_id);
	/* Ctrl+C, the timeout or otad gone: stop waiting (the callback comes at once) */
	g_cancellable_cancel (job.cancellable);
	for (guint i = 0; i < 1000 && !job.finished; i++)
		g_main_context_iteration (NULL, TRUE);
	g_source_remove (sigint_id);
	g_signal_handler_disconnect (ctx->client, handler_id);
	g_main_loop_unref (job.loop);
	g_object_unref (job.cancellable);
	error = g_steal_pointer (&job.error);
	state = ota_client_get_state (ctx->client);
	if (!ctx->json && kind != OTACTL_JOB_CHECK)
		otactl_progress_finish (&job.progress, ctx->client,
					job.finished && error == NULL && state != OTA_STATE_ERROR &&
					    state != job.start_state);
	otactl_progress_clear (&job.progress);

	if (job.interrupted)
		return otactl_job_report_interrupted (ctx, kind, what);
	if (job.vanished)
		return otactl_context_fail (ctx, OTACTL_EXIT_UNREACHABLE,
					    ota_error_to_dbus_name (OTA_ERROR_NOT_SUPPORTED), what,
					    /* TRANSLATORS: why otactl stopped waiting */
					    _("otad exited"));
	if (job.timed_out) {
		/* TRANSLATORS: %u is a number of seconds */
		g_autofree gchar *msg = g_strdup_printf (_("no result after %u seconds"),
							 timeout_secs);
		return otactl_context_fail (ctx, OTACTL_EXIT_FAILED,
					    ota_error_to_dbus_name (OTA_ERROR_FAILED), what, msg);
	}
	/* a job that failed is told by the state (with otad's error name); a refused
	 * call by its error (in the error state too: a name other than the state's);
	 * a cancelled job below */
	if (error != NULL && !g_error_matches (error, OTA_ERROR, OTA_ERROR_CANCELLED) &&
	    (state != OTA_STATE_ERROR || error->domain != OTA_ERROR ||
	     g_strcmp0 (ota_error_to_dbus_name (error->code),
			ota_client_get_error_name (ctx->client)) != 0))
		return otactl_context_report_error (ctx, what, error);
	if (state == OTA_STATE_ERROR) {
		const gchar *name = ota_client_get_error_name (ctx->client);
		gint code = g_strcmp0 (name, "org.otad.Updater1.Error.AuthFailed") == 0
				? OTACTL_EXIT_NOT_AUTHORIZED
				: OTACTL_EXIT_FAILED;
		g_autofree gchar *msg = NULL;
		if (ctx->json)
			return otactl_context_fail (ctx, code, name, what,
						    ota_client_get_error_message (ctx->client));
		/* TRANSLATORS: otad's message, then its error name */
		msg = g_strdup_printf (_("%s (%s)"), ota_client_get_error_message (ctx->client),
				       name);
		return otactl_context_fail (ctx, code, name, what, msg);
	}
	if (kind != OTACTL_JOB_CHECK && state == job.start_state)
		return otactl_context_fail (ctx, OTACTL_EXIT_FAILED,
					    ota_error_to_dbus_name (OTA_ERROR_CANCELLED), what,
					    /* TRANSLATORS: why a job ended without result */
					    _("cancelled"));

	/* success */
	return OTACTL_EXIT_OK;
}
