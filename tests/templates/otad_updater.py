# SPDX-License-Identifier: LGPL-2.1-or-later
'''python-dbusmock template for otad (org.otad.Updater1)

Run it on a test bus:

    python3 -m dbusmock --system -t /usr/share/otad/dbusmock/otad_updater.py \
        -p '{"State": "idle", "BootedDeployment": {"osname": "demo", "checksum": "…"}}'

Parameters (all optional): Version (u), State (s), ErrorName (s), ErrorMessage (s),
BootedDeployment, RollbackDeployment, PendingDeployment (dictionaries with the keys
osname, checksum, version, origin (s), serial, index (i), booted, staged, pinned (b);
{} for none), LastCheckTime (t), UpdateInfo (dictionary with the keys name, version,
checksum, correlation-id, hardware-id, uri (s), length, download-size (t)),
DownloadedBytes, DownloadSize, NextCheckTime (t), Progress (u) and Policy (s).

The methods of interface version 2 run a small state machine like otad's:
Check → checking → update-available (UpdateInfo = the offer set with SetOffer) or idle
when there is no offer; Download → downloading with DownloadedBytes/Progress ticks →
downloaded; Install → installing → pending-reboot (the offer becomes
PendingDeployment); Cancel returns to the state before the job; Rollback drops the
pending deployment (→ idle) or makes the rollback deployment pending (→ pending-reboot);
GetHistory returns the entries set with SetHistory plus those the mock recorded (options
limit and since filter them).  Inhibit/Uninhibit keep the Inhibitors property (a mock
inhibitor does not hold a job back and does not end with its caller).  A call
in the wrong state fails with org.otad.Updater1.Error.WrongState.

Extra methods on org.freedesktop.DBus.Mock change the state the way otad does, with
PropertiesChanged:

    SetState(s state, s error_name, s error_message)
    SetDeployment(s role, a{sv} deployment)     role: booted, rollback or pending
    SetLastCheckTime(t seconds)
    SetOffer(a{sv} update_info)       what the next Check finds; {} for nothing new
    SetHistory(aa{sv} entries)        what GetHistory returns (newest first)
    SetAuthorization(s mode)          "yes" (default), "no" (every privileged call
                                      fails with AuthFailed) or "interactive" (only calls
                                      with the option interactive=true are authorised)
    SetJobError(s method, s name, s message)
                                      the next Check/Download/Install job ends in state
                                      error with this ErrorName/ErrorMessage
    SetStepTiming(u steps, u interval_msec)
                                      how many progress ticks a job has and how far apart
                                      (default 4 × 20 ms; a long interval holds the job)
    GetLastOptions(s method) → a{sv}  the options of the last call of @method
'''

import time

import dbus
from gi.repository import GLib

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


UPDATE_INFO_KEYS = {
    'name': dbus.String,
    'version': dbus.String,
    'checksum': dbus.String,
    'length': dbus.UInt64,
    'download-size': dbus.UInt64,
    'correlation-id': dbus.String,
    'hardware-id': dbus.String,
    'uri': dbus.String,
}

HISTORY_KEYS = {
    'time': dbus.UInt64,
    'action': dbus.String,
    'commit': dbus.String,
    'version': dbus.String,
    'success': dbus.Boolean,
    'detail': dbus.String,
    'correlation-id': dbus.String,
    'id': dbus.UInt64,
    'result': dbus.String,
    'name': dbus.String,
    'offer-id': dbus.String,
    'error-name': dbus.String,
    'error-message': dbus.String,
}

# the states each method is allowed in, as documented in org.otad.Updater1.xml
ALLOWED_STATES = {
    'Check': ('idle', 'update-available', 'error', 'rolled-back'),
    'Download': ('update-available',),
    'Install': ('update-available', 'downloaded'),
    'Cancel': ('checking', 'downloading', 'installing'),
    'Rollback': ('idle', 'update-available', 'pending-reboot', 'error', 'rolled-back'),
}

# the options each method knows; otad refuses any other key
KNOWN_OPTIONS = {
    'Check': {'interactive': 'b'},
    'Download': {'interactive': 'b'},
    'Install': {'interactive': 'b'},
    'Rollback': {'interactive': 'b'},
    'GetHistory': {'limit': 'u', 'since': 't'},
    'Inhibit': {'interactive': 'b'},
}


def typed_dict(value, keys, what):
    '''@value with the D-Bus types otad uses for @keys ({} for none).'''
    result = dbus.Dictionary({}, signature='sv')
    for key, val in dict(value or {}).items():
        key = str(key)
        typ = keys.get(key)
        if typ is None:
            raise dbus.exceptions.DBusException(
                'unknown %s key %s' % (what, key), name=ERROR_PREFIX + 'InvalidArgument')
        result[key] = typ(val)
    return result


def update_info_variant(value):
    return typed_dict(value, UPDATE_INFO_KEYS, 'update info')


def history_variant(entries):
    return dbus.Array([typed_dict(e, HISTORY_KEYS, 'history') for e in entries],
                      signature='a{sv}')


def props(mock):
    return mock.props[MAIN_IFACE]


def dbus_error(name, message):
    return dbus.exceptions.DBusException(message, name=ERROR_PREFIX + name)


def check_call(mock, method, options):
    '''The checks otad makes before it starts a job, in its order: state, options,
    polkit.'''
    state = str(props(mock)['State'])
    allowed = ALLOWED_STATES.get(method)
    if allowed is not None and state not in allowed:
        raise dbus_error('WrongState', "Can't call %s() while in state %s" % (method, state))
    known = KNOWN_OPTIONS.get(method, {})
    mock.otad['options'][method] = dbus.Dictionary(options or {}, signature='sv')
    for key, value in (options or {}).items():
        if key not in known:
            raise dbus_error('InvalidArgument', 'unknown option “%s”' % key)
        if known[key] == 'b' and not isinstance(value, dbus.Boolean):
            raise dbus_error('InvalidArgument', 'option “%s” must be a boolean' % key)
        if known[key] == 'u' and not isinstance(value, dbus.UInt32):
            raise dbus_error('InvalidArgument', 'option “%s” must be a u' % key)
        if known[key] == 't' and not isinstance(value, dbus.UInt64):
            raise dbus_error('InvalidArgument', 'option “%s” must be a t' % key)
    if method != 'GetHistory':
        auth = mock.otad['authorization']
        interactive = bool((options or {}).get('interactive', False))
        if auth == 'no' or (auth == 'interactive' and not interactive and method != 'Cancel'):
            raise dbus_error('AuthFailed', 'not authorized')


def set_progress(mock, downloaded, size, progress):
    emit_changed(mock, {
        'DownloadedBytes': dbus.UInt64(downloaded),
        'DownloadSize': dbus.UInt64(size),
        'Progress': dbus.UInt32(progress),
    })


def job_finished(mock, method, result, details=None):
    '''JobFinished(s job, s result, a{sv} details), sent from interface version 4 on, after
    the state (as otad flushes its properties before the signal).'''
    if int(props(mock)['Version']) < 4:
        return
    mock.EmitSignal(MAIN_IFACE, 'JobFinished', 'ssa{sv}',
                    [method.lower(), result, dbus.Dictionary(details or {}, signature='sv')])


def start_job(mock, method, state, finish):
    '''Moves to @state and ticks progress; @finish(mock) runs after the last tick.'''
    job = {'method': method, 'prev_state': str(props(mock)['State']), 'step': 0}
    mock.otad['job'] = job
    steps = mock.otad['steps']
    offer = props(mock)['UpdateInfo']
    size = int(offer.get('download-size', 0)) if method == 'Download' else 0
    # the new state and the reset progress in one PropertiesChanged, as otad does
    emit_changed(mock, {'State': dbus.String(state), 'ErrorName': dbus.String(''),
                        'ErrorMessage': dbus.String(''),
                        'DownloadedBytes': dbus.UInt64(0), 'DownloadSize': dbus.UInt64(size),
                        'Progress': dbus.UInt32(0)})

    def tick():
        if mock.otad.get('job') is not job:
            return False
        job['step'] += 1
        if method in ('Download', 'Install') and job['step'] <= steps:
            set_progress(mock, size * job['step'] // steps, size, 100 * job['step'] // steps)
        if job['step'] < steps:
            return True
        job['source'] = 0
        mock.otad['job'] = None
        error = mock.otad['job_errors'].pop(method, None)
        if error is not None:
            emit_changed(mock, {'State': dbus.String('error'),
                                'ErrorName': dbus.String(ERROR_PREFIX + error[0]),
                                'ErrorMessage': dbus.String(error[1])})
            job_finished(mock, method, 'failed',
                         {'error-name': dbus.String(ERROR_PREFIX + error[0]),
                          'error-message': dbus.String(error[1])})
            return False
        finish(mock)
        job_finished(mock, method, 'success')
        return False

    job['source'] = GLib.timeout_add(mock.otad['interval'], tick)


def record(mock, action, success, detail):
    offer = props(mock)['UpdateInfo']
    mock.otad['history'].insert(0, {
        'time': int(time.time()), 'action': action,
        'commit': str(offer.get('checksum', '')), 'version': str(offer.get('version', '')),
        'success': success, 'detail': detail,
        'correlation-id': str(offer.get('correlation-id', '')),
        'result': 'succeeded' if success else 'failed',
    })


def load(mock, parameters):
    state = parameters.get('State', 'idle')
    check_state(state)
    props = {
        'Version': dbus.UInt32(parameters.get('Version', 2)),
        'State': dbus.String(state),
        'ErrorName': dbus.String(parameters.get('ErrorName', '')),
        'ErrorMessage': dbus.String(parameters.get('ErrorMessage', '')),
        'BootedDeployment': deployment_variant(parameters.get('BootedDeployment',
                                                              DEFAULT_BOOTED)),
        'RollbackDeployment': deployment_variant(parameters.get('RollbackDeployment',
                                                                DEFAULT_ROLLBACK)),
        'PendingDeployment': deployment_variant(parameters.get('PendingDeployment', {})),
        'LastCheckTime': dbus.UInt64(parameters.get('LastCheckTime', 0)),
        'UpdateInfo': update_info_variant(parameters.get('UpdateInfo', {})),
        'DownloadedBytes': dbus.UInt64(parameters.get('DownloadedBytes', 0)),
        'DownloadSize': dbus.UInt64(parameters.get('DownloadSize', 0)),
        'Progress': dbus.UInt32(parameters.get('Progress', 0)),
        'Policy': dbus.String(parameters.get('Policy', 'manual')),
        'NextCheckTime': dbus.UInt64(parameters.get('NextCheckTime', 0)),
        'Inhibitors': dbus.Array([], signature='(uss)'),
        'Waiting': dbus.String(''),
    }
    mock.otad = {
        'offer': dbus.Dictionary({}, signature='sv'),
        'history': [],
        'authorization': 'yes',
        'job_errors': {},
        'steps': 4,
        'interval': 20,
        'job': None,
        'options': {},
        'next_inhibitor': 0,
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


@dbus.service.method(MOCK_IFACE, in_signature='a{sv}', out_signature='')
def SetOffer(self, update_info):
    '''What the next Check finds ({} for nothing new).'''
    self.otad['offer'] = update_info_variant(update_info)


@dbus.service.method(MOCK_IFACE, in_signature='aa{sv}', out_signature='')
def SetHistory(self, entries):
    '''The entries GetHistory returns, newest first.'''
    history_variant(entries)
    self.otad['history'] = [dict(e) for e in entries]


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def SetAuthorization(self, mode):
    '''"yes", "no" or "interactive": what polkit would answer.'''
    if mode not in ('yes', 'no', 'interactive'):
        raise dbus_error('InvalidArgument', 'unknown authorization mode %s' % mode)
    self.otad['authorization'] = str(mode)


@dbus.service.method(MOCK_IFACE, in_signature='sss', out_signature='')
def SetJobError(self, method, name, message):
    '''The next job of @method ends in state error with ErrorName @name.'''
    if method not in ('Check', 'Download', 'Install'):
        raise dbus_error('InvalidArgument', 'no job for %s' % method)
    self.otad['job_errors'][str(method)] = (str(name), str(message))


@dbus.service.method(MOCK_IFACE, in_signature='uu', out_signature='')
def SetStepTiming(self, steps, interval_msec):
    '''Progress ticks per job and the time between them.'''
    self.otad['steps'] = max(1, int(steps))
    self.otad['interval'] = max(1, int(interval_msec))


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='a{sv}')
def GetLastOptions(self, method):
    '''The options of the last call of @method ({} when none).'''
    return self.otad['options'].get(str(method), dbus.Dictionary({}, signature='sv'))


def finish_check(mock):
    offer = mock.otad['offer']
    emit_changed(mock, {
        'UpdateInfo': update_info_variant(offer),
        'LastCheckTime': dbus.UInt64(int(time.time())),
        'State': dbus.String('update-available' if offer else 'idle'),
    })


def finish_download(mock):
    emit_changed(mock, {'State': dbus.String('downloaded')})


def finish_install(mock):
    offer = props(mock)['UpdateInfo']
    booted = props(mock)['BootedDeployment']
    pending = {
        'osname': str(booted.get('osname', 'demo')), 'checksum': str(offer.get('checksum', '')),
        'version': str(offer.get('version', '')), 'origin': str(booted.get('origin', '')),
        'serial': 0, 'index': 0, 'booted': False, 'staged': True, 'pinned': False,
    }
    record(mock, 'install', True, '')
    emit_changed(mock, {'PendingDeployment': deployment_variant(pending),
                        'State': dbus.String('pending-reboot')})


@dbus.service.method(MAIN_IFACE, in_signature='a{sv}', out_signature='')
def Check(self, options):
    '''Starts a check; see the module documentation.'''
    check_call(self, 'Check', options)
    start_job(self, 'Check', 'checking', finish_check)


@dbus.service.method(MAIN_IFACE, in_signature='a{sv}', out_signature='')
def Download(self, options):
    '''Starts a download of UpdateInfo.'''
    check_call(self, 'Download', options)
    start_job(self, 'Download', 'downloading', finish_download)


@dbus.service.method(MAIN_IFACE, in_signature='a{sv}', out_signature='')
def Install(self, options):
    '''Deploys UpdateInfo (downloading first from update-available).'''
    check_call(self, 'Install', options)
    start_job(self, 'Install', 'installing', finish_install)


@dbus.service.method(MAIN_IFACE, in_signature='', out_signature='')
def Cancel(self):
    '''Stops the running job; the state returns to where it was.'''
    check_call(self, 'Cancel', {})
    job = self.otad['job']
    if job is not None:
        if job.get('source'):
            GLib.source_remove(job['source'])
        self.otad['job'] = None
        set_progress(self, 0, 0, 0)
        emit_changed(self, {'State': dbus.String(job['prev_state'])})
        # after the reply, as otad's job thread ends after Cancel() answered
        GLib.idle_add(lambda: job_finished(self, job['method'], 'cancelled') and False)


@dbus.service.method(MAIN_IFACE, in_signature='a{sv}', out_signature='')
def Rollback(self, options):
    '''Drops the pending deployment, or makes the rollback one boot next.'''
    check_call(self, 'Rollback', options)
    pending = props(self)['PendingDeployment']
    rollback = props(self)['RollbackDeployment']
    if pending:
        self.otad['history'].insert(0, {
            'time': int(time.time()), 'action': 'rollback',
            'commit': str(pending.get('checksum', '')), 'version': str(pending.get('version', '')),
            'success': True, 'detail': 'pending deployment dropped', 'correlation-id': ''})
        emit_changed(self, {'PendingDeployment': deployment_variant({}),
                            'State': dbus.String('idle')})
        GLib.idle_add(lambda: job_finished(self, 'Rollback', 'success') and False)
        return
    if not rollback:
        raise dbus_error('NotFound', 'there is no rollback deployment')
    booted = props(self)['BootedDeployment']
    self.otad['history'].insert(0, {
        'time': int(time.time()), 'action': 'rollback',
        'commit': str(booted.get('checksum', '')), 'version': str(booted.get('version', '')),
        'success': True, 'detail': '', 'correlation-id': ''})
    new_pending = dict(rollback, index=0)
    emit_changed(self, {'PendingDeployment': deployment_variant(new_pending),
                        'RollbackDeployment': deployment_variant(dict(booted, index=1)),
                        'State': dbus.String('pending-reboot')})
    GLib.idle_add(lambda: job_finished(self, 'Rollback', 'success') and False)


@dbus.service.method(MAIN_IFACE, in_signature='a{sv}', out_signature='aa{sv}')
def GetHistory(self, options):
    '''The recorded history, newest first.'''
    check_call(self, 'GetHistory', options)
    entries = [e for e in self.otad['history']
               if int(e.get('time', 0)) >= int(options.get('since', 0))]
    limit = int(options.get('limit', 0))
    return history_variant(entries[:limit] if limit else entries)


@dbus.service.method(MAIN_IFACE, in_signature='sa{sv}', out_signature='u',
                     sender_keyword='sender')
def Inhibit(self, reason, options, sender=None):
    '''Adds an inhibitor of the caller to Inhibitors.'''
    if not reason or len(reason) > 256 or '\n' in reason:
        raise dbus_error('InvalidArgument', 'the reason must be one line of 1 to 256 bytes')
    check_call(self, 'Inhibit', options)
    self.otad['next_inhibitor'] += 1
    handle = self.otad['next_inhibitor']
    inhibitors = list(props(self)['Inhibitors'])
    inhibitors.append(dbus.Struct((dbus.UInt32(handle), dbus.String(sender or ''),
                                   dbus.String(reason)), signature='uss'))
    emit_changed(self, {'Inhibitors': dbus.Array(inhibitors, signature='(uss)')})
    return dbus.UInt32(handle)


@dbus.service.method(MAIN_IFACE, in_signature='u', out_signature='',
                     sender_keyword='sender')
def Uninhibit(self, handle, sender=None):
    '''Removes an inhibitor of the caller.'''
    inhibitors = list(props(self)['Inhibitors'])
    kept = [i for i in inhibitors if not (int(i[0]) == int(handle) and str(i[1]) == sender)]
    if len(kept) == len(inhibitors):
        raise dbus_error('NotFound', 'no inhibitor %u of this caller' % handle)
    emit_changed(self, {'Inhibitors': dbus.Array(kept, signature='(uss)')})
