# SPDX-License-Identifier: LGPL-2.1-or-later
'''python-dbusmock template for otad (org.otad.Updater1)

Run it on a test bus:

    python3 -m dbusmock --system -t /usr/share/otad/dbusmock/otad_updater.py \
        -p '{"State": "idle", "BootedDeployment": {"osname": "demo", "checksum": "…"}}'

Parameters (all optional): Version (u), State (s), ErrorName (s), ErrorMessage (s),
BootedDeployment, RollbackDeployment, PendingDeployment (dictionaries with the keys
osname, checksum, version, origin (s), serial, index (i), booted, staged, pinned (b);
{} for none) and LastCheckTime (t).

Extra methods on org.freedesktop.DBus.Mock change the state the way otad does, with
PropertiesChanged:

    SetState(s state, s error_name, s error_message)
    SetDeployment(s role, a{sv} deployment)     role: booted, rollback or pending
    SetLastCheckTime(t seconds)
'''

import dbus

from dbusmock import MOCK_IFACE

BUS_NAME = 'org.otad.Updater'
MAIN_OBJ = '/org/otad/Updater'
MAIN_IFACE = 'org.otad.Updater1'
SYSTEM_BUS = True
IS_OBJECT_MANAGER = False

STATES = ['idle', 'checking', 'update-available', 'awaiting-consent', 'downloading',
          'downloaded', 'installing', 'pending-reboot', 'confirming', 'rolled-back', 'error']

ERROR_PREFIX = 'org.otad.Updater1.Error.'

DEPLOYMENT_ROLES = {
    'booted': 'BootedDeployment',
    'rollback': 'RollbackDeployment',
    'pending': 'PendingDeployment',
}

DEPLOYMENT_KEYS = {
    'osname': dbus.String,
    'checksum': dbus.String,
    'version': dbus.String,
    'origin': dbus.String,
    'serial': dbus.Int32,
    'index': dbus.Int32,
    'booted': dbus.Boolean,
    'staged': dbus.Boolean,
    'pinned': dbus.Boolean,
}

DEFAULT_BOOTED = {
    'osname': 'demo',
    'checksum': 'a' * 64,
    'version': '1.0',
    'origin': 'demo:demo/x86_64',
    'serial': 0,
    'index': 0,
    'booted': True,
    'staged': False,
    'pinned': False,
}

DEFAULT_ROLLBACK = {
    'osname': 'demo',
    'checksum': 'b' * 64,
    'version': '0.9',
    'origin': 'demo:demo/x86_64',
    'serial': 0,
    'index': 1,
    'booted': False,
    'staged': False,
    'pinned': False,
}


def deployment_variant(value):
    '''A deployment dictionary with the D-Bus types otad uses ({} for none).'''
    result = dbus.Dictionary({}, signature='sv')
    for key, val in dict(value or {}).items():
        key = str(key)
        typ = DEPLOYMENT_KEYS.get(key)
        if typ is None:
            raise dbus.exceptions.DBusException(
                'unknown deployment key %s' % key, name=ERROR_PREFIX + 'InvalidArgument')
        result[key] = typ(val)
    return result


def emit_changed(mock, changed):
    '''Store @changed and announce it with PropertiesChanged, as otad does.'''
    # dbusmock's UpdateProperties() can't wrap dictionary values, so do it here
    for name, value in changed.items():
        mock.props[MAIN_IFACE][name] = value
    mock.EmitSignal('org.freedesktop.DBus.Properties', 'PropertiesChanged', 'sa{sv}as',
                    [MAIN_IFACE, dbus.Dictionary(changed, signature='sv'),
                     dbus.Array([], signature='s')])


def check_state(state):
    if state not in STATES:
        raise dbus.exceptions.DBusException(
            'unknown state %s' % state, name=ERROR_PREFIX + 'InvalidArgument')


def load(mock, parameters):
    state = parameters.get('State', 'idle')
    check_state(state)
    props = {
        'Version': dbus.UInt32(parameters.get('Version', 1)),
        'State': dbus.String(state),
        'ErrorName': dbus.String(parameters.get('ErrorName', '')),
        'ErrorMessage': dbus.String(parameters.get('ErrorMessage', '')),
        'BootedDeployment': deployment_variant(parameters.get('BootedDeployment',
                                                              DEFAULT_BOOTED)),
        'RollbackDeployment': deployment_variant(parameters.get('RollbackDeployment',
                                                                DEFAULT_ROLLBACK)),
        'PendingDeployment': deployment_variant(parameters.get('PendingDeployment', {})),
        'LastCheckTime': dbus.UInt64(parameters.get('LastCheckTime', 0)),
    }
    mock.AddProperties(MAIN_IFACE, dbus.Dictionary(props, signature='sv'))


@dbus.service.method(MOCK_IFACE, in_signature='sss', out_signature='')
def SetState(self, state, error_name, error_message):
    '''Change State, ErrorName and ErrorMessage at once, as otad does.'''
    check_state(state)
    if error_name and not error_name.startswith(ERROR_PREFIX):
        raise dbus.exceptions.DBusException(
            'error names start with ' + ERROR_PREFIX, name=ERROR_PREFIX + 'InvalidArgument')
    emit_changed(self, {
        'State': dbus.String(state),
        'ErrorName': dbus.String(error_name),
        'ErrorMessage': dbus.String(error_message),
    })


@dbus.service.method(MOCK_IFACE, in_signature='sa{sv}', out_signature='')
def SetDeployment(self, role, deployment):
    '''Replace the booted, rollback or pending deployment ({} for none).'''
    prop = DEPLOYMENT_ROLES.get(role)
    if prop is None:
        raise dbus.exceptions.DBusException(
            'unknown role %s' % role, name=ERROR_PREFIX + 'InvalidArgument')
    emit_changed(self, {prop: deployment_variant(deployment)})


@dbus.service.method(MOCK_IFACE, in_signature='t', out_signature='')
def SetLastCheckTime(self, seconds):
    '''Change LastCheckTime (seconds since the epoch, 0 for never).'''
    emit_changed(self, {'LastCheckTime': dbus.UInt64(seconds)})
