/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Moving a device from aktualizr: its identity, keys and trust are read, never changed,
 * from aktualizr's storage (sql.db, schema in aktualizr's config/sql/schema.sql, and the
 * files of the old filesystem storage) into otad's device directory (see
 * otad-provisioner.h) and STATE_DIR/ecu.key.  Nothing found is no error.
 */
gboolean otad_aktualizr_import (const gchar *sqldb,
				const gchar *storage_dir,
				const gchar *device_dir,
				const gchar *state_dir,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
