/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-bootloader.h"

G_BEGIN_DECLS

OtadBootloader *otad_bootloaders_new (const OtadBootloaderOptions *options,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
