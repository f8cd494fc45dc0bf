/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "otad-tuf-error.h"
#include "otad-tuf-repo-private.h"

/* 5.6.7: finding a target through delegated targets roles, pre-order depth first */

typedef struct {
	OtadTufMetadata *parent; /* (owned) (nullable) NULL for the top-level targets */
	const OtadTufRole *role; /* (unowned) lives in parent */
} OtadTufDelegationStep;

static void
otad_tuf_delegation_step_free (OtadTufDelegationStep *step)
{
	g_clear_pointer (&step->parent, otad_tuf_metadata_unref);
	g_free (step);
}

/* the stored copy, when it still verifies */
static OtadTufMetadata *
otad_tuf_delegation_load_stored (OtadTufRepo *self, OtadTufMetadata *parent,
                                 const OtadTufRole *role, const gchar *filename)
{
	g_autoptr (GBytes) bytes = otad_tuf_store_load (self->store, filename, NULL);
	g_autoptr (OtadTufMetadata) md = NULL;

	if (bytes == NULL)
		return NULL;
	md = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_TARGETS, role->name, NULL);
	if (md == NULL || !otad_tuf_metadata_verify_role (md, parent->delegation_keys, role,
	                                                  parent->role_name, NULL))
		return NULL;
	return g_steal_pointer (&md);
}

/* the role's file from the server: VERSION.NAME.json (consistent snapshots) or NAME.json,
 * else OTA CE's delegations/NAME.json; NAME percent-encoded as python-tuf does
 * (ngclient/updater.py, parse.quote (rolename, "")), so that no role name is a path */
static GBytes *
otad_tuf_delegation_fetch (OtadTufRepo *self, const OtadTufRole *role, const OtadTufMetaFile *meta,
                           gchar **out_path, GCancellable *cancellable, GError **error)
{
	g_autofree gchar *escaped = g_uri_escape_string (role->name, NULL, FALSE);
	g_autofree gchar *path = NULL;
	g_autoptr (GError) error_local = NULL;
	g_autoptr (GBytes) bytes = NULL;
	guint64 max = self->limits.targets_max;

	if (meta->length >= 0)
		max = meta->canonical ? MAX ((guint64)meta->length, max) : (guint64)meta->length;
	if (self->root->consistent_snapshot)
		path = g_strdup_printf ("%" G_GINT64_FORMAT ".%s.json", meta->version, escaped);
	else
		path = g_strdup_printf ("%s.json", escaped);
	bytes = otad_tuf_repo_fetch (self, path, max, cancellable, &error_local);
	if (bytes == NULL && g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
		g_clear_error (&error_local);
		g_free (path);
		path = g_strdup_printf ("delegations/%s.json", escaped);
		bytes = otad_tuf_repo_fetch (self, path, max, cancellable, &error_local);
	}
	if (bytes == NULL) {
		if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_NOT_FOUND,
			             _("%s: delegated role %s not found"), self->name, role->name);
			return NULL;
		}
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	*out_path = g_steal_pointer (&path);
	return g_steal_pointer (&bytes);
}

static OtadTufMetadata *
otad_tuf_delegation_load (OtadTufRepo *self, OtadTufMetadata *parent, const OtadTufRole *role,
                          GCancellable *cancellable, GError **error)
{
	OtadTufMetadata *cached = g_hash_table_lookup (self->delegated, role->name);
	g_autofree gchar *meta_name = g_strdup_printf ("%s.json", role->name);
	g_autofree gchar *filename = otad_tuf_store_delegation_filename (role->name);
	g_autofree gchar *path = NULL;
	g_autoptr (OtadTufMetadata) stored = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autoptr (GBytes) bytes = NULL;
	const OtadTufMetaFile *meta;

	if (cached != NULL)
		return otad_tuf_metadata_ref (cached);
	/* snapshot lists the role under its name as it is, not encoded */
	meta =
	    self->snapshot != NULL ? otad_tuf_metadata_get_meta (self->snapshot, meta_name) : NULL;
	if (meta == NULL) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNKNOWN_ROLE,
		             _("%s: delegated role %s is not listed in snapshot"), self->name,
		             role->name);
		return NULL;
	}
	stored = otad_tuf_delegation_load_stored (self, parent, role, filename);
	if (stored != NULL && stored->version == meta->version &&
	    otad_tuf_metadata_check_described (stored, meta, meta_name, NULL)) {
		md = g_steal_pointer (&stored);
	} else {
		bytes = otad_tuf_delegation_fetch (self, role, meta, &path, cancellable, error);
		if (bytes == NULL)
			return NULL;
		md = otad_tuf_refresh_parse_described (bytes, meta, OTAD_TUF_ROLE_TARGETS,
		                                       role->name, path, error);
		if (md == NULL || !otad_tuf_metadata_verify_role (md, parent->delegation_keys, role,
		                                                  parent->role_name, error)) {
			g_prefix_error (error, "%s: ", self->name);
			return NULL;
		}
		/* the version snapshot lists, and no other check: snapshot's own rollback
		 * check covers delegated roles as it covers targets (5.6.3) */
		if (md->version != meta->version) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MIX_AND_MATCH,
			             _("%s: %s version %" PRId64 " differs from version %" PRId64
			                " in snapshot"),
			             self->name, role->name, md->version, meta->version);
			return NULL;
		}
	}
	if (!otad_tuf_metadata_check_expiry (md, otad_tuf_repo_now (self), error)) {
		g_prefix_error (error, "%s: ", self->name);
		return NULL;
	}
	/* persisted once verified, as the top-level roles are (5.6.6) */
	if (bytes != NULL && !otad_tuf_store_save (self->store, filename, bytes, error)) {
		g_prefix_error (error, "%s: ", self->name);
		return NULL;
	}
	g_hash_table_insert (self->delegated, g_strdup (role->name), otad_tuf_metadata_ref (md));
	return g_steal_pointer (&md);
}

gboolean
otad_tuf_repo_find_target (OtadTufRepo *self, const gchar *name, OtadTufTargetInfo *out,
                           OtadTufMetadata **out_role, GCancellable *cancellable, GError **error)
{
	g_autoptr (GPtrArray) stack =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_tuf_delegation_step_free);
	g_autoptr (GHashTable) visited =
	    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	guint visits = 0;

	g_return_val_if_fail (OTAD_IS_TUF_REPO (self), FALSE);
	if (self->targets == NULL) {
		g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_FAILED,
		             _("%s: no trusted targets metadata"), self->name);
		return FALSE;
	}
	g_ptr_array_add (stack, g_new0 (OtadTufDelegationStep, 1));
	while (stack->len > 0) {
		OtadTufDelegationStep *step = g_ptr_array_steal_index (stack, stack->len - 1);
		g_autoptr (OtadTufMetadata) md = NULL;
		g_autoptr (GPtrArray) children = NULL;

		if (step->parent == NULL) {
			md = otad_tuf_metadata_ref (self->targets);
		} else {
			md = otad_tuf_delegation_load (self, step->parent, step->role, cancellable,
			                               error);
		}
		otad_tuf_delegation_step_free (step);
		if (md == NULL)
			return FALSE;
		/* a role reached twice (a cycle, or a diamond) is searched once */
		if (g_hash_table_contains (visited, md->role_name))
			continue;
		if (++visits > self->limits.max_delegations) {
			g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNKNOWN_TARGET,
			             _("%s: target %s not found within %u roles"), self->name,
			             name, self->limits.max_delegations);
			return FALSE;
		}
		g_hash_table_add (visited, g_strdup (md->role_name));
		if (otad_tuf_metadata_get_target (md, name, out)) {
			if (out_role != NULL)
				*out_role = g_steal_pointer (&md);
			return TRUE;
		}
		if (md->delegations == NULL)
			continue;
		children = g_ptr_array_new ();
		for (guint i = 0; i < md->delegations->len; i++) {
			const OtadTufRole *role = g_ptr_array_index (md->delegations, i);
			OtadTufDelegationStep *child;
			if (!otad_tuf_role_matches_path (role, name))
				continue;
			child = g_new0 (OtadTufDelegationStep, 1);
			child->parent = otad_tuf_metadata_ref (md);
			child->role = role;
			g_ptr_array_add (children, child);
			/* a terminating role ends the search wherever it fails */
			if (role->terminating) {
				g_ptr_array_set_size (stack, 0);
				break;
			}
		}
		/* pushed in reverse so that the first delegation is searched first */
		for (guint i = children->len; i > 0; i--)
			g_ptr_array_add (stack, g_ptr_array_index (children, i - 1));
	}
	g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_UNKNOWN_TARGET,
	             _("%s: no trusted role lists target %s"), self->name, name);
	return FALSE;
}
