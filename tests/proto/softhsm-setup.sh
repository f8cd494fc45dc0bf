#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# softhsm-setup.sh DIR CERT KEY: a SoftHSM2 token "otad" (user PIN 1234) in DIR holding
# KEY and CERT as object "devkey"; prints the SOFTHSM2_CONF path to use.
set -eu
dir=$1 cert=$2 key=$3
mkdir -p "$dir/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$dir" >"$dir/softhsm2.conf"
export SOFTHSM2_CONF="$dir/softhsm2.conf"
softhsm2-util --init-token --free --label otad --pin 1234 --so-pin 5678 >/dev/null
p11tool --login --set-pin=1234 --write --load-privkey "$key" --label devkey --id 01 \
	"pkcs11:token=otad" >/dev/null 2>&1
p11tool --login --set-pin=1234 --write --load-certificate "$cert" --label devkey --id 01 \
	"pkcs11:token=otad" >/dev/null 2>&1
echo "$SOFTHSM2_CONF"
