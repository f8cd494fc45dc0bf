/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

#include "otad-boot-record.h"
#include "otad-bootloader.h"

G_BEGIN_DECLS

gboolean otad_boot_record_rebuild (OtadBootRecord *record, OstreeSysroot *sysroot,
                                   OstreeDeployment *booted, OtadBootloader *bootloader,
                                   const gchar *boot_id, const OtadBootPending *remembered,
                                   GCancellable *cancellable,
                                   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
