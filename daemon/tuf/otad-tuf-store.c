/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "otad-tuf-store.h"

struct _OtadTufStore {
	gchar *directory; /* (owned) */
};

OtadTufStore *
otad_tuf_store_new (const gchar *directory)
{
	OtadTufStore *store = g_new0 (OtadTufStore, 1);
	store->directory = g_strdup (directory);
	return store;
}

void
otad_tuf_store_free (OtadTufStore *store)
{
	if (store == NULL)
		return;
	g_free (store->directory);
	g_free (store);
}

const gchar *
otad_tuf_store_get_directory (OtadTufStore *store)
{
	return store->directory;
}

gchar *
otad_tuf_store_delegation_filename (const gchar *role)
{
	/* role names may hold '/' or "..": escape everything reserved */
	g_autofree gchar *escaped = g_uri_escape_string (role, NULL, FALSE);
	return g_strdup_printf ("delegations/%s.json", escaped);
}

GBytes *
otad_tuf_store_load (OtadTufStore *store, const gchar *filename, GError **error)
{
	g_autofree gchar *path = g_build_filename (store->directory, filename, NULL);
	gchar *contents = NULL;
	gsize len = 0;
	if (!g_file_get_contents (path, &contents, &len, error))
		return NULL;
	return g_bytes_new_take (contents, len);
}

gboolean
otad_tuf_store_save (OtadTufStore *store, const gchar *filename, GBytes *bytes, GError **error)
{
	g_autofree gchar *path = g_build_filename (store->directory, filename, NULL);
	g_autofree gchar *dir = g_path_get_dirname (path);
	gsize len = 0;
	const gchar *data = g_bytes_get_data (bytes, &len);

	if (g_mkdir_with_parents (dir, 0755) != 0) {
		int errsv = errno;
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
		             "cannot create %s: %s", dir, g_strerror (errsv));
		return FALSE;
	}
	/* written to a temporary file, synced and renamed over the old one */
	return g_file_set_contents_full (
	    path, data != NULL ? data : "", len,
	    G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error);
}

gboolean
otad_tuf_store_remove (OtadTufStore *store, const gchar *filename, GError **error)
{
	g_autofree gchar *path = g_build_filename (store->directory, filename, NULL);
	if (g_unlink (path) != 0 && errno != ENOENT) {
		int errsv = errno;
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
		             "cannot remove %s: %s", path, g_strerror (errsv));
		return FALSE;
	}
	return TRUE;
}
