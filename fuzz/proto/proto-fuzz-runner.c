/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* feeds every file of the given directories to the fuzz target, and also every prefix and a
 * few bit flips of each, so the fuzz targets run as plain tests without libFuzzer */
#include "config.h"

#include <gio/gio.h>

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
main (int argc, char **argv)
{
	guint n = 0;

	for (int i = 1; i < argc; i++) {
		g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
		const gchar *name;
		while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *path = g_build_filename (argv[i], name, NULL);
			g_autofree gchar *data = NULL;
			gsize len = 0;
			if (!g_file_get_contents (path, &data, &len, NULL))
				continue;
			for (gsize cut = 0; cut <= len; cut++) {
				g_autofree guint8 *copy = g_memdup2 (data, cut);
				LLVMFuzzerTestOneInput (copy, cut);
			}
			for (gsize pos = 0; pos < len; pos += 3) {
				g_autofree guint8 *copy = g_memdup2 (data, len);
				copy[pos] ^= (guint8)(1u << (pos % 8));
				LLVMFuzzerTestOneInput (copy, len);
			}
			n++;
		}
	}
	g_print ("ran %u inputs with their prefixes and bit flips\n", n);
	return n > 0 ? 0 : 1;
}
