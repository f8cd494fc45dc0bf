/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadCheckin"

#include "config.h"

#include <inttypes.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-checkin.h"
#include "otad-http-fetcher.h"
#include "otad-json.h"
#include "otad-lite.h"
#include "otad-tuf-error.h"
#include "otad-tuf-repo.h"
#include "otad-uptane.h"

struct _OtadCheckin {
	GObject parent_instance;
	OtadHttp *http;      /* (owned) */
	gchar *director_url; /* (owned) (nullable) */
	gchar *repo_url;     /* (owned) */
	gchar *metadata_dir; /* (owned) */
	gchar **root_dirs;   /* (owned) (nullable) */
	gboolean allow_tofu;
	gboolean have_limits;
	OtadTufLimits limits; /* [tuf] max-*-size, when set */
	gint64 time;
	OtadTufRepo *director; /* (owned) (nullable) until the first run */
	OtadTufRepo *image;    /* (owned) (nullable) until the first run */
};

G_DEFINE_TYPE (OtadCheckin, otad_checkin, G_TYPE_OBJECT)

static void
otad_checkin_finalize (GObject *object)
{
	OtadCheckin *self = OTAD_CHECKIN (object);

	g_clear_object (&self->http);
	g_clear_object (&self->director);
	g_clear_object (&self->image);
	g_free (self->director_url);
	g_free (self->repo_url);
	g_free (self->metadata_dir);
	g_strfreev (self->root_dirs);
	G_OBJECT_CLASS (otad_checkin_parent_class)->finalize (object);
}

static void
otad_checkin_class_init (OtadCheckinClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = otad_checkin_finalize;
}

static void
otad_checkin_init (OtadCheckin *self)
{
}

OtadCheckin *
otad_checkin_new (OtadHttp *http, const gchar *director_url, const gchar *repo_url,
                  const gchar *metadata_dir)
{
	OtadCheckin *self = g_object_new (OTAD_TYPE_CHECKIN, NULL);

	self->http = g_object_ref (http);
	self->director_url = g_strdup (director_url);
	self->repo_url = g_strdup (repo_url);
	self->metadata_dir = g_strdup (metadata_dir);
	return self;
}

void
otad_checkin_set_root_dirs (OtadCheckin *self, const gchar *const *dirs)
{
	g_return_if_fail (OTAD_IS_CHECKIN (self));
	g_strfreev (self->root_dirs);
	self->root_dirs = g_strdupv ((gchar **)dirs);
}

void
otad_checkin_set_allow_tofu (OtadCheckin *self, gboolean allow_tofu)
{
	g_return_if_fail (OTAD_IS_CHECKIN (self));
	self->allow_tofu = allow_tofu;
}

void
otad_checkin_set_limits (OtadCheckin *self, const OtadTufLimits *limits)
{
	g_return_if_fail (OTAD_IS_CHECKIN (self));
	self->limits = *limits;
	self->have_limits = TRUE;
}

void
otad_checkin_set_time (OtadCheckin *self, gint64 unix_time)
{
	g_return_if_fail (OTAD_IS_CHECKIN (self));
	self->time = unix_time;
}

/* no root at all: say where otad looked and which keys would give it one */
static void
otad_checkin_explain_no_root (const gchar *name, const gchar *store_dir,
                              const gchar *const *dirs, GError **error)
{
	g_autoptr(GString) places = g_string_new (NULL);

	if (error == NULL || !g_error_matches (*error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_NO_TRUSTED_ROOT))
		return;
	for (guint i = 0; dirs != NULL && dirs[i] != NULL; i++)
		g_string_append_printf (places, ", %s/%s/root.json", dirs[i], name);
	g_free ((*error)->message);
	(*error)->message = g_strdup_printf (
	    /* TRANSLATORS: %s: the repository (director or image-repo), otad's directory for
	     * it, more places looked in (", DIR/NAME/root.json" each), the repository, the
	     * repository again; [tuf] root-dir and allow-trust-on-first-use are otad.conf
	     * keys: keep them as they are */
	    _("%s: no trusted root (looked in %s%s): put the %s repository's root.json in "
	       "the directory [tuf] root-dir names (as DIR/%s/root.json), or set "
	       "[tuf] allow-trust-on-first-use=true to trust the server's first root"),
	    name, store_dir, places->str, name, name);
}

static OtadTufRepo *
otad_checkin_open_repo (OtadCheckin *self, const gchar *name, const gchar *url,
                        GCancellable *cancellable, GError **error)
{
	g_autofree gchar *dir = g_build_filename (self->metadata_dir, name, NULL);
	g_autoptr(OtadTufFetcher) fetcher = otad_http_fetcher_new (self->http, url);
	g_autoptr(OtadTufRepo) repo = otad_tuf_repo_new (name, dir, fetcher);
	const gchar *const *dirs = self->root_dirs != NULL ? (const gchar *const *)self->root_dirs
	                                                   : otad_uptane_default_root_dirs ();

	if (self->have_limits)
		otad_tuf_repo_set_limits (repo, &self->limits);

	if (g_mkdir_with_parents (dir, 0755) != 0) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INTERNAL, _("cannot create %s"), dir);
		return NULL;
	}
	if (!otad_uptane_ensure_root (repo, name, dirs, self->allow_tofu, cancellable, error)) {
		otad_checkin_explain_no_root (name, dir, dirs, error);
		return NULL;
	}
	return g_steal_pointer (&repo);
}

static gboolean
otad_checkin_open (OtadCheckin *self, gboolean lite, GCancellable *cancellable, GError **error)
{
	if (!lite && self->director == NULL) {
		if (self->director_url == NULL) {
			g_set_error_literal (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			                     _("no Director URL configured"));
			return FALSE;
		}
		self->director = otad_checkin_open_repo (self, "director", self->director_url,
		                                         cancellable, error);
		if (self->director == NULL)
			return FALSE;
	}
	if (self->image == NULL) {
		self->image =
		    otad_checkin_open_repo (self, "repo", self->repo_url, cancellable, error);
		if (self->image == NULL)
			return FALSE;
	}
	if (self->director != NULL)
		otad_tuf_repo_set_time (self->director, self->time);
	otad_tuf_repo_set_time (self->image, self->time);

	/* success */
	return TRUE;
}

/* everything that leaves a check-in is an OtaError, so that D-Bus tells the classes apart:
 * a refusal of the verifier is OTA_ERROR_VERIFICATION with its attack class in front of the
 * message ("rollback: ..."), by otad_tuf_error_convert(); transport failures are OtaErrors
 * already (NETWORK, TLS, SERVER by their GError domain and code); the rest (the trusted
 * metadata directory) by ota_error_convert() */
static gboolean
otad_checkin_fail (GError **error)
{
	if (error != NULL && *error != NULL && !otad_tuf_error_convert (error))
		ota_error_convert (error);
	return FALSE;
}

static gboolean
otad_checkin_is_installed (OtadTarget *target, const gchar *installed_sha256)
{
	return installed_sha256 != NULL && target->sha256 != NULL &&
	       g_ascii_strcasecmp (target->sha256, installed_sha256) == 0;
}

gboolean
otad_checkin_run (OtadCheckin *self, const gchar *primary_serial, const gchar *hardware_id,
                  const gchar *installed_sha256, OtadTarget **out_target,
                  GCancellable *cancellable, GError **error)
{
	g_autoptr(GHashTable) ecus = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) assigned = NULL;
	g_autoptr(OtadTarget) target = NULL;

	g_return_val_if_fail (OTAD_IS_CHECKIN (self), FALSE);
	g_return_val_if_fail (out_target != NULL, FALSE);

	*out_target = NULL;
	if (!otad_checkin_open (self, FALSE, cancellable, error))
		return otad_checkin_fail (error);
	g_hash_table_insert (ecus, (gpointer)primary_serial, (gpointer)hardware_id);
	assigned = otad_uptane_check (self->director, self->image, ecus, cancellable, error);
	if (assigned == NULL)
		return otad_checkin_fail (error);
	for (guint i = 0; i < assigned->len; i++) {
		OtadUptaneTarget *u = g_ptr_array_index (assigned, i);
		const OtadJsonNode *cid;

		if (g_strcmp0 (u->ecu_serial, primary_serial) != 0)
			continue;
		/* the Image repo's entry carries the custom data the Director may omit */
		target = otad_target_new (u->name, &u->info);
		target->ecu_serial = g_strdup (u->ecu_serial);
		if (u->uri != NULL) {
			g_free (target->uri);
			target->uri = g_strdup (u->uri);
		}
		cid = otad_json_object_get (u->director_targets->custom, "correlationId");
		if (otad_json_is (cid, OTAD_JSON_STRING))
			target->correlation_id = otad_json_dup_string (cid);
		break;
	}
	if (target == NULL || otad_checkin_is_installed (target, installed_sha256)) {
		g_debug ("no update for %s", primary_serial);
		return TRUE;
	}
	*out_target = g_steal_pointer (&target);

	/* success */
	return TRUE;
}

gboolean
otad_checkin_run_lite (OtadCheckin *self, const gchar *hardware_id, const gchar *const *tags,
                       const gchar *installed_sha256, OtadTarget **out_target,
                       GCancellable *cancellable, GError **error)
{
	g_autoptr(OtadTarget) target = NULL;

	g_return_val_if_fail (OTAD_IS_CHECKIN (self), FALSE);
	g_return_val_if_fail (out_target != NULL, FALSE);

	*out_target = NULL;
	if (!otad_checkin_open (self, TRUE, cancellable, error))
		return otad_checkin_fail (error);
	if (!otad_tuf_repo_refresh (self->image, OTAD_TUF_REFRESH_FLAG_NONE, NULL, cancellable,
	                            error))
		return otad_checkin_fail (error);
	target = otad_lite_select (otad_tuf_repo_get_targets (self->image), hardware_id, tags);
	if (target == NULL || otad_checkin_is_installed (target, installed_sha256))
		return TRUE;
	*out_target = g_steal_pointer (&target);

	/* success */
	return TRUE;
}

/* sha256 of a file, read in chunks */
static gchar *
otad_checkin_sha256_file (const gchar *path, guint64 *size, GError **error)
{
	g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
	g_autoptr(GFile) file = g_file_new_for_path (path);
	g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
	guint8 buf[65536];

	*size = 0;
	if (in == NULL)
		return NULL;
	for (;;) {
		gssize n =
		    g_input_stream_read (G_INPUT_STREAM (in), buf, sizeof (buf), NULL, error);
		if (n < 0)
			return NULL;
		if (n == 0)
			break;
		g_checksum_update (sum, buf, (gsize)n);
		*size += (guint64)n;
	}
	return g_strdup (g_checksum_get_string (sum));
}

gboolean
otad_checkin_download_target (OtadCheckin *self, const OtadTarget *target, const gchar *dest,
                              OtadHttpProgressFunc progress, gpointer user_data,
                              GCancellable *cancellable, GError **error)
{
	g_autofree gchar *url = NULL;
	g_autofree gchar *actual = NULL;
	guint64 size = 0;

	g_return_val_if_fail (OTAD_IS_CHECKIN (self), FALSE);
	if (g_strcmp0 (target->target_format, "OSTREE") == 0 || target->length == 0 ||
	    target->sha256 == NULL) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_ARGUMENT,
		             _("target %s is not a binary target with a length and a sha256"),
		             target->name);
		return FALSE;
	}
	if (target->uri != NULL) {
		url = g_strdup (target->uri);
	} else {
		g_autofree gchar *escaped = g_uri_escape_string (target->name, "/", FALSE);
		url = g_strdup_printf ("%s/targets/%s", self->repo_url, escaped);
	}
	if (!otad_http_download (self->http, url, dest, target->length, progress, user_data,
	                         cancellable, error))
		return FALSE;

	/* the trusted metadata has the last word */
	actual = otad_checkin_sha256_file (dest, &size, error);
	if (actual == NULL)
		return FALSE;
	if (size != target->length || g_ascii_strcasecmp (actual, target->sha256) != 0) {
		g_unlink (dest);
		g_set_error (error, OTA_ERROR, OTA_ERROR_VERIFICATION,
		             _("target %s from %s: %" PRIu64 " bytes with sha256 %s, "
		                "expected %" PRIu64 " bytes with sha256 %s"),
		             target->name, url, size, actual, target->length, target->sha256);
		return FALSE;
	}

	/* success */
	return TRUE;
}
