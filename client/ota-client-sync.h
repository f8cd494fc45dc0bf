/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ota-client.h"

G_BEGIN_DECLS

gboolean ota_client_connect_sync (OtaClient *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
