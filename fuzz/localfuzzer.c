/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* runs LLVMFuzzerTestOneInput on every file named (or in every directory named) when the
 * compiler has no libFuzzer: the corpus becomes a regression test */
#include "config.h"

#include <glib.h>

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

static guint
localfuzzer_run_path (const gchar *path)
{
	g_autofree gchar *contents = NULL;
	g_autoptr (GError) error = NULL;
	gsize len = 0;
	guint n = 0;

	if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
		g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
		const gchar *name;
		if (dir == NULL)
			g_error ("%s", error->message);
		while ((name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *child = g_build_filename (path, name, NULL);
			n += localfuzzer_run_path (child);
		}
		return n;
	}
	if (!g_file_get_contents (path, &contents, &len, &error))
		g_error ("%s", error->message);
	LLVMFuzzerTestOneInput ((const guint8 *)contents, len);
	return 1;
}

int
main (int argc, char **argv)
{
	guint n = 0;
	for (int i = 1; i < argc; i++)
		n += localfuzzer_run_path (argv[i]);
	if (n == 0) {
		g_printerr ("no inputs\n");
		return 1;
	}
	g_print ("%u inputs ran\n", n);
	return 0;
}
