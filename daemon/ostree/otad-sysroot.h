/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

G_BEGIN_DECLS

#define OTAD_TYPE_SYSROOT (otad_sysroot_get_type ())
G_DECLARE_FINAL_TYPE (OtadSysroot, otad_sysroot, OTAD, SYSROOT, GObject)

/* the roles of DESIGN.md / brief: default = index 0, pending = default when not booted,
 * rollback = newest deployment that is not the default */
typedef enum {
	OTAD_SYSROOT_ROLE_BOOTED,
	OTAD_SYSROOT_ROLE_DEFAULT,
	OTAD_SYSROOT_ROLE_PENDING,
	OTAD_SYSROOT_ROLE_ROLLBACK,
	OTAD_SYSROOT_ROLE_LAST
} OtadSysrootRole;

OtadSysroot *otad_sysroot_new (const gchar *path, const gchar *test_booted, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_sysroot_load (OtadSysroot *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_sysroot_watch (OtadSysroot *self, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

const gchar *otad_sysroot_get_path (OtadSysroot *self);
gboolean otad_sysroot_is_test (OtadSysroot *self);
OstreeSysroot *otad_sysroot_get_ostree (OtadSysroot *self);
GPtrArray *otad_sysroot_get_deployments (OtadSysroot *self);
OstreeDeployment *otad_sysroot_get_deployment (OtadSysroot *self, OtadSysrootRole role);
GVariant *otad_sysroot_deployment_to_variant (OtadSysroot *self, OstreeDeployment *deployment)
    G_GNUC_WARN_UNUSED_RESULT;
GVariant *otad_sysroot_dup_role_variant (OtadSysroot *self, OtadSysrootRole role)
    G_GNUC_WARN_UNUSED_RESULT;
gchar *otad_sysroot_get_commit_version (OtadSysroot *self, const gchar *checksum)
    G_GNUC_WARN_UNUSED_RESULT;

gboolean otad_sysroot_resolve_booted (OstreeSysroot *sysroot,
				      const gchar *test_booted,
				      OstreeDeployment **out_booted,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_sysroot_parse_test_booted (const gchar *spec,
					 gchar **checksum,
					 gint *serial,
					 GError **error);

G_END_DECLS
