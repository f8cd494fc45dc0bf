/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A main() for fuzz targets when libFuzzer is not used: feeds every file
 * named on the command line (directories: every file in them) to
 * LLVMFuzzerTestOneInput() once, so the corpus runs as a plain test.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
localfuzzer_run_file (const gchar *path, guint *count)
{
	g_autofree gchar *data = NULL;
	gsize len = 0;
	g_autoptr(GError) error = NULL;

	if (!g_file_get_contents (path, &data, &len, &error)) {
		g_printerr ("%s\n", error->message);
		return FALSE;
	}
	LLVMFuzzerTestOneInput ((const uint8_t *)data, len);
	(*count)++;
	return TRUE;
}

int
main (int argc, char **argv)
{
	guint count = 0;

	for (int i = 1; i < argc; i++) {
		g_autoptr(GDir) dir = NULL;
		const gchar *name;

		if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR)) {
			if (!localfuzzer_run_file (argv[i], &count))
				return EXIT_FAILURE;
			continue;
		}
		dir = g_dir_open (argv[i], 0, NULL);
		while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *path = g_build_filename (argv[i], name, NULL);
			if (!localfuzzer_run_file (path, &count))
				return EXIT_FAILURE;
		}
	}
	g_print ("ran %u inputs\n", count);
	/* an empty corpus proves nothing */
	return count > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
