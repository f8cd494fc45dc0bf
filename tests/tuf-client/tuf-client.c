/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tuf-client: drives otad's TUF/Uptane verifier from the command line, for test suites.
 *
 *   tuf-client --metadata-dir D init ROOT_FILE
 *   tuf-client --metadata-dir D --metadata-url URL refresh
 *   tuf-client --metadata-dir D --metadata-url URL --target-name NAME \
 *              --target-base-url URL --target-dir DIR download
 *   tuf-client --metadata-dir D --director-url U1 --image-url U2 --ecu-serial S \
 *              --hardware-id H --target-dir DIR uptane
 *   tuf-client [--canonical-form tuf|ota] canonical FILE
 *
 * Every byte comes through the daemon's own HTTP layer (OtadHttp and its TUF fetcher), so
 * the transport-level attack tests exercise what otad runs; --deadline-sec and
 * --min-speed set its slow retrieval bounds (otad_http_set_deadline()).  `canonical`
 * prints the canonical form of FILE's `signed` (of FILE itself when it has none): the
 * bytes a signature of that dialect covers.
 *
 * Exit 0 on success, 1 on any failure; the failure is printed on stderr as
 * "tuf-client: <class>: <message>" where <class> is the attack class (bad-signature,
 * threshold, freeze (metadata expired), rollback, mix-and-match, length-mismatch,
 * hash-mismatch, too-large, malformed, wrong-type, unknown-role, bad-version,
 * unknown-target, ecu-mismatch, hardware-mismatch, not-found, no-trusted-root, unsupported,
 * slow-retrieval) or "error" for anything else.
 *
 * Trusted metadata: D/root.json, D/timestamp.json, D/snapshot.json, D/targets.json and
 * D/delegations/<role>.json.  For `uptane`, D holds the Image repository's metadata and
 * D/director/ the Director's.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "otad-http-fetcher.h"
#include "otad-http.h"
#include "otad-tuf-error.h"
#include "otad-tuf-repo.h"
#include "otad-uptane.h"

typedef struct {
	gchar *metadata_dir;
	gchar *metadata_url;
	gchar *target_name;
	gchar *target_base_url;
	gchar *target_dir;
	gchar *director_url;
	gchar *image_url;
	gchar *ecu_serial;
	gchar *hardware_id;
	gchar *fixed_time;
	gint64 root_max;
	gint64 timestamp_max;
	gint64 snapshot_max;
	gint64 targets_max;
	gint deadline_s;
	gint min_speed;
	gchar *canonical_form;
	gboolean verbose;
	OtadHttp *http; /* (owned) */
} TufClientOptions;

static OtadTufFetcher *
tuf_client_fetcher_new (TufClientOptions *opts, const gchar *base_url)
{
	if (opts->http == NULL) {
		opts->http = otad_http_new ();
		otad_http_set_deadline (opts->http,
		                        opts->deadline_s >= 0 ? (guint)opts->deadline_s
		                                              : OTAD_HTTP_DEFAULT_DEADLINE_S,
		                        opts->min_speed >= 0 ? (guint)opts->min_speed
		                                             : OTAD_HTTP_DEFAULT_MIN_SPEED);
		/* refusals are the point of the suite: a quick second try, no long waits */
		otad_http_set_retry (opts->http, 2, 100, 200, 5);
	}
	return otad_http_fetcher_new (opts->http, base_url);
}

static gboolean
tuf_client_need (const gchar *value, const gchar *option, GError **error)
{
	if (value == NULL) {
		g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s is required",
		             option);
		return FALSE;
	}
	return TRUE;
}

static gboolean
tuf_client_setup_repo (TufClientOptions *opts, OtadTufRepo *repo, GError **error)
{
	OtadTufLimits limits;
	otad_tuf_repo_get_default_limits (&limits);
	if (opts->root_max > 0)
		limits.root_max = opts->root_max;
	if (opts->timestamp_max > 0)
		limits.timestamp_max = opts->timestamp_max;
	if (opts->snapshot_max > 0)
		limits.snapshot_max = opts->snapshot_max;
	if (opts->targets_max > 0)
		limits.targets_max = opts->targets_max;
	otad_tuf_repo_set_limits (repo, &limits);
	if (opts->fixed_time != NULL) {
		g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (opts->fixed_time, NULL);
		if (dt == NULL) {
			g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			             "invalid --fixed-time %s", opts->fixed_time);
			return FALSE;
		}
		otad_tuf_repo_set_time (repo, g_date_time_to_unix (dt));
	}
	return TRUE;
}

/* a target name as a path below DIR: relative, no "." or ".." or empty parts */
static gchar *
tuf_client_target_path (const gchar *dir, const gchar *name, GError **error)
{
	g_auto (GStrv) parts = g_strsplit (name, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || g_strcmp0 (parts[i], ".") == 0 ||
		    g_strcmp0 (parts[i], "..") == 0) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
			             "target name %s is not a safe relative path", name);
			return NULL;
		}
	}
	return g_build_filename (dir, name, NULL);
}

static gboolean
tuf_client_write_target (const gchar *path, GBytes *bytes, GError **error)
{
	g_autofree gchar *parent = g_path_get_dirname (path);
	gsize len = 0;
	const gchar *data = g_bytes_get_data (bytes, &len);
	if (g_mkdir_with_parents (parent, 0755) != 0) {
		int errsv = errno;
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
		             "cannot create %s: %s", parent, g_strerror (errsv));
		return FALSE;
	}
	return g_file_set_contents_full (path, data != NULL ? data : "", len,
	                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

/* fetch and verify one target into DIR unless a verified copy is already there */
static gboolean
tuf_client_get_target (OtadTufFetcher *fetcher, gchar **fetch_paths, const gchar *name,
                       const OtadTufTargetInfo *info, const gchar *dir, GError **error)
{
	g_autofree gchar *path = tuf_client_target_path (dir, name, error);
	g_autofree gchar *what = g_strdup_printf ("target %s", name);
	g_autoptr (GBytes) bytes = NULL;

	if (path == NULL)
		return FALSE;
	if (g_file_test (path, G_FILE_TEST_IS_REGULAR) &&
	    otad_tuf_check_file (info->hashes, info->length, path, what, NULL)) {
		g_print ("%s: already verified in %s\n", name, dir);
		return TRUE;
	}
	/* consistent snapshots: one candidate name per listed hash */
	for (guint i = 0; fetch_paths[i] != NULL; i++) {
		g_autoptr (GError) error_local = NULL;
		bytes =
		    otad_tuf_fetch_target (fetcher, fetch_paths[i], info, what, NULL, &error_local);
		if (bytes != NULL)
			break;
		if (fetch_paths[i + 1] == NULL ||
		    !g_error_matches (error_local, OTAD_TUF_ERROR, OTAD_TUF_ERROR_NOT_FOUND)) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
	}
	if (!tuf_client_write_target (path, bytes, error))
		return FALSE;
	g_print ("%s: verified, %" G_GSIZE_FORMAT " bytes\n", name, g_bytes_get_size (bytes));
	return TRUE;
}

static gboolean
tuf_client_cmd_init (TufClientOptions *opts, gchar **args, GError **error)
{
	g_autoptr (OtadTufRepo) repo = NULL;
	g_autofree gchar *contents = NULL;
	g_autoptr (GBytes) bytes = NULL;
	gsize len = 0;

	if (args[0] == NULL || args[1] != NULL) {
		g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		                     "usage: init ROOT_FILE");
		return FALSE;
	}
	if (!g_file_get_contents (args[0], &contents, &len, error))
		return FALSE;
	bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
	repo = otad_tuf_repo_new ("repository", opts->metadata_dir, NULL);
	return otad_tuf_repo_init_root (repo, bytes, error);
}

static OtadTufRepo *
tuf_client_refresh (TufClientOptions *opts, OtadTufFetcher *fetcher, GError **error)
{
	g_autoptr (OtadTufRepo) repo = NULL;
	OtadTufRefreshResult result = OTAD_TUF_REFRESH_RESULT_UPDATED;

	if (!tuf_client_need (opts->metadata_url, "--metadata-url", error))
		return NULL;
	repo = otad_tuf_repo_new ("repository", opts->metadata_dir, fetcher);
	if (!tuf_client_setup_repo (opts, repo, error))
		return NULL;
	if (!otad_tuf_repo_load (repo, error))
		return NULL;
	if (!otad_tuf_repo_refresh (repo, OTAD_TUF_REFRESH_FLAG_NONE, &result, NULL, error))
		return NULL;
	g_print ("refresh: %s (targets version %" G_GINT64_FORMAT ")\n",
	         result == OTAD_TUF_REFRESH_RESULT_UNCHANGED ? "unchanged" : "updated",
	         otad_tuf_repo_get_targets (repo)->version);
	return g_steal_pointer (&repo);
}

static gboolean
tuf_client_cmd_download (TufClientOptions *opts, OtadTufFetcher *fetcher, GError **error)
{
	g_autoptr (OtadTufRepo) repo = NULL;
	g_autoptr (OtadTufMetadata) role = NULL;
	g_autoptr (OtadTufFetcher) target_fetcher = NULL;
	g_auto (GStrv) fetch_paths = NULL;
	OtadTufTargetInfo info = {0};

	if (!tuf_client_need (opts->target_name, "--target-name", error) ||
	    !tuf_client_need (opts->target_base_url, "--target-base-url", error) ||
	    !tuf_client_need (opts->target_dir, "--target-dir", error))
		return FALSE;
	repo = tuf_client_refresh (opts, fetcher, error);
	if (repo == NULL)
		return FALSE;
	if (!otad_tuf_repo_find_target (repo, opts->target_name, &info, &role, NULL, error))
		return FALSE;
	target_fetcher = tuf_client_fetcher_new (opts, opts->target_base_url);
	fetch_paths = otad_tuf_repo_get_target_paths (repo, opts->target_name, &info);
	return tuf_client_get_target (target_fetcher, fetch_paths, opts->target_name, &info,
	                              opts->target_dir, error);
}

static gboolean
tuf_client_is_ostree (const OtadTufTargetInfo *info)
{
	const OtadJsonNode *format = otad_json_object_get (info->custom, "targetFormat");
	return otad_json_string_equal (format, "OSTREE");
}

static gboolean
tuf_client_cmd_uptane (TufClientOptions *opts, GError **error)
{
	g_autoptr (OtadTufFetcher) director_fetcher = NULL;
	g_autoptr (OtadTufFetcher) image_fetcher = NULL;
	g_autoptr (OtadTufRepo) director = NULL;
	g_autoptr (OtadTufRepo) image = NULL;
	g_autoptr (GHashTable) ecus = NULL;
	g_autoptr (GPtrArray) targets = NULL;
	g_autofree gchar *director_dir = NULL;

	if (!tuf_client_need (opts->director_url, "--director-url", error) ||
	    !tuf_client_need (opts->image_url, "--image-url", error) ||
	    !tuf_client_need (opts->ecu_serial, "--ecu-serial", error) ||
	    !tuf_client_need (opts->hardware_id, "--hardware-id", error) ||
	    !tuf_client_need (opts->target_dir, "--target-dir", error))
		return FALSE;
	director_fetcher = tuf_client_fetcher_new (opts, opts->director_url);
	image_fetcher = tuf_client_fetcher_new (opts, opts->image_url);
	director_dir = g_build_filename (opts->metadata_dir, "director", NULL);
	director = otad_tuf_repo_new ("director", director_dir, director_fetcher);
	image = otad_tuf_repo_new ("image-repo", opts->metadata_dir, image_fetcher);
	if (!tuf_client_setup_repo (opts, director, error) ||
	    !tuf_client_setup_repo (opts, image, error))
		return FALSE;
	/* a device provisioned by trust-on-first-use: no pre-provisioned roots here */
	if (!otad_uptane_ensure_root (director, "director", NULL, TRUE, NULL, error) ||
	    !otad_uptane_ensure_root (image, "repo", NULL, TRUE, NULL, error))
		return FALSE;
	ecus = g_hash_table_new (g_str_hash, g_str_equal);
	g_hash_table_insert (ecus, opts->ecu_serial, opts->hardware_id);
	targets = otad_uptane_check (director, image, ecus, NULL, error);
	if (targets == NULL)
		return FALSE;
	if (targets->len == 0)
		g_print ("uptane: no target assigned to ECU %s\n", opts->ecu_serial);
	for (guint i = 0; i < targets->len; i++) {
		OtadUptaneTarget *target = g_ptr_array_index (targets, i);
		g_autoptr (GPtrArray) fetch_paths = g_ptr_array_new_with_free_func (g_free);
		if (tuf_client_is_ostree (&target->info)) {
			g_autofree gchar *commit = otad_json_dup_string (
			    otad_json_object_get (target->info.hashes, "sha256"));
			g_print ("%s: OSTree commit %s, not a file: metadata verified\n",
			         target->name, commit);
			continue;
		}
		if (target->uri != NULL && g_uri_peek_scheme (target->uri) != NULL) {
			g_ptr_array_add (fetch_paths, g_strdup (target->uri));
		} else {
			/* targets/<name>, as aktualizr; with consistent snapshots the
			 * HASH.<name> forms first */
			g_auto (GStrv) paths =
			    otad_tuf_repo_get_target_paths (image, target->name, &target->info);
			g_autofree gchar *escaped = g_uri_escape_string (target->name, "/", FALSE);
			g_autofree gchar *plain = g_strdup_printf ("targets/%s", escaped);
			for (guint j = 0; paths[j] != NULL; j++) {
				g_autofree gchar *p = g_strdup_printf ("targets/%s", paths[j]);
				if (g_strcmp0 (p, plain) != 0)
					g_ptr_array_add (fetch_paths, g_steal_pointer (&p));
			}
			g_ptr_array_add (fetch_paths, g_steal_pointer (&plain));
		}
		g_ptr_array_add (fetch_paths, NULL);
		if (!tuf_client_get_target (image_fetcher, (gchar **)fetch_paths->pdata,
		                            target->name, &target->info, opts->target_dir, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
tuf_client_cmd_canonical (TufClientOptions *opts, gchar **args, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (OtadJsonDoc) doc = NULL;
	g_autoptr (GString) out = NULL;
	const OtadJsonNode *node;
	OtadJsonForm form = OTAD_JSON_FORM_OLPC;
	gsize len = 0;

	if (args[0] == NULL || args[1] != NULL) {
		g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		                     "usage: canonical FILE");
		return FALSE;
	}
	if (g_strcmp0 (opts->canonical_form, "ota") == 0)
		form = OTAD_JSON_FORM_JSONCPP;
	else if (opts->canonical_form != NULL && g_strcmp0 (opts->canonical_form, "tuf") != 0) {
		g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		             "--canonical-form is tuf or ota, not %s", opts->canonical_form);
		return FALSE;
	}
	if (!g_file_get_contents (args[0], &contents, &len, error))
		return FALSE;
	bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
	doc = otad_json_doc_new_from_bytes (bytes, error);
	if (doc == NULL)
		return FALSE;
	node = otad_json_object_get (otad_json_doc_get_root (doc), "signed");
	if (node == NULL)
		node = otad_json_doc_get_root (doc);
	out = otad_json_canonicalize (node, form, len);
	return fwrite (out->str, 1, out->len, stdout) == out->len && fflush (stdout) == 0;
}

static const gchar *
tuf_client_error_class (const GError *error)
{
	if (error->domain == OTAD_TUF_ERROR)
		return otad_tuf_error_to_string (error->code);
	return "error";
}

static gboolean
tuf_client_run (TufClientOptions *opts, gchar **args, GError **error)
{
	g_autoptr (OtadTufFetcher) fetcher = NULL;
	g_autoptr (OtadTufRepo) repo = NULL;

	if (args == NULL || args[0] == NULL) {
		g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		                     "a command is needed: init, refresh, download or uptane");
		return FALSE;
	}
	if (!tuf_client_need (opts->metadata_dir, "--metadata-dir", error))
		return FALSE;
	if (g_strcmp0 (args[0], "init") == 0)
		return tuf_client_cmd_init (opts, args + 1, error);
	if (g_strcmp0 (args[0], "canonical") == 0)
		return tuf_client_cmd_canonical (opts, args + 1, error);
	if (args[1] != NULL) {
		g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument %s",
		             args[1]);
		return FALSE;
	}
	if (opts->metadata_url != NULL)
		fetcher = tuf_client_fetcher_new (opts, opts->metadata_url);
	if (g_strcmp0 (args[0], "refresh") == 0) {
		repo = tuf_client_refresh (opts, fetcher, error);
		return repo != NULL;
	}
	if (g_strcmp0 (args[0], "download") == 0)
		return tuf_client_cmd_download (opts, fetcher, error);
	if (g_strcmp0 (args[0], "uptane") == 0)
		return tuf_client_cmd_uptane (opts, error);
	g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unknown command %s", args[0]);
	return FALSE;
}

int
main (int argc, char **argv)
{
	TufClientOptions opts = {.deadline_s = -1, .min_speed = -1};
	g_autoptr (GOptionContext) context = NULL;
	g_autoptr (GError) error = NULL;
	g_auto (GStrv) args = NULL;
	gboolean ok = FALSE;
	const GOptionEntry entries[] = {
	    {"metadata-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts.metadata_dir,
	     "Trusted metadata directory", "D"},
	    {"metadata-url", 0, 0, G_OPTION_ARG_STRING, &opts.metadata_url,
	     "Repository metadata base URL", "URL"},
	    {"target-name", 0, 0, G_OPTION_ARG_STRING, &opts.target_name, "Target to fetch",
	     "NAME"},
	    {"target-base-url", 0, 0, G_OPTION_ARG_STRING, &opts.target_base_url,
	     "Base URL of target files", "URL"},
	    {"target-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts.target_dir,
	     "Where verified targets go", "DIR"},
	    {"director-url", 0, 0, G_OPTION_ARG_STRING, &opts.director_url,
	     "Uptane Director base URL", "URL"},
	    {"image-url", 0, 0, G_OPTION_ARG_STRING, &opts.image_url,
	     "Uptane Image repository base URL", "URL"},
	    {"ecu-serial", 0, 0, G_OPTION_ARG_STRING, &opts.ecu_serial, "This ECU's serial", "S"},
	    {"hardware-id", 0, 0, G_OPTION_ARG_STRING, &opts.hardware_id, "This ECU's hardware id",
	     "H"},
	    {"fixed-time", 0, 0, G_OPTION_ARG_STRING, &opts.fixed_time,
	     "Check expiry against this ISO 8601 time instead of the clock", "TIME"},
	    {"root-max-size", 0, 0, G_OPTION_ARG_INT64, &opts.root_max,
	     "Download limit for root metadata", "BYTES"},
	    {"timestamp-max-size", 0, 0, G_OPTION_ARG_INT64, &opts.timestamp_max,
	     "Download limit for timestamp metadata", "BYTES"},
	    {"snapshot-max-size", 0, 0, G_OPTION_ARG_INT64, &opts.snapshot_max,
	     "Download limit for snapshot metadata without a declared length", "BYTES"},
	    {"targets-max-size", 0, 0, G_OPTION_ARG_INT64, &opts.targets_max,
	     "Download limit for targets metadata without a declared length", "BYTES"},
	    {"deadline-sec", 0, 0, G_OPTION_ARG_INT, &opts.deadline_s,
	     "Slow retrieval: each file's deadline beyond its size at --min-speed (0: none)",
	     "SECONDS"},
	    {"min-speed", 0, 0, G_OPTION_ARG_INT, &opts.min_speed,
	     "Slow retrieval: the least average speed once --deadline-sec has passed",
	     "BYTES_PER_SEC"},
	    {"canonical-form", 0, 0, G_OPTION_ARG_STRING, &opts.canonical_form,
	     "For canonical: tuf (securesystemslib) or ota (aktualizr)", "FORM"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opts.verbose, "Debug output", NULL},
	    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL,
	     "init ROOT_FILE | refresh | download | uptane | canonical FILE"},
	    {NULL}};

	setlocale (LC_ALL, "");
	context = g_option_context_new ("COMMAND - drive otad's TUF/Uptane verifier");
	g_option_context_add_main_entries (context, entries, NULL);
	if (g_option_context_parse (context, &argc, &argv, &error)) {
		if (opts.verbose)
			g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
		ok = tuf_client_run (&opts, args, &error);
	}
	if (!ok) {
		g_printerr ("tuf-client: %s: %s\n",
		            error != NULL ? tuf_client_error_class (error) : "error",
		            error != NULL ? error->message : "failed");
	}
	g_free (opts.metadata_dir);
	g_free (opts.metadata_url);
	g_free (opts.target_name);
	g_free (opts.target_base_url);
	g_free (opts.target_dir);
	g_free (opts.director_url);
	g_free (opts.image_url);
	g_free (opts.ecu_serial);
	g_free (opts.hardware_id);
	g_free (opts.fixed_time);
	g_free (opts.canonical_form);
	g_clear_object (&opts.http);
	return ok ? 0 : 1;
}
