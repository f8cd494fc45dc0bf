#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Stand-in for otad in the bus policy test: owns org.otad.Updater on the bus
at argv[1] and exports the org.otad.Updater1 interface of the XML at argv[2],
plus an interface the bus policy does not open (org.otad.Test).  Prints
"ready" once it owns the name; exits when stdin closes."""

import sys
import threading

from gi.repository import Gio, GLib

address, xml_path = sys.argv[1:3]
conn = Gio.DBusConnection.new_for_address_sync(
    address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
    | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
with open(xml_path, encoding='utf-8') as f:
    updater = Gio.DBusNodeInfo.new_for_xml(f.read()).lookup_interface('org.otad.Updater1')
extra = Gio.DBusNodeInfo.new_for_xml(
    '<node><interface name="org.otad.Test"><method name="Ping"/></interface></node>'
).lookup_interface('org.otad.Test')


def method_call(connection, sender, path, iface, method, params, invocation):
    invocation.return_value(None)


def get_property(connection, sender, path, iface, name):
    return GLib.Variant('s', 'idle') if name == 'State' else None


def set_property(connection, sender, path, iface, name, value):
    print(f'Set {name} reached the service', flush=True)
    return True


conn.register_object('/org/otad/Updater', updater, method_call, get_property, set_property)
conn.register_object('/org/otad/Updater', extra, method_call, None, None)
reply = conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                       'RequestName', GLib.Variant('(su)', ('org.otad.Updater', 4)),
                       GLib.VariantType('(u)'), Gio.DBusCallFlags.NONE, 10000, None)
if reply.unpack()[0] != 1:
    sys.exit(f'RequestName replied {reply.unpack()[0]}')
print('ready', flush=True)

loop = GLib.MainLoop()
threading.Thread(target=lambda: (sys.stdin.read(), GLib.idle_add(loop.quit)), daemon=True).start()
loop.run()
