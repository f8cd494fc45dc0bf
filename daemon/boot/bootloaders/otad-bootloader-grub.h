/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-bootloader.h"

G_BEGIN_DECLS

#define OTAD_TYPE_BOOTLOADER_GRUB (otad_bootloader_grub_get_type ())
G_DECLARE_FINAL_TYPE (OtadBootloaderGrub, otad_bootloader_grub, OTAD, BOOTLOADER_GRUB,
                      OtadBootloader)

OtadBootloader *otad_bootloader_grub_new (const OtadBootloaderOptions *options,
                                          guint boot_count_limit) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
