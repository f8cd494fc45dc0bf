/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* the trusted metadata of one repository in one directory, each file replaced atomically */
typedef struct _OtadTufStore OtadTufStore;

OtadTufStore *otad_tuf_store_new (const gchar *directory);
void otad_tuf_store_free (OtadTufStore *store);
const gchar *otad_tuf_store_get_directory (OtadTufStore *store);
/* NULL with G_IO_ERROR_NOT_FOUND when the file is not there */
GBytes *otad_tuf_store_load (OtadTufStore *store, const gchar *filename, GError **error);
gboolean otad_tuf_store_save (OtadTufStore *store, const gchar *filename, GBytes *bytes,
                              GError **error);
void otad_tuf_store_move_aside (OtadTufStore *store, const gchar *filename, const gchar *why);
gboolean otad_tuf_store_remove (OtadTufStore *store, const gchar *filename, GError **error);
/* "delegations/<escaped role>.json" */
gchar *otad_tuf_store_delegation_filename (const gchar *role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadTufStore, otad_tuf_store_free)

G_END_DECLS
