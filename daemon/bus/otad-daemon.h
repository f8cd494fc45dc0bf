/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "ota-dbus-generated.h"
#include "otad-config.h"
#include "otad-state-store.h"
#include "otad-sysroot.h"

G_BEGIN_DECLS

#define OTAD_TYPE_DAEMON (otad_daemon_get_type ())
G_DECLARE_FINAL_TYPE (OtadDaemon, otad_daemon, OTAD, DAEMON, GObject)

OtadDaemon *otad_daemon_new (OtadConfig *config, OtadStateStore *store, OtadSysroot *sysroot)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_daemon_start (OtadDaemon *self,
			    GBusType bus_type,
			    const gchar *bus_address,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_daemon_stop (OtadDaemon *self);

OtadConfig *otad_daemon_get_config (OtadDaemon *self);
OtadStateStore *otad_daemon_get_state_store (OtadDaemon *self);
OtadSysroot *otad_daemon_get_sysroot (OtadDaemon *self);
OtaDBusUpdater1 *otad_daemon_get_skeleton (OtadDaemon *self);
GDBusConnection *otad_daemon_get_connection (OtadDaemon *self);

G_END_DECLS
