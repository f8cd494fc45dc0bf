/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: metadata parsing of every role type, self-verification of roots (key
 * import and signature checks), target and delegation walks */
#include "config.h"

#include "otad-lite.h"
#include "otad-target.h"
#include "otad-tuf-metadata.h"

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

static void
fuzz_walk (OtadTufMetadata *md)
{
	for (guint i = 0; i < otad_tuf_metadata_get_n_targets (md); i++) {
		OtadTufTargetInfo info = {0};
		g_autofree gchar *name = NULL;
		if (otad_tuf_metadata_get_target_nth (md, i, &info, &name) && name != NULL) {
			OtadTufTargetInfo again = {0};
			g_assert_true (otad_tuf_metadata_get_target (md, name, &again));
			g_assert_true (again.length == info.length);
			g_assert_true (otad_tuf_hashes_agree (info.hashes, again.hashes) ||
			               info.hashes == NULL || again.hashes != NULL);
		}
	}
	for (guint i = 0; md->delegations != NULL && i < md->delegations->len; i++) {
		const OtadTufRole *role = g_ptr_array_index (md->delegations, i);
		(void)otad_tuf_role_matches_path (role, "a/b.bin");
		(void)otad_tuf_metadata_verify_role (md, md->delegation_keys, role, "fuzz", NULL);
	}
}

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr (GBytes) bytes = g_bytes_new (data, size);

	for (OtadTufRoleType type = OTAD_TUF_ROLE_ROOT; type <= OTAD_TUF_ROLE_TARGETS; type++) {
		g_autoptr (OtadTufMetadata) md = otad_tuf_metadata_parse (bytes, type, NULL, NULL);
		if (md == NULL)
			continue;
		(void)otad_tuf_metadata_check_expiry (md, 0, NULL);
		if (type == OTAD_TUF_ROLE_ROOT) {
			const gchar *roles[] = {"root", "timestamp", "snapshot", "targets"};
			for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
				(void)otad_tuf_metadata_verify_role (
				    md, md->keys, otad_tuf_metadata_get_role (md, roles[i]), "fuzz",
				    NULL);
		}
		if (type == OTAD_TUF_ROLE_TARGETS) {
			const gchar *tags[] = {"stable", NULL};
			fuzz_walk (md);
			/* aktualizr-lite's choice over the custom fields of every target */
			{
				OtadTarget *t = otad_lite_select (md, "otad-test-hw", tags);
				otad_target_free (t);
				t = otad_lite_select (md, "otad-test-hw", NULL);
				otad_target_free (t);
			}
		}
	}
	return 0;
}
