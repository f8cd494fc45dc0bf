/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ota-dbus-generated.h"
#include "otad-authority.h"
#include "otad-bus.h"

G_BEGIN_DECLS

/* shared by otad-bus.c (connection, name, properties) and otad-bus-methods.c */
struct _OtadBus {
	GObject parent_instance;
	OtadEngine *engine;	     /* (owned) */
	OtadSysroot *sysroot;	     /* (owned) */
	OtaDBusUpdater1 *skeleton;   /* (owned) */
	GDBusConnection *connection; /* (owned) (nullable) */
	OtadAuthority *authority;    /* (owned) (nullable) made on the first call */
	guint owner_id;
	gboolean name_acquired;
	gboolean name_lost;
	gboolean system_bus; /* the real system bus, not an address */
	gulong closed_id;
	/* otad-bus-idle.c */
	GHashTable *holds; /* (owned) handle → OtadBusHold */
	guint next_hold;
	guint idle_exit_s;
	guint idle_id;
	/* otad-bus-inhibit.c */
	GHashTable *inhibit_watches; /* (owned) owner → name watch id */
};

void otad_bus_methods_connect (OtadBus *self);
void otad_bus_schedule_connect (OtadBus *self);
void otad_bus_schedule_refresh (OtadBus *self);
void otad_bus_idle_init (OtadBus *self);
void otad_bus_idle_update (OtadBus *self);
void otad_bus_idle_clear (OtadBus *self);
void otad_bus_inhibit_init (OtadBus *self);
void otad_bus_inhibit_clear (OtadBus *self);
OtadAuthority *otad_bus_ensure_authority (OtadBus *self, GError **error);

G_END_DECLS
