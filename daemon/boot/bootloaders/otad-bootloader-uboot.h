/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-bootloader.h"

G_BEGIN_DECLS

#define OTAD_TYPE_BOOTLOADER_UBOOT (otad_bootloader_uboot_get_type ())
G_DECLARE_FINAL_TYPE (OtadBootloaderUboot, otad_bootloader_uboot, OTAD, BOOTLOADER_UBOOT,
                      OtadBootloader)

OtadBootloader *otad_bootloader_uboot_new (const OtadBootloaderOptions *options,
                                           guint boot_count_limit) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
