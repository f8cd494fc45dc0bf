/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

static GLogWriterOutput
fuzz_quiet_writer (GLogLevelFlags level, const GLogField *fields, gsize n, gpointer user_data)
{
	/* the warnings are the expected reaction to bad input: only criticals count, and they
	 * abort (G_DEBUG=fatal-criticals traps with SIGTRAP, which libFuzzer does not catch:
	 * no crash input would be saved) */
	if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) {
		(void)g_log_writer_default (level, fields, n, user_data);
		abort ();
	}
	return G_LOG_WRITER_HANDLED;
}

/* once per process: warnings off, a private directory for harnesses that need files */
static inline const gchar *
fuzz_setup (void)
{
	static gchar *dir = NULL;

	if (dir == NULL) {
		g_log_set_writer_func (fuzz_quiet_writer, NULL, NULL);
		dir = g_dir_make_tmp ("otad-fuzz-XXXXXX", NULL);
		g_assert_nonnull (dir);
	}
	return dir;
}
