/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define __OTA_H_INSIDE__

#include "ota-common.h"
#include "ota-enums.h"
#include "ota-error.h"

#undef __OTA_H_INSIDE__
