/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdint.h>

#include "ota-error.h"
#include "otad-config.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* any bytes give either a config or an OTA_ERROR_INVALID_CONFIG, never a crash */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(OtadConfig) config = otad_config_new ();
	g_autoptr(GError) error = NULL;

	if (otad_config_load_data (config, "fuzz.conf", (const gchar *)data, (gssize)size,
				   &error)) {
		g_autofree gchar *text = otad_config_to_string (config);
		g_assert_nonnull (text);
		g_assert_no_error (error);
	} else {
		g_assert_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG);
		g_assert_true (g_str_has_prefix (error->message, "fuzz.conf:"));
	}
	return 0;
}
