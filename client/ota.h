/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* the one header applications include: #include <ota.h> with pkg-config ota-1 */

#define __OTA_H_INSIDE__

#include "ota-client-schedule.h"
#include "ota-client-sync.h"
#include "ota-client.h"
#include "ota-common.h"
#include "ota-deployment.h"
#include "ota-enum-types.h"
#include "ota-enums.h"
#include "ota-error.h"
#include "ota-history-entry.h"
#include "ota-update-info.h"
#include "ota-version.h"

#undef __OTA_H_INSIDE__
