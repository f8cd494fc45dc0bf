/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE /* strverscmp */
#define G_LOG_DOMAIN "OtadUptane"

#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n.h>

#include "otad-tuf-error.h"
#include "otad-uptane.h"

void
otad_uptane_target_free (OtadUptaneTarget *target)
{
	if (target == NULL)
		return;
	g_free (target->name);
	g_free (target->ecu_serial);
	g_free (target->hardware_id);
	g_free (target->uri);
	g_clear_pointer (&target->image_role, otad_tuf_metadata_unref);
	g_clear_pointer (&target->director_targets, otad_tuf_metadata_unref);
	g_free (target);
}

const gchar *const *
otad_uptane_default_root_dirs (void)
{
	static const gchar *const dirs[] = {OTAD_VENDOR_DIR "/tuf", "/usr/lib/sota/tuf", NULL};
	return dirs;
}

gboolean
otad_uptane_ensure_root (OtadTufRepo *repo, const gchar *repo_dir_name,
                         const gchar *const *search_dirs, gboolean allow_tofu,
                         GCancellable *cancellable, GError **error)
{
	g_autoptr (GError) error_local = NULL;
	const gchar *names[] = {"root.json", "1.root.json"};

	if (otad_tuf_repo_load (repo, &error_local))
		return TRUE;
	if (!g_error_matches (error_local, OTAD_TUF_ERROR, OTAD_TUF_ERROR_NO_TRUSTED_ROOT)) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	for (guint i = 0; search_dirs != NULL && search_dirs[i] != NULL; i++) {
		for (guint j = 0; j < G_N_ELEMENTS (names); j++) {
			g_autofree gchar *path =
			    g_build_filename (search_dirs[i], repo_dir_name, names[j], NULL);
			g_autofree gchar *contents = NULL;
			g_autoptr (GBytes) bytes = NULL;
			gsize len = 0;
			if (!g_file_get_contents (path, &contents, &len, NULL))
				continue;
			g_debug ("%s: pre-provisioned root %s", otad_tuf_repo_get_name (repo),
			         path);
			bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
			return otad_tuf_repo_init_root (repo, bytes, error);
		}
	}
	if (!allow_tofu) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	g_info ("%s: no trusted root: trusting the server's first root",
	        otad_tuf_repo_get_name (repo));
	return otad_tuf_repo_init_root_tofu (repo, cancellable, error);
}

static gboolean otad_uptane_fail (GError **error, OtadTufError code, const gchar *format, ...)
    G_GNUC_PRINTF (3, 4);

static gboolean
otad_uptane_fail (GError **error, OtadTufError code, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;
	va_start (args, format);
	msg = g_strdup_vprintf (format, args);
	va_end (args);
	g_set_error (error, OTAD_TUF_ERROR, code, "director: %s", msg);
	return FALSE;
}

/* the Director's targets: no delegation, each ECU named once, only this device's ECUs with
 * their hardware ids; collects the assignments */
static gboolean
otad_uptane_check_director (OtadTufMetadata *targets, GHashTable *ecus, GPtrArray *assigned,
                            GError **error)
{
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	if (targets->delegations != NULL && targets->delegations->len > 0)
		return otad_uptane_fail (error, OTAD_TUF_ERROR_UNKNOWN_ROLE,
		                         _("targets metadata may not delegate"));
	for (guint i = 0; i < otad_tuf_metadata_get_n_targets (targets); i++) {
		OtadTufTargetInfo info = {0};
		g_autofree gchar *name = NULL;
		const OtadJsonNode *ids;

		otad_tuf_metadata_get_target_nth (targets, i, &info, &name);
		ids = otad_json_object_get (info.custom, "ecuIdentifiers");
		if (!otad_json_is (ids, OTAD_JSON_OBJECT) || ids->n == 0)
			return otad_uptane_fail (error, OTAD_TUF_ERROR_MALFORMED,
			                         _("target %s has no custom.ecuIdentifiers"),
			                         name);
		for (guint32 j = 0; j < ids->n; j++) {
			const OtadJsonNode *ecu = &ids->v.children[j];
			g_autofree gchar *serial = otad_json_dup_key (ecu);
			g_autofree gchar *hwid =
			    otad_json_dup_string (otad_json_object_get (ecu, "hardwareId"));
			const gchar *ours;
			OtadUptaneTarget *target;

			if (serial == NULL || hwid == NULL)
				return otad_uptane_fail (error, OTAD_TUF_ERROR_MALFORMED,
				                         _("target %s: ECU identifier needs a "
				                            "hardwareId"),
				                         name);
			if (g_hash_table_contains (seen, serial))
				return otad_uptane_fail (
				    error, OTAD_TUF_ERROR_ECU_MISMATCH,
				    _("ECU %s is assigned more than one target"), serial);
			g_hash_table_add (seen, g_strdup (serial));
			if (!g_hash_table_lookup_extended (ecus, serial, NULL, (gpointer *)&ours))
				return otad_uptane_fail (error, OTAD_TUF_ERROR_ECU_MISMATCH,
				                         _("target %s names ECU %s, which is not "
				                            "part of this device"),
				                         name, serial);
			if (g_strcmp0 (ours, hwid) != 0)
				return otad_uptane_fail (
				    error, OTAD_TUF_ERROR_HARDWARE_MISMATCH,
				    _("target %s for ECU %s has hardware id %s, "
				       "the ECU is %s"),
				    name, serial, hwid, ours);
			target = g_new0 (OtadUptaneTarget, 1);
			target->name = g_strdup (name);
			target->ecu_serial = g_steal_pointer (&serial);
			target->hardware_id = g_steal_pointer (&hwid);
			target->director_info = info;
			target->director_targets = otad_tuf_metadata_ref (targets);
			target->uri =
			    otad_json_dup_string (otad_json_object_get (info.custom, "uri"));
			g_ptr_array_add (assigned, target);
		}
	}
	return TRUE;
}

/* the Image repo must list the same target with identical length and hashes and a
 * hardware id list that contains the ECU's */
static gboolean
otad_uptane_check_image (OtadTufRepo *image, OtadUptaneTarget *target, GCancellable *cancellable,
                         GError **error)
{
	const OtadJsonNode *hwids;
	gboolean hw_ok = FALSE;

	if (!otad_tuf_repo_find_target (image, target->name, &target->info, &target->image_role,
	                                cancellable, error)) {
		g_prefix_error (error, _("target %s assigned by the director: "), target->name);
		return FALSE;
	}
	if (target->info.length != target->director_info.length) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_LENGTH_MISMATCH,
		             _("target %s: director length %" PRId64 " differs from "
		                "image-repo length %" PRId64),
		             target->name, target->director_info.length, target->info.length);
		return FALSE;
	}
	if (!otad_tuf_hashes_agree (target->director_info.hashes, target->info.hashes)) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_HASH_MISMATCH,
		             _("target %s: director and image-repo hashes differ"), target->name);
		return FALSE;
	}
	hwids = otad_json_object_get (target->info.custom, "hardwareIds");
	for (guint32 i = 0; otad_json_is (hwids, OTAD_JSON_ARRAY) && i < hwids->n; i++)
		hw_ok |= otad_json_string_equal (&hwids->v.children[i], target->hardware_id);
	if (!hw_ok) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_HARDWARE_MISMATCH,
		             _("target %s: image-repo hardwareIds do not include %s"),
		             target->name, target->hardware_id);
		return FALSE;
	}
	if (target->uri == NULL)
		target->uri =
		    otad_json_dup_string (otad_json_object_get (target->info.custom, "uri"));
	return TRUE;
}

/* Uptane 5.4.4.6: the Director's checks are part of checking its targets metadata, so a
 * Director targets that fails them is not trusted (nor written) */
static gboolean
otad_uptane_director_targets_check (OtadTufMetadata *targets, gpointer user_data, GError **error)
{
	g_autoptr (GPtrArray) assigned =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_uptane_target_free);
	return otad_uptane_check_director (targets, user_data, assigned, error);
}

GPtrArray *
otad_uptane_check (OtadTufRepo *director, OtadTufRepo *image, GHashTable *ecus,
                   GCancellable *cancellable, GError **error)
{
	g_autoptr (GPtrArray) assigned =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_uptane_target_free);
	gboolean ok;

	otad_tuf_repo_set_targets_check (director, otad_uptane_director_targets_check, ecus);
	ok = otad_tuf_repo_refresh (director, OTAD_TUF_REFRESH_FLAG_OPTIONAL_SNAPSHOT, NULL,
	                            cancellable, error);
	otad_tuf_repo_set_targets_check (director, NULL, NULL);
	if (!ok)
		return NULL;
	if (!otad_uptane_check_director (otad_tuf_repo_get_targets (director), ecus, assigned,
	                                 error))
		return NULL;
	if (!otad_tuf_repo_refresh (image, OTAD_TUF_REFRESH_FLAG_NONE, NULL, cancellable, error))
		return NULL;
	for (guint i = 0; i < assigned->len; i++) {
		if (!otad_uptane_check_image (image, g_ptr_array_index (assigned, i), cancellable,
		                              error))
			return NULL;
	}
	return g_steal_pointer (&assigned);
}

static gboolean
otad_uptane_strv_node_contains (const OtadJsonNode *array, const gchar *value)
{
	for (guint32 i = 0; otad_json_is (array, OTAD_JSON_ARRAY) && i < array->n; i++) {
		if (otad_json_string_equal (&array->v.children[i], value))
			return TRUE;
	}
	return FALSE;
}

gchar *
otad_uptane_lite_select (OtadTufRepo *image, const gchar *hardware_id, const gchar *tag,
                         OtadTufTargetInfo *out, GError **error)
{
	OtadTufMetadata *targets = otad_tuf_repo_get_targets (image);
	g_autofree gchar *best_name = NULL;
	g_autofree gchar *best_version = NULL;
	OtadTufTargetInfo best = {0};

	if (targets == NULL) {
		g_set_error_literal (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_FAILED,
		                     _("image-repo: no trusted targets metadata"));
		return NULL;
	}
	for (guint i = 0; i < otad_tuf_metadata_get_n_targets (targets); i++) {
		OtadTufTargetInfo info = {0};
		g_autofree gchar *name = NULL;
		g_autofree gchar *version = NULL;

		otad_tuf_metadata_get_target_nth (targets, i, &info, &name);
		if (name == NULL ||
		    !otad_uptane_strv_node_contains (
		        otad_json_object_get (info.custom, "hardwareIds"), hardware_id))
			continue;
		if (tag != NULL && tag[0] != '\0' &&
		    !otad_uptane_strv_node_contains (otad_json_object_get (info.custom, "tags"),
		                                     tag))
			continue;
		version = otad_json_dup_string (otad_json_object_get (info.custom, "version"));
		if (version == NULL)
			continue;
		/* "10" after "9", "1.10" after "1.9"; equal versions: the later name */
		if (best_version != NULL) {
			gint cmp = strverscmp (version, best_version);
			if (cmp < 0 || (cmp == 0 && g_strcmp0 (name, best_name) < 0))
				continue;
		}
		g_free (best_name);
		g_free (best_version);
		best_name = g_steal_pointer (&name);
		best_version = g_steal_pointer (&version);
		best = info;
	}
	if (best_name == NULL) {
		if (tag != NULL)
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNKNOWN_TARGET,
			             _("image-repo: no target for hardware id %s with tag %s"),
			             hardware_id, tag);
		else
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNKNOWN_TARGET,
			             _("image-repo: no target for hardware id %s"), hardware_id);
		return NULL;
	}
	if (out != NULL)
		*out = best;
	return g_steal_pointer (&best_name);
}

gchar *
otad_uptane_target_get_ostree_commit (const OtadTufTargetInfo *info)
{
	g_autofree gchar *commit = NULL;
	if (!otad_json_string_equal (otad_json_object_get (info->custom, "targetFormat"), "OSTREE"))
		return NULL;
	commit = otad_json_dup_string (otad_json_object_get (info->hashes, "sha256"));
	/* an OSTree commit checksum: 64 lower-case hex digits */
	if (commit == NULL || strlen (commit) != 64 || strspn (commit, "0123456789abcdef") != 64)
		return NULL;
	return g_steal_pointer (&commit);
}
