/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A real OSTree repo and sysroot for tests, built with the ostree CLI in a
 * temporary directory: osname "otadtest", ref "otadtest/x86_64", commits A
 * (version 1.0) and B (version 2.0), A deployed first and then B, so B is the
 * default (index 0) and A the rollback (index 1).
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

OtadTestSysroot *otad_test_sysroot_new (GError **error);
gchar *otad_test_sysroot_commit (OtadTestSysroot *self, const gchar *version, GError **error);
gboolean otad_test_sysroot_deploy (OtadTestSysroot *self, const gchar *checksum, GError **error);
gboolean otad_test_sysroot_run (GError **error, gchar **out, const gchar *argv0, ...)
    G_GNUC_NULL_TERMINATED;
void otad_test_sysroot_free (OtadTestSysroot *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadTestSysroot, otad_test_sysroot_free)

G_END_DECLS
