/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

G_BEGIN_DECLS

/* a real OSTree sysroot made with `ostree admin --sysroot`, with commits A and B */
typedef struct {
	gchar *dir;      /* (owned) temporary directory holding everything */
	gchar *repo;     /* (owned) the archive repo the commits come from */
	gchar *sysroot;  /* (owned) the sysroot */
	gchar *commit_a; /* (owned) version 1.0 */
	gchar *commit_b; /* (owned) version 2.0 */
} OtadBootTestSysroot;

OtadBootTestSysroot *otad_boot_test_sysroot_new (void);
void otad_boot_test_sysroot_free (OtadBootTestSysroot *ts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadBootTestSysroot, otad_boot_test_sysroot_free)

void otad_boot_test_sysroot_deploy (OtadBootTestSysroot *ts, const gchar *commit);
OstreeSysroot *otad_boot_test_sysroot_open (OtadBootTestSysroot *ts);
gchar *otad_boot_test_run (const gchar *const *argv);
gchar *otad_boot_test_write_script (const gchar *dir, const gchar *name, const gchar *body);
void otad_boot_test_rm_rf (const gchar *dir);
gchar *otad_boot_test_sysroot_describe (OtadBootTestSysroot *ts);
/* mkenvimage, fw_printenv and fw_setenv are there (otad-test-require.h), for the
 * helpers below and for otad's uboot backend */
void otad_boot_test_require_uboot (void);
gchar *otad_boot_test_uboot_env_new (const gchar *dir);
gchar *otad_boot_test_uboot_get (const gchar *fw_env_config, const gchar *name);
void otad_boot_test_uboot_set (const gchar *fw_env_config, const gchar *name, const gchar *value);

G_END_DECLS
