/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "otad-engine.h"

G_BEGIN_DECLS

/**
 * OtadDaemonOptions:
 * @bus_type: the bus when @bus_address is %NULL
 * @bus_address: (nullable): a bus by address (tests start a private one)
 * @config_file: (nullable): read this file and FILE.d/ instead of the system ones
 * @state_dir: (nullable): the state directory (default: the system one)
 * @sysroot: (nullable): the OSTree sysroot (default: /)
 * @test_booted: (nullable): TEST ONLY: this deployment of a test sysroot is the booted one
 * @activatable: something starts otad again when needed (D-Bus activation,
 *   systemd and its check timer), so it may exit when idle ([daemon] idle-exit-sec)
 *
 * What the command line decides; everything else comes from the configuration.
 */
typedef struct {
	GBusType bus_type;
	const gchar *bus_address;
	const gchar *config_file;
	const gchar *state_dir;
	const gchar *sysroot;
	const gchar *test_booted;
	gboolean activatable;
} OtadDaemonOptions;

/*
 * OtadDaemon: the one composition root.  It reads the configuration, opens the
 * sysroot and the state, makes the long-lived collaborators (HTTP session,
 * bootloader, reporter with the ECU key), the engine, the poller and the bus
 * object, in that order, each from the ones before.  main() and the tests
 * build the daemon only through it.
 */
#define OTAD_TYPE_DAEMON (otad_daemon_get_type ())
G_DECLARE_FINAL_TYPE (OtadDaemon, otad_daemon, OTAD, DAEMON, GObject)

OtadDaemon *otad_daemon_new (const OtadDaemonOptions *options, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_daemon_start (OtadDaemon *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_daemon_stop (OtadDaemon *self);
OtadEngine *otad_daemon_get_engine (OtadDaemon *self);
/* the effective configuration, each value with where it came from (otad --print-config) */
gchar *otad_daemon_describe_config (const OtadDaemonOptions *options, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
