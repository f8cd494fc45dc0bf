/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadImport"

#include "config.h"

#include "otad-aktualizr-import.h"

gboolean
otad_aktualizr_import (const gchar *sqldb,
		       const gchar *storage_dir,
		       const gchar *device_dir,
		       const gchar *state_dir,
		       GError **error)
{
	return TRUE;
}
