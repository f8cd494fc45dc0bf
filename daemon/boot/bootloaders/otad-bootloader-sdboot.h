/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-bootloader.h"

G_BEGIN_DECLS

#define OTAD_TYPE_BOOTLOADER_SDBOOT (otad_bootloader_sdboot_get_type ())
G_DECLARE_FINAL_TYPE (OtadBootloaderSdboot, otad_bootloader_sdboot, OTAD, BOOTLOADER_SDBOOT,
                      OtadBootloader)

OtadBootloader *otad_bootloader_sdboot_new (const OtadBootloaderOptions *options,
                                            guint boot_count_limit) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
