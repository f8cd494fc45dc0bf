/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: a static delta's superblock as the TreeHub serves it, read by
 * otad-delta-superblock.c to size and fetch the parts before libostree sees them */
#include "config.h"

#include "fuzz-common.h"
#include "otad-delta-superblock.h"

/* the commits of the seeds in fuzz/corpus/delta-superblock (`ostree static-delta
 * generate` from A to B, and from scratch to B) */
#define FUZZ_FROM "453c21ab0236ef2c2dd6d460d8d1589087e92cdbd7f61917920307f0a2d2cf50"
#define FUZZ_TO	  "70124f94c325805ffd082a5ac26f567512c56fa15142d7b6c74e74e3d6bb696f"

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr (GBytes) bytes = g_bytes_new (data, size);
	g_autoptr (GError) error = NULL;
	OtadDeltaSuperblock *sb;

	fuzz_setup ();
	sb = otad_delta_superblock_new_from_bytes (bytes, FUZZ_FROM, FUZZ_TO, &error);
	if (sb == NULL) {
		g_clear_error (&error);
		sb = otad_delta_superblock_new_from_bytes (bytes, NULL, FUZZ_TO, &error);
	}
	if (sb == NULL) {
		g_assert_nonnull (error);
		return 0;
	}
	(void)otad_delta_superblock_get_download_size (sb);
	(void)otad_delta_superblock_get_unpacked_size (sb);
	{
		g_autoptr (GBytes) offline = otad_delta_superblock_for_offline (sb);
	}
	otad_delta_superblock_free (sb);
	return 0;
}
