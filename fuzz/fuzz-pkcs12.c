/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: the PKCS#12 the provisioning server answers with (and
 * credentials.zip's autoprov_credentials.p12) read by otad-provision.c */
#include "config.h"

#include "fuzz-common.h"
#include "otad-provision.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr (GBytes) bytes = g_bytes_new (data, size);
	g_autofree gchar *cert = NULL;
	g_autofree gchar *key = NULL;
	g_autofree gchar *ca = NULL;
	g_autoptr (GError) error = NULL;

	fuzz_setup ();
	if (otad_provision_parse_p12 (bytes, NULL, &cert, &key, &ca, &error)) {
		g_assert_true (cert != NULL && key != NULL);
	} else {
		g_assert_nonnull (error);
	}
	return 0;
}
