/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "otad-zip.h"

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	const gchar *names[] = {"autoprov.url", "autoprov_credentials.p12", "server_ca.pem"};
	g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autoptr(GBytes) m = otad_zip_extract (bytes, names[i], NULL);
		(void)m;
	}
	return 0;
}
