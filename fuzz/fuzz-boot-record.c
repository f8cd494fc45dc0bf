/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: the boot record's file (otad-boot-record-json.c), which decides what
 * boots; any bytes are a record or an error, and what otad writes it reads back the same */
#include "config.h"

#include "fuzz-common.h"
#include "otad-boot-record-json.h"

static gchar *
fuzz_parse_generate (const gchar *data, gsize size)
{
	g_autoptr (GHashTable) bad = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr (GPtrArray) history =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)otad_boot_history_entry_free);
	OtadBootRecordData parsed = {NULL, bad, history};
	gchar *text = NULL;

	if (otad_boot_record_json_parse (data, size, &parsed, NULL))
		text = otad_boot_record_json_generate (&parsed);
	otad_boot_pending_free (parsed.pending);
	return text;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autofree gchar *once = NULL;
	g_autofree gchar *twice = NULL;

	fuzz_setup ();
	once = fuzz_parse_generate ((const gchar *)data, size);
	if (once == NULL)
		return 0;
	twice = fuzz_parse_generate (once, strlen (once));
	g_assert_nonnull (twice);
	g_assert_cmpstr (once, ==, twice);
	return 0;
}
