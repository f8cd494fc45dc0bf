/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-job-context.h"

G_BEGIN_DECLS

/*
 * The device towards the server, before a check asks anything (aktualizr's
 * SotaUptaneClient::initialize and sendDeviceData): provisioned (a failure fails the
 * check: without an identity nothing else works), its primary ECU registered with the
 * Director once, and what the device registry keeps about it queued when it changed.
 */
gboolean otad_job_device_prepare (OtadJobContext *ctx,
				  OstreeSysroot *sysroot,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
