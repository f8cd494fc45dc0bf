/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `none` backend: no bootloader fallback.  OSTree's deployment order is
 * all there is, so a broken deployment is only left by otad itself (health
 * checks failing) or by hand.
 */
#define G_LOG_DOMAIN "OtadBootloaderNone"

#include "config.h"

#include "otad-bootloader-none.h"

struct _OtadBootloaderNone {
	OtadBootloader parent_instance;
};

G_DEFINE_TYPE (OtadBootloaderNone, otad_bootloader_none, OTAD_TYPE_BOOTLOADER)

static gboolean
otad_bootloader_none_nothing (OtadBootloader *self, OstreeDeployment *deployment,
                              GCancellable *cancellable, GError **error)
{
	return TRUE;
}

static gboolean
otad_bootloader_none_query (OtadBootloader *self, OstreeDeployment *deployment,
                            OtadBootStatus *out_status, GCancellable *cancellable, GError **error)
{
	/* nothing counts boots and nothing falls back: the defaults say so */
	return TRUE;
}

static void
otad_bootloader_none_class_init (OtadBootloaderNoneClass *klass)
{
	OtadBootloaderClass *bl_class = OTAD_BOOTLOADER_CLASS (klass);

	bl_class->mark_trial_boot = otad_bootloader_none_nothing;
	bl_class->mark_boot_good = otad_bootloader_none_nothing;
	bl_class->clear_trial = otad_bootloader_none_nothing;
	bl_class->query = otad_bootloader_none_query;
}

static void
otad_bootloader_none_init (OtadBootloaderNone *self)
{
}

OtadBootloader *
otad_bootloader_none_new (void)
{
	return g_object_new (OTAD_TYPE_BOOTLOADER_NONE, "name", "none", NULL);
}
