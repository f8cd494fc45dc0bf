#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A minimal HMI for otad, through libota's GObject Introspection binding
(Ota-1.0): find the update on offer (checking when there is none), show it with
its size and release notes, ask the user, answer with the offer id that was
shown, then follow the progress until the update waits for its reboot.

While another program holds an inhibitor (otad's Waiting property says
"inhibited"), the HMI says that the installation waits and keeps waiting: the
install starts by itself once the inhibitor is gone.

    examples/hmi.py [--bus-address ADDRESS] [--yes | --no] [--timeout SECONDS]

Without --yes/--no the answer is read from standard input (y or n).
Exit status: 0 installed (reboot pending) or declined, 1 failed, 2 usage,
77 no update on offer.
"""

import argparse
import sys

import gi
gi.require_version('Ota', '1.0')
from gi.repository import GLib, Ota  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_UPDATE = 0, 1, 2, 77
FLAGS = Ota.ClientFlags.NONE


class Hmi:
    def __init__(self, client, timeout):
        self.client = client
        self.loop = GLib.MainLoop()
        self.timeout = timeout
        self.last_line = None
        self.said_waiting = False

    # -- waiting for otad ------------------------------------------------------------

    def wait_until(self, done):
        """run the main loop until done() holds (checked on every property change)"""
        if done():
            return True
        timed_out = []

        def on_notify(*_):
            self.show_progress()
            if done():
                self.loop.quit()

        def on_timeout():
            timed_out.append(True)
            self.loop.quit()
            return GLib.SOURCE_REMOVE

        handler = self.client.connect('notify', on_notify)
        source = GLib.timeout_add_seconds(self.timeout, on_timeout)
        # the install may wait for an inhibitor: Waiting is not mirrored by
        # libota, so ask for it every half second while the state stands still
        poll = GLib.timeout_add(500, self.check_waiting)
        self.loop.run()
        GLib.source_remove(poll)
        if not timed_out:
            GLib.source_remove(source)
        self.client.disconnect(handler)
        return not timed_out

    def state(self):
        return Ota.state_to_string(self.client.get_state())

    def waiting(self):
        """otad's Waiting property: why an install asked for has not started"""
        try:
            reply = self.client.get_connection().call_sync(
                'org.otad.Updater', '/org/otad/Updater', 'org.freedesktop.DBus.Properties',
                'Get', GLib.Variant('(ss)', ('org.otad.Updater1', 'Waiting')),
                GLib.VariantType('(v)'), 0, 5000, None)
            return reply.unpack()[0]
        except GLib.Error:
            return ''   # an otad before interface version 4

    def check_waiting(self):
        if self.state() == 'downloaded' and self.waiting() == 'inhibited':
            if not self.said_waiting:
                print('Waiting: the installation is held back by an inhibitor; '
                      'it starts when that is released.', flush=True)
                self.said_waiting = True
        return GLib.SOURCE_CONTINUE

    # -- showing ---------------------------------------------------------------------

    def show_offer(self, info):
        size = info.get_download_size()
        print(f'Update available: {info.get_label() or info.get_name()}')
        print(f'  Version: {info.get_version() or "(none)"}')
        print('  Download size: ' + (GLib.format_size(size) if size else 'unknown'))
        notes = info.get_release_notes()
        if notes:
            print('  Release notes:')
            for line in notes.splitlines():
                print('    ' + line)
        sys.stdout.flush()

    def show_progress(self):
        phase = self.client.get_progress_phase()
        if not phase:
            return
        line = f'{phase}: {self.client.get_progress()}%'
        total = self.client.get_download_size()
        if total and phase in ('preparing', 'downloading', 'applying', 'verifying'):
            line += (f' ({GLib.format_size(self.client.get_downloaded_bytes())}'
                     f' of {GLib.format_size(total)})')
        if line != self.last_line:
            print(line, flush=True)
            self.last_line = line

    # -- the flow --------------------------------------------------------------------

    def find_offer(self):
        if self.state() not in ('update-available', 'awaiting-consent', 'downloaded'):
            # check_sync() returns when the check has finished (libota 0.4 with otad's
            # JobFinished); the client's properties follow when this main context runs:
            # a state after checking, or a new LastCheckTime when they came in one go
            before = self.client.get_last_check_time()
            seen = []

            def checked():
                if self.state() == 'checking':
                    seen.append(True)
                    return False
                return bool(seen) or self.client.get_last_check_time() != before

            self.client.check_sync(FLAGS, None)
            if not self.wait_until(checked):
                raise GLib.Error('no answer from otad')
        if self.state() == 'error':
            raise GLib.Error(self.client.get_error_message())
        return self.client.get_update_info()

    def run(self, answer):
        info = self.find_offer()
        if info is None:
            print('No update available.')
            return EXIT_NO_UPDATE
        self.show_offer(info)
        offer_id = info.get_offer_id()
        if answer is None:
            print('Install it now? [y/n] ', end='', flush=True)
            answer = sys.stdin.readline().strip().lower() in ('y', 'yes')
        if not answer:
            self.client.decline_sync(offer_id, FLAGS, None)
            print('Declined.')
            return EXIT_OK
        # the offer id shown: otad refuses (StaleOffer) if the server changed it since
        self.client.consent_sync(offer_id, FLAGS, None)
        print('Consent given.', flush=True)
        if not self.wait_until(lambda: self.state() in ('pending-reboot', 'error')):
            print('otad did not finish in time', file=sys.stderr)
            return EXIT_FAILED
        if self.state() == 'error':
            print(f'Update failed: {self.client.get_error_message()} '
                  f'({self.client.get_error_name()})', file=sys.stderr)
            return EXIT_FAILED
        print('Installed; it starts at the next reboot.')
        return EXIT_OK


def main():
    p = argparse.ArgumentParser(description='a minimal otad HMI')
    p.add_argument('--bus-address', help='otad on this bus instead of the system bus')
    answer = p.add_mutually_exclusive_group()
    answer.add_argument('--yes', dest='answer', action='store_const', const=True)
    answer.add_argument('--no', dest='answer', action='store_const', const=False)
    p.add_argument('--timeout', type=int, default=600, help='seconds to wait for otad')
    args = p.parse_args()

    client = (Ota.Client.new_for_bus_address(args.bus_address) if args.bus_address
              else Ota.Client.new())
    try:
        client.connect_sync(None)
        return Hmi(client, args.timeout).run(args.answer)
    except GLib.Error as e:
        print(f'hmi: {e.message}', file=sys.stderr)
        return EXIT_FAILED


if __name__ == '__main__':
    sys.exit(main())
