/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "otad-sota-config.h"

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(GKeyFile) kf =
	    otad_sota_toml_parse ((const gchar *)data, (gssize)size, "fuzz", NULL);
	if (kf != NULL) {
		g_autoptr(OtadSotaConfig) c = otad_sota_config_from_keyfile (kf, NULL);
		(void)c;
	}
	return 0;
}
