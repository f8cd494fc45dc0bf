#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# otad demo: build otad and otactl, make a throwaway OSTree sysroot holding two
# deployments (A = version 1.0, B = version 2.0, the A/B slots of a device),
# start otad on a private D-Bus bus against it, and ask it with otactl.
# Everything is torn down at the end.  Run as root on Debian 12:
#
#   sudo bash examples/demo.sh
#
#   SKIP_DEPS=1       do not apt-get install the build dependencies
#   BUILD_DIR=dir     build directory (default: _build-demo, reused)
#   KEEP=1            keep the temporary sysroot and logs
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ -t 1 ]; then
	step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
	step() { printf '\n==> %s\n' "$*"; }
fi

if [ -z "${SKIP_DEPS:-}" ]; then
	step "installing build dependencies (.ci/debian-packages)"
	bash .ci/install-deps
fi

build=${BUILD_DIR:-_build-demo}
step "building otad and otactl in $build"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Dtests=false
fi
meson compile -C "$build"
build=$(cd "$build" && pwd)
otad="$build/daemon/otad"
otactl="$build/cli/otactl"
[ -x "$otad" ] && [ -x "$otactl" ] || { echo "otad or otactl was not built" >&2; exit 1; }

work=$(mktemp -d /tmp/otad-demo.XXXXXX)
bus_pid=
otad_pid=
cleanup() {
	set +e
	[ -n "$otad_pid" ] && kill "$otad_pid" 2>/dev/null && wait "$otad_pid" 2>/dev/null
	[ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then
		echo "kept $work"
	else
		# ostree marks deployments immutable
		chattr -R -i "$work" 2>/dev/null
		rm -rf "$work"
	fi
}
trap cleanup EXIT

step "making an OSTree repository with two commits"
tree="$work/tree"
mkdir -p "$tree/usr/lib/modules/6.1.0" "$tree/usr/bin" "$tree/usr/etc" "$tree/var"
echo kernel >"$tree/usr/lib/modules/6.1.0/vmlinuz"
echo initramfs >"$tree/usr/lib/modules/6.1.0/initramfs.img"
echo demo >"$tree/usr/etc/hostname"
printf 'NAME=otad demo\nID=demo\nVERSION_ID=1.0\n' >"$tree/usr/lib/os-release"
ostree --repo="$work/repo" init --mode=archive
A=$(ostree --repo="$work/repo" commit -b demo/stable --tree=dir="$tree" \
	--add-metadata-string=version=1.0 --owner-uid=0 --owner-gid=0 --no-xattrs -s "1.0")
printf 'NAME=otad demo\nID=demo\nVERSION_ID=2.0\n' >"$tree/usr/lib/os-release"
echo 'echo new in 2.0' >"$tree/usr/bin/newtool"
B=$(ostree --repo="$work/repo" commit -b demo/stable --tree=dir="$tree" \
	--add-metadata-string=version=2.0 --owner-uid=0 --owner-gid=0 --no-xattrs -s "2.0")
echo "A (1.0) = $A"
echo "B (2.0) = $B"

step "making a sysroot and deploying A, then B"
sysroot="$work/sysroot"
mkdir -p "$sysroot"
ostree admin init-fs "$sysroot"
ostree admin --sysroot="$sysroot" os-init demo
ostree --repo="$sysroot/ostree/repo" pull-local "$work/repo" "$A" "$B"
# deploy prunes commits no ref holds
ostree --repo="$sysroot/ostree/repo" refs --create=demo:a "$A"
ostree --repo="$sysroot/ostree/repo" refs --create=demo:b "$B"
ostree admin --sysroot="$sysroot" deploy --os=demo "$A"
ostree admin --sysroot="$sysroot" deploy --os=demo "$B"
ostree admin --sysroot="$sysroot" status

step "starting a private D-Bus bus"
out=$(dbus-daemon --session --fork --nopidfile --print-address=1 --print-pid=1)
bus=$(echo "$out" | sed -n 1p)
bus_pid=$(echo "$out" | sed -n 2p)
echo "bus: $bus"

start_otad() {
	"$otad" --bus-address "$bus" --sysroot "$sysroot" --state-dir "$work/state" \
		--config "$top/data/otad.conf" "$@" >"$work/otad.log" 2>&1 &
	otad_pid=$!
	for _ in $(seq 100); do
		if gdbus call --address "$bus" --dest org.freedesktop.DBus \
			--object-path /org/freedesktop/DBus \
			--method org.freedesktop.DBus.NameHasOwner org.otad.Updater |
			grep -q true; then
			return 0
		fi
		kill -0 "$otad_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "otad did not start:" >&2
	cat "$work/otad.log" >&2
	exit 1
}

stop_otad() {
	kill "$otad_pid"
	wait "$otad_pid" || { echo "otad exited with $?" >&2; exit 1; }
	otad_pid=
}

mkdir -m 0700 "$work/state"
step "starting otad on the sysroot (nothing booted: B is pending, A the rollback)"
start_otad
step "otactl status"
"$otactl" --bus-address "$bus" status
step "otactl status --json"
"$otactl" --bus-address "$bus" status --json
stop_otad

step "again as if the device were running A (test option --test-booted-deployment)"
start_otad --test-booted-deployment="$A"
"$otactl" --bus-address "$bus" status
stop_otad

step "done: otad read the real A/B deployments of the sysroot over D-Bus"
