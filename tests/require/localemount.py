# SPDX-License-Identifier: LGPL-2.1-or-later
'''otad and otactl bind their gettext domain to the compiled-in LOCALEDIR.  Tests that
read their translations run them under `unshare --mount --propagation private sh -c
LOCALE_MOUNT_SCRIPT sh LOCALEDIR COMMAND...`: in the private mount namespace the build
tree's po/ ($BUILD_PO) is shown at LOCALEDIR; exec keeps the command's pid.'''

LOCALE_MOUNT_SCRIPT = r'''
set -e
target="$1"; shift
parent="$target"
while [ ! -d "$parent" ]; do parent=$(dirname "$parent"); done
if [ "$parent" != "$target" ]; then
    mount -t tmpfs tmpfs "$parent"
    mkdir -p "$target"
fi
mount --bind "$BUILD_PO" "$target"
exec "$@"
'''
