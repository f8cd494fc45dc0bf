/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The fixture of test-otad-boot-confirm.c: A deployed on a real sysroot with a real
 * bootloader environment (U-Boot, GRUB or systemd-boot), the boot record, health
 * checks, and hooks that count what otad_boot_confirm_run() asked for. */

#include <glib/gstdio.h>
#include <string.h>

#include "ota-error.h"
#include "otad-boot-confirm.h"
#include "otad-bootloaders.h"
#include "otad-booted.h"
#include "otad-deploy.h"
#include "otad-boot-test.h"
#include "otad-test-require.h"
#include "otad-test-sysroot.h"

typedef struct {
	OtadBootTestSysroot *ts;
	OstreeSysroot *sysroot; /* (nullable) opened and locked as the engine does */
	const gchar *backend;   /* uboot, grub or systemd-boot */
	gchar *fw_env_config;
	gchar *grubenv;
	gchar *esp;
	gchar *health_dir;
	const gchar *health_dirs[2];
	OtadHealthOptions health;
	OtadBootloader *bootloader;
	OtadBootRecord *record;
	gchar *record_path;
	OtadBootConfirmHooks hooks;
	/* what the hooks saw */
	guint reports;
	gboolean last_success;
	OtadBootConfirmOutcome last_outcome;
	gchar *last_detail;
	gchar *last_correlation_id;
	guint prunes;
	gboolean prune_requested;
	guint reboots;
} Fixture;

#define assert_env(f, name, value)                                                                 \
	G_STMT_START                                                                               \
	{                                                                                          \
		g_autofree gchar *v_ = otad_boot_test_uboot_get ((f)->fw_env_config, name);        \
		g_assert_cmpstr (v_, ==, value);                                                   \
	}                                                                                          \
	G_STMT_END

#define assert_layout(f, expected)                                                                 \
	G_STMT_START                                                                               \
	{                                                                                          \
		g_autofree gchar *l_ = otad_boot_test_sysroot_describe ((f)->ts);                  \
		g_assert_cmpstr (l_, ==, expected);                                                \
	}                                                                                          \
	G_STMT_END

void fixture_setup (Fixture *f, gconstpointer data);
void fixture_teardown (Fixture *f, gconstpointer data);
gboolean is_armed (Fixture *f);
OstreeDeployment *restart (Fixture *f, const gchar *commit);
OtadBootConfirmResult *boot_and_confirm (Fixture *f, const gchar *commit, const gchar *boot_id,
				       GError **error);
void install_b (Fixture *f);
