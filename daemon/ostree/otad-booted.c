/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which deployment is running, for workers that hold a plain OstreeSysroot.
 * The test-only override (--test-booted-deployment) has one implementation,
 * in otad-sysroot.c; this keeps the boot-control call sites short.
 */
#define G_LOG_DOMAIN "OtadBooted"

#include "config.h"

#include "otad-booted.h"
#include "otad-sysroot.h"

gboolean
otad_booted_parse_test_spec (const gchar *spec, gchar **out_commit, gint *out_serial,
			     GError **error)
{
	return otad_sysroot_parse_test_booted (spec, out_commit, out_serial, error);
}

/**
 * otad_booted_get_deployment:
 * @test_booted: (nullable): the test-only CHECKSUM[.SERIAL] override
 *
 * Returns: (transfer full) (nullable): the booted deployment; %NULL with @error unset
 *   when the sysroot is not booted and no override names one
 */
OstreeDeployment *
otad_booted_get_deployment (OstreeSysroot *sysroot, const gchar *test_booted, GError **error)
{
	OstreeDeployment *booted = NULL;

	if (!otad_sysroot_resolve_booted (sysroot, test_booted, &booted, error))
		return NULL;
	return booted;
}
