/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTuf"

#include "config.h"

#include "otad-file.h"
#include "otad-tuf-store.h"

/* larger than any metadata the fetch limits let in (otad-tuf-repo.h) */
#define OTAD_TUF_STORE_MAX_SIZE (64 * 1024 * 1024)

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

	/* never through a symlink: what is trusted is what otad wrote */
	if (!otad_file_read (path, OTAD_TUF_STORE_MAX_SIZE, &contents, &len, error))
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

	if (!otad_file_ensure_dir (dir, 0755, error))
		return FALSE;
	/* written to a temporary file, synced and renamed over the old one */
	return otad_file_replace (path, data != NULL ? data : "", len, 0644, error);
}

/* an unreadable trusted file goes aside: the next start provisions the root again */
void
otad_tuf_store_move_aside (OtadTufStore *store, const gchar *filename, const gchar *why)
{
	g_autofree gchar *path = g_build_filename (store->directory, filename, NULL);
	g_autofree gchar *aside = otad_file_move_aside (path, why);
}

gboolean
otad_tuf_store_remove (OtadTufStore *store, const gchar *filename, GError **error)
{
	g_autofree gchar *path = g_build_filename (store->directory, filename, NULL);

	return otad_file_remove (path, error);
}
