/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-target.h"

G_BEGIN_DECLS

/*
 * aktualizr-lite's choice among the Image repository's targets: those whose
 * custom.hardwareIds contain @hardware_id and, when @tags is not empty, whose custom.tags
 * share one of @tags; the newest by custom.version compared as strverscmp() does
 * (so "10" > "9" and "1.10" > "1.9").  Returns NULL when none match.
 */
OtadTarget *otad_lite_select (OtadTufMetadata *targets, const gchar *hardware_id,
                                     const gchar *const *tags);

/* strverscmp() ordering, as aktualizr-lite compares versions */
gint otad_lite_version_compare (const gchar *a, const gchar *b);

G_END_DECLS
