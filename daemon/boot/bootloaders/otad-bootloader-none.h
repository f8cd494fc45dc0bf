/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-bootloader.h"

G_BEGIN_DECLS

#define OTAD_TYPE_BOOTLOADER_NONE (otad_bootloader_none_get_type ())
G_DECLARE_FINAL_TYPE (OtadBootloaderNone, otad_bootloader_none, OTAD, BOOTLOADER_NONE,
                      OtadBootloader)

OtadBootloader *otad_bootloader_none_new (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
