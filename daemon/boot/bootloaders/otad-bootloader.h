/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

G_BEGIN_DECLS

/* how long a bootloader tool may run before it is killed */
#define OTAD_BOOTLOADER_TOOL_TIMEOUT_MS 30000
/* boots a trial deployment gets before the bootloader falls back, unless configured */
#define OTAD_BOOTLOADER_DEFAULT_COUNT_LIMIT 3

/**
 * OtadBootloaderOptions:
 * @backend: `none`, `uboot`, `grub` or `systemd-boot` (config `[boot] backend`)
 * @fw_env_config: uboot: the `fw_env.config` passed as `-c` (%NULL: the tool's default)
 * @fw_printenv: uboot: the fw_printenv program (%NULL: `fw_printenv` from PATH)
 * @fw_setenv: uboot: the fw_setenv program (%NULL: `fw_setenv` from PATH)
 * @grubenv: grub: the environment block file (%NULL: `/boot/grub/grubenv`)
 * @grub_editenv: grub: the editor (%NULL: `grub-editenv` from PATH)
 * @esp: systemd-boot: the directory holding `loader/entries` (%NULL: `/boot`)
 * @boot_count_limit: grub and systemd-boot: boots to try before falling back (0: 3)
 *
 * Backend settings.  The engine fills this from its configuration; every
 * path is overridable so tests can point the backends at files.
 */
typedef struct {
	const gchar *backend;
	const gchar *fw_env_config;
	const gchar *fw_printenv;
	const gchar *fw_setenv;
	const gchar *grubenv;
	const gchar *grub_editenv;
	const gchar *esp;
	guint boot_count_limit;
} OtadBootloaderOptions;

/**
 * OtadBootStatus:
 * @trial_boot: a trial boot of a new deployment is armed or running
 * @rolled_back: the bootloader gave up on the trial deployment and booted the fallback
 * @boot_count: boots counted during the trial; -1 when the backend cannot tell
 *
 * What the bootloader says about the current boot.
 */
typedef struct {
	gboolean trial_boot;
	gboolean rolled_back;
	gint boot_count;
} OtadBootStatus;

#define OTAD_TYPE_BOOTLOADER (otad_bootloader_get_type ())
G_DECLARE_DERIVABLE_TYPE (OtadBootloader, otad_bootloader, OTAD, BOOTLOADER, GObject)

/**
 * OtadBootloaderClass:
 * @mark_trial_boot: a new deployment was installed as the default: arm the
 *   bootloader's fallback (counter, upgrade flag, tries in the entry name)
 * @mark_boot_good: the booted deployment passed its checks: stop counting
 * @clear_trial: the default deployment is a known-good one again (after a
 *   rollback): disarm the fallback and forget a previous fallback
 * @query: read the trial/fallback state; @deployment is the trial deployment
 *   (or %NULL) for backends that keep state per boot entry
 *
 * Backends implement all four; @deployment may be %NULL where no deployment
 * applies, and backends that keep one global environment ignore it.
 */
struct _OtadBootloaderClass {
	GObjectClass parent_class;

	gboolean (*mark_trial_boot) (OtadBootloader *self, OstreeDeployment *deployment,
	                             GCancellable *cancellable, GError **error);
	gboolean (*mark_boot_good) (OtadBootloader *self, OstreeDeployment *deployment,
	                            GCancellable *cancellable, GError **error);
	gboolean (*clear_trial) (OtadBootloader *self, OstreeDeployment *deployment,
	                         GCancellable *cancellable, GError **error);
	gboolean (*query) (OtadBootloader *self, OstreeDeployment *deployment,
	                   OtadBootStatus *out_status, GCancellable *cancellable, GError **error);

	gpointer padding[8];
};

const gchar *otad_bootloader_get_name (OtadBootloader *self);
guint otad_bootloader_get_boot_count_limit (OtadBootloader *self);

gboolean otad_bootloader_mark_trial_boot (OtadBootloader *self, OstreeDeployment *deployment,
                                          GCancellable *cancellable,
                                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_bootloader_mark_boot_good (OtadBootloader *self, OstreeDeployment *deployment,
                                         GCancellable *cancellable,
                                         GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_bootloader_clear_trial (OtadBootloader *self, OstreeDeployment *deployment,
                                      GCancellable *cancellable,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_bootloader_query (OtadBootloader *self, OstreeDeployment *deployment,
                                OtadBootStatus *out_status, GCancellable *cancellable,
                                GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* for backends: the name=value environment a tool prints */
GHashTable *otad_bootloader_read_env (const gchar *const *argv, GCancellable *cancellable,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
