/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "otad-sota-toml.h"

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(GPtrArray) entries =
	    otad_sota_toml_parse ((const gchar *)data, (gssize)size, "fuzz", NULL);
	(void)entries;
	return 0;
}
