/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: state.json as otad finds it at start (otad-state-store.c) and the
 * update on offer kept in it (otad-update-info.c); any bytes give a store (the defaults
 * when unreadable, the file moved aside), never a crash or a critical */
#include "config.h"

#include <glib/gstdio.h>

#include "fuzz-common.h"
#include "otad-state-store.h"
#include "otad-update-info.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	const gchar *dir = fuzz_setup ();
	g_autofree gchar *path = g_build_filename (dir, OTAD_STATE_STORE_FILENAME, NULL);
	g_autoptr (OtadStateStore) store = NULL;
	g_autoptr (OtadStateStore) again = NULL;
	g_autoptr (OtadUpdateInfo) info = NULL;
	g_autoptr (GError) error = NULL;

	g_assert_true (g_file_set_contents (path, (const gchar *)data, (gssize)size, NULL));
	store = otad_state_store_new (dir, &error);
	g_assert_no_error (error);
	info = otad_update_info_new_from_json (otad_state_store_get_field (store, "update-info"));
	if (info != NULL) {
		g_autoptr (GVariant) v = g_variant_ref_sink (otad_update_info_to_variant (info));
		g_autoptr (JsonNode) node = otad_update_info_to_json (info);
		g_autoptr (OtadUpdateInfo) back = otad_update_info_new_from_json (node);
		g_assert_nonnull (back);
		g_assert_cmpstr (back->checksum, ==, info->checksum);
	}
	/* what it saves it loads back as it was */
	g_assert_true (otad_state_store_save (store, &error));
	again = otad_state_store_new (dir, &error);
	g_assert_false (otad_state_store_was_recovered (again));
	g_assert_cmpint (otad_state_store_get_state (again), ==, otad_state_store_get_state (store));
	g_assert_cmpstr (otad_state_store_get_error_message (again), ==,
	                 otad_state_store_get_error_message (store));
	return 0;
}
