/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadBootloader"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-bootloader-grub.h"
#include "otad-bootloader-none.h"
#include "otad-bootloader-sdboot.h"
#include "otad-bootloader-uboot.h"
#include "otad-bootloaders.h"

/* the backends by name: a new bootloader adds its file, a line here and its
 * name to the [boot] backend choices of the configuration schema */

/**
 * otad_bootloaders_new:
 * @options: backend name and settings
 * @error: return location for a #GError
 *
 * Creates the backend named in @options.  An unknown name is
 * %OTA_ERROR_INVALID_CONFIG; nothing is run yet.
 *
 * Returns: (transfer full): the backend, or %NULL
 */
OtadBootloader *
otad_bootloaders_new (const OtadBootloaderOptions *options, GError **error)
{
	const gchar *backend = options->backend != NULL ? options->backend : "none";
	guint limit = options->boot_count_limit;

	if (limit == 0)
		limit = OTAD_BOOTLOADER_DEFAULT_COUNT_LIMIT;
	if (limit > 100) {
		g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
		             _("boot count limit %u is out of range (1-100)"), limit);
		return NULL;
	}
	if (g_strcmp0 (backend, "none") == 0)
		return otad_bootloader_none_new ();
	if (g_strcmp0 (backend, "uboot") == 0)
		return otad_bootloader_uboot_new (options, limit);
	if (g_strcmp0 (backend, "grub") == 0)
		return otad_bootloader_grub_new (options, limit);
	if (g_strcmp0 (backend, "systemd-boot") == 0)
		return otad_bootloader_sdboot_new (options, limit);
	g_set_error (
	    error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
	    _("unknown bootloader backend '%s' (expected none, uboot, grub or systemd-boot)"),
	    backend);
	return NULL;
}
