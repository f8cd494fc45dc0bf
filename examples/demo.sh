#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# otad demo: a real over-the-air update of a sandboxed device, end to end.
# Builds otad and otactl, makes a throwaway OSTree sysroot running A (1.0),
# starts a local OTA server (tests/server/otaserver.py: HTTPS with client
# certificates, Uptane Director + Image repository signed by an independent
# Python signer, a TreeHub serving B (2.0)), runs otad on a private D-Bus bus
# with U-Boot boot control on a file environment, and then: check, download,
# install (B becomes the trial boot), a simulated reboot into B, the health
# check and the confirmation, reported back to the server.  Everything is
# torn down at the end; the host's own boot and OS are never touched, and the
# checkout is only read (the build goes to the temporary directory too).
# Run as root on Debian 12:
#
#   sudo bash examples/demo.sh
#
#   SKIP_DEPS=1       do not apt-get install the build dependencies
#   BUILD_DIR=dir     build directory, reused and kept (default: a fresh one in the
#                     temporary directory, removed with it)
#   KEEP=1            keep the temporary directory: sysroot, logs and build
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

python=/usr/bin/python3
# the test server must not leave __pycache__ in the checkout
export PYTHONDONTWRITEBYTECODE=1

work=$(mktemp -d /tmp/otad-demo.XXXXXX)
bus_pid=
otad_pid=
server_pid=
polkit_pid=
cleanup() {
	set +e
	[ -n "$otad_pid" ] && kill "$otad_pid" 2>/dev/null && wait "$otad_pid" 2>/dev/null
	[ -n "$polkit_pid" ] && kill "$polkit_pid" 2>/dev/null && wait "$polkit_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
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

# outside the checkout, so that a demo run leaves the source tree as it found it
build=${BUILD_DIR:-$work/build}
step "building otad and otactl in $build"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Dtests=false
fi
meson compile -C "$build"
build=$(cd "$build" && pwd)
otad="$build/daemon/otad"
otactl="$build/cli/otactl"
[ -x "$otad" ] && [ -x "$otactl" ] || { echo "otad or otactl was not built" >&2; exit 1; }

step "making an OSTree repository with two commits (the server's TreeHub)"
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

step "making the device: a sysroot running A (B is only on the server)"
sysroot="$work/sysroot"
mkdir -p "$sysroot"
ostree admin init-fs "$sysroot"
ostree admin --sysroot="$sysroot" os-init demo
ostree --repo="$sysroot/ostree/repo" pull-local "$work/repo" "$A"
# deploy prunes commits no ref holds
ostree --repo="$sysroot/ostree/repo" refs --create=demo:a "$A"
ostree admin --sysroot="$sysroot" deploy --os=demo "$A"
ostree admin --sysroot="$sysroot" status

# U-Boot environment in a plain file, edited with the real fw_setenv
printf '%s 0x0000 0x4000\n' "$work/uboot.env" >"$work/fw_env.config"
printf 'bootcount=0\nupgrade_available=0\nbootlimit=3\n' >"$work/env.txt"
mkenvimage -s 0x4000 -o "$work/uboot.env" "$work/env.txt"
fw() { fw_printenv -c "$work/fw_env.config" "$@"; }
# a health check the new deployment must pass after its first boot
mkdir -p "$work/health.d"
printf '#!/bin/sh\necho "demo application is healthy"\n' >"$work/health.d/50-demo-app"
chmod +x "$work/health.d/50-demo-app"

step "starting the OTA server (mTLS, Uptane Director + Image repo, TreeHub)"
"$python" "$top/tests/server/otaserver.py" --dir "$work/server" --treehub "$work/repo" \
	>"$work/server.out" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 300); do
	[ -s "$work/server/server.json" ] && break
	kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
	sleep 0.1
done
[ -s "$work/server/server.json" ] || { echo "the server did not start" >&2; exit 1; }
server_json() {
	"$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$work/server/server.json" "$1"
}
server_port=$(server_json port)
control_port=$(server_json control_port)
# the server's plain-HTTP control port on 127.0.0.1: GET without data, POST with
control() {
	"$python" -c '
import sys, urllib.request
port, path = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=data,
                             method="POST" if data else "GET")
with urllib.request.urlopen(req, timeout=30) as r:
    print(r.read().decode())
' "$control_port" "$@"
}
echo "server: https://127.0.0.1:$server_port"
echo "campaign demo-campaign-1: the Director assigns B to ECU demo-ecu-1"
control /targets "{\"repo\": [{\"name\": \"demo-2.0\", \"sha256\": \"$B\", \"length\": 0,
  \"custom\": {\"name\": \"demo\", \"version\": \"2.0\", \"hardwareIds\": [\"demo-board\"],
              \"targetFormat\": \"OSTREE\"}}],
 \"director\": [{\"name\": \"demo-2.0\", \"sha256\": \"$B\", \"length\": 0,
  \"custom\": {\"ecuIdentifiers\": {\"demo-ecu-1\": {\"hardwareId\": \"demo-board\"}}}}],
 \"correlation_id\": \"demo-campaign-1\"}" >/dev/null

{
	echo "[server]"
	echo "url=https://127.0.0.1:$server_port"
	echo "ca-file=$work/server/ca.pem"
	echo "cert=$work/server/device.pem"
	echo "key=$work/server/device.key"
	echo "[device]"
	echo "hardware-id=demo-board"
	echo "ecu-serial=demo-ecu-1"
	echo "[polling]"
	echo "enabled=false"
	echo "[update]"
	echo "policy=manual"
	echo "[boot]"
	echo "backend=uboot"
	echo "fw-env-config=$work/fw_env.config"
	echo "[health]"
	echo "directories=$work/health.d"
	echo "timeout-sec=60"
	echo "[tuf]"
	echo "# the roots provisioned on the device (here: as the server made them)"
	echo "root-dir=$work/server"
} >"$work/otad.conf"

step "starting a private D-Bus bus, with a polkit stand-in that allows otad's actions"
out=$(dbus-daemon --session --fork --nopidfile --print-address=1 --print-pid=1)
bus=$(echo "$out" | sed -n 1p)
bus_pid=$(echo "$out" | sed -n 2p)
echo "bus: $bus"
DBUS_SESSION_BUS_ADDRESS="$bus" "$python" -m dbusmock --session -t polkitd \
	>"$work/polkit.log" 2>&1 &
polkit_pid=$!
has_owner() {
	gdbus call --address "$bus" --dest org.freedesktop.DBus \
		--object-path /org/freedesktop/DBus \
		--method org.freedesktop.DBus.NameHasOwner "$1" | grep -q true
}
for _ in $(seq 200); do has_owner org.freedesktop.PolicyKit1 && break; sleep 0.1; done
# on a device this is polkitd with otad's policy (data/)
gdbus call --address "$bus" --dest org.freedesktop.PolicyKit1 \
	--object-path /org/freedesktop/PolicyKit1/Authority \
	--method org.freedesktop.DBus.Mock.SetAllowed \
	"['org.otad.check', 'org.otad.install', 'org.otad.rollback']" >/dev/null

start_otad() {
	"$otad" --bus-address "$bus" --sysroot "$sysroot" --state-dir "$work/state" \
		--config "$work/otad.conf" --verbose "$@" >>"$work/otad.log" 2>&1 &
	otad_pid=$!
	for _ in $(seq 200); do
		has_owner org.otad.Updater && return 0
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

updater() {
	gdbus call --address "$bus" --dest org.otad.Updater --object-path /org/otad/Updater "$@"
}
get_prop() {
	updater --method org.freedesktop.DBus.Properties.Get org.otad.Updater1 "$1" |
		sed -e "s/^(<//" -e "s/>,)$//" -e "s/^uint64 //" -e "s/^'//" -e "s/'$//"
}
wait_state() {
	local state=
	for _ in $(seq 600); do
		state=$(get_prop State)
		for want in "$@"; do
			if [ "$state" = "$want" ]; then
				echo "State: $state"
				return 0
			fi
		done
		if [ "$state" = error ]; then
			echo "otad failed: $(get_prop ErrorName): $(get_prop ErrorMessage)" >&2
			exit 1
		fi
		sleep 0.2
	done
	echo "State is $state, not $*" >&2
	tail -50 "$work/otad.log" >&2
	exit 1
}

mkdir -m 0700 "$work/state"
step "the device runs A: otad starts (test option --test-booted-deployment)"
start_otad --test-booted-deployment="$A"
wait_state idle
"$otactl" --bus-address "$bus" status

step "the update: check, download, install"
if "$otactl" update --help >/dev/null 2>&1; then
	"$otactl" --bus-address "$bus" update
else
	# otactl without the update commands: the same calls with gdbus
	updater --method org.otad.Updater1.Check '{}' >/dev/null
	wait_state update-available
	echo "UpdateInfo: $(get_prop UpdateInfo)"
	updater --method org.otad.Updater1.Install '{}' >/dev/null
fi
wait_state pending-reboot
echo "downloaded $(get_prop DownloadedBytes) bytes"
"$otactl" --bus-address "$bus" status
echo "U-Boot: $(fw upgrade_available) $(fw bootcount)"
ostree admin --sysroot="$sysroot" status

step "simulated reboot into B (the bootloader's trial boot), health check, confirmation"
stop_otad
start_otad --test-booted-deployment="$B"
wait_state idle
echo "U-Boot: $(fw upgrade_available) $(fw bootcount)"
"$otactl" --bus-address "$bus" status

step "history"
if "$otactl" history --help >/dev/null 2>&1; then
	"$otactl" --bus-address "$bus" history
else
	updater --method org.otad.Updater1.GetHistory '{}'
fi

step "what the server heard"
control /log | "$python" -c '
import json, sys
for e in json.load(sys.stdin):
    if e.get("method") == "POST" and e.get("path") == "/events":
        for ev in e["json"]:
            ok = ev["event"].get("success", True)
            print("event", ev["eventType"]["id"], "" if ok else "FAILED",
                  ev["event"].get("correlationId") or "")
    elif e.get("path") == "/director/manifest":
        report = e["json"]["signed"].get("installation_report")
        print("manifest", "signature verified" if e.get("verified") else "NOT verified",
              "installation report: success=%s" % report["report"]["result"]["success"]
              if report else "")
'

if [ "$(fw upgrade_available)" != "upgrade_available=0" ]; then
	echo "the update was not confirmed" >&2
	exit 1
fi
step "done: the device runs B (2.0), confirmed and reported; A stays as the rollback"
