/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A real OSTree repo and sysroot for tests, built with the ostree CLI in a
 * temporary directory: osname "otadtest", ref "otadtest/x86_64", commits A
 * (version 1.0) and B (version 2.0), A deployed first and then B, so B is the
 * default (index 0) and A the rollback (index 1).  One builder for every suite
 * (core here, boot control in tests/boot/): otad_test_sysroot_new_full() takes
 * another osname or deploys nothing.
 */
typedef struct {
	gchar *tmpdir;	  /* (owned): everything lives below it */
	gchar *repo;	  /* (owned): archive repo holding the commits */
	gchar *sysroot;	  /* (owned): the sysroot */
	gchar *osname;	  /* (owned) */
	gchar *ref;	  /* (owned) */
	gchar *commit_a;  /* (owned) */
	gchar *commit_b;  /* (owned) */
	guint n_commits;
} OtadTestSysroot;

typedef enum {
	OTAD_TEST_SYSROOT_NONE = 0,
	OTAD_TEST_SYSROOT_NO_DEPLOY = 1 << 0,
} OtadTestSysrootFlags;

/* ostree and chattr are there, or the test program ends with the one-line reason
 * (otad-test-require.h); the builders below check it themselves too, but a main() that
 * calls it first fails before any test starts */
void otad_test_sysroot_require_tools (void);
OtadTestSysroot *otad_test_sysroot_new (GError **error);
/* the same with another osname (and ref OSNAME/x86_64), or nothing deployed */
OtadTestSysroot *otad_test_sysroot_new_full (const gchar *osname, OtadTestSysrootFlags flags,
					     GError **error);
gboolean otad_test_sysroot_pull (OtadTestSysroot *self, const gchar *checksum, GError **error);
gchar *otad_test_sysroot_commit (OtadTestSysroot *self, const gchar *version, GError **error);
gboolean otad_test_sysroot_deploy (OtadTestSysroot *self, const gchar *checksum, GError **error);
gboolean otad_test_sysroot_run (GError **error, gchar **out, const gchar *argv0, ...)
    G_GNUC_NULL_TERMINATED;
/* rm -rf that also clears the immutable bit deployments carry */
gboolean otad_test_sysroot_rm_rf (const gchar *dir, GError **error);
void otad_test_sysroot_free (OtadTestSysroot *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadTestSysroot, otad_test_sysroot_free)

G_END_DECLS
