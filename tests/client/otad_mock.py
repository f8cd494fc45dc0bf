# SPDX-License-Identifier: LGPL-2.1-or-later
'''Shared helpers for the Python tests of libota and otactl: a private system bus
with python-dbusmock's otad template (tests/templates/otad_updater.py) on it.'''

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'require'))
from requiretool import require_module, require_program, require_typelib  # noqa: E402

# python-dbusmock starts its own dbus-daemon; a missing piece ends the test with one
# line naming the Debian package (import otad_mock before dbus in the test scripts)
require_program('dbus-daemon', 'dbus-daemon')
require_module('dbus', 'python3-dbus')
require_module('dbusmock', 'python3-dbusmock')
require_typelib('GLib', '2.0', 'gir1.2-glib-2.0')   # the template's main loop

import dbus  # noqa: E402
import dbusmock  # noqa: E402

TEMPLATE = os.environ.get('OTA_TEST_TEMPLATE') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', 'templates', 'otad_updater.py')
BUS_NAME = 'org.otad.Updater'
OBJ_PATH = '/org/otad/Updater'

BOOTED = {
    'osname': 'demo', 'checksum': '1' * 64, 'version': '1.0', 'serial': 0, 'index': 1,
    'origin': 'demo:demo/x86_64', 'booted': True, 'staged': False, 'pinned': False,
}
ROLLBACK = {
    'osname': 'demo', 'checksum': '2' * 64, 'version': '0.9', 'serial': 2, 'index': 2,
    'origin': 'demo:demo/x86_64', 'booted': False, 'staged': False, 'pinned': True,
}
PENDING = {
    'osname': 'demo', 'checksum': '3' * 64, 'version': '2.0', 'serial': 0, 'index': 0,
    'origin': 'demo:demo/x86_64', 'booted': False, 'staged': True, 'pinned': False,
}
PARAMS = {
    'Version': 1, 'State': 'pending-reboot', 'LastCheckTime': 1767225600,
    'BootedDeployment': BOOTED, 'RollbackDeployment': ROLLBACK, 'PendingDeployment': PENDING,
}


class OtadMockTestCase(dbusmock.DBusTestCase):
    '''Each test class gets a private system bus; each test may start the mock.'''

    @classmethod
    def setUpClass(cls):
        # LD_PRELOAD (libasan for an ASan libota in this process) is not for children
        os.environ.pop('LD_PRELOAD', None)
        cls.start_system_bus()
        cls.bus_address = os.environ['DBUS_SYSTEM_BUS_ADDRESS']
        cls.dbus_con = cls.get_dbus(system_bus=True)

    def setUp(self):
        self.mock_proc = None
        self.mock_obj = None

    def tearDown(self):
        self.stop_mock()

    def start_mock(self, params=None):
        params = PARAMS if params is None else params
        # dbus-python can't guess a{sv} for the mixed-type deployment dictionaries
        typed = dbus.Dictionary({}, signature='sv')
        for key, value in params.items():
            typed[key] = dbus.Dictionary(value, signature='sv') if isinstance(value, dict) \
                else value
        self.mock_proc, self.mock_obj = self.spawn_server_template(
            TEMPLATE, typed, stdout=subprocess.DEVNULL, system_bus=True)

    def stop_mock(self):
        if self.mock_proc is None:
            return
        self.mock_proc.terminate()
        self.mock_proc.wait()
        self.mock_proc = None
        self.mock_obj = None
        self.wait_for_owner(False)

    def name_has_owner(self):
        bus = dbus.Interface(self.dbus_con.get_object('org.freedesktop.DBus',
                                                      '/org/freedesktop/DBus'),
                             'org.freedesktop.DBus')
        return bool(bus.NameHasOwner(BUS_NAME))

    def wait_for_owner(self, want):
        # bounded: 400 × 50 ms
        for _ in range(400):
            if self.name_has_owner() == want:
                return
            time.sleep(0.05)
        self.assertEqual(self.name_has_owner(), want)

    def mock_call(self, method, *args):
        getattr(self.mock_obj, method)(*args, dbus_interface=dbusmock.MOCK_IFACE)
