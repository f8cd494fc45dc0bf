/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "otad-engine.h"

G_BEGIN_DECLS

/*
 * OtadBus: otad on D-Bus: one connection, the org.otad.Updater name and the
 * /org/otad/Updater object.  It mirrors the engine's properties and the
 * sysroot's deployment roles onto the Updater1 properties, and hands each
 * method to the engine after the state guard, the options and polkit
 * (otad-bus-methods.c).  Losing the name or the bus emits ::fatal; having
 * been idle for the idle-exit time, unheld, emits ::idle (otad-bus-idle.c).
 */
#define OTAD_TYPE_BUS (otad_bus_get_type ())
G_DECLARE_FINAL_TYPE (OtadBus, otad_bus, OTAD, BUS, GObject)

OtadBus *otad_bus_new (OtadEngine *engine) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_bus_start (OtadBus *self,
			 GBusType bus_type,
			 const gchar *bus_address,
			 GAsyncResult *connecting,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_bus_connect_async (GBusType bus_type,
			     const gchar *bus_address,
			     GAsyncReadyCallback callback,
			     gpointer user_data);
void otad_bus_stop (OtadBus *self);
GDBusConnection *otad_bus_get_connection (OtadBus *self);
void otad_bus_set_idle_exit (OtadBus *self, guint idle_exit_s);

G_END_DECLS
