#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# softhsm-setup.sh DIR CERT KEY: a SoftHSM2 token "otad" (user PIN 1234) in DIR holding
# KEY and CERT as object "devkey" and a new ed25519 key "ecukey"; prints the SOFTHSM2_CONF path to use.
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
# an ed25519 ECU key "ecukey" (imported: this SoftHSM cannot generate EdDSA keys itself)
certtool --generate-privkey --key-type ed25519 --outfile "$dir/ecu.key" >/dev/null 2>&1
certtool --load-privkey "$dir/ecu.key" --pubkey-info --outfile "$dir/ecu.pub" >/dev/null 2>&1
p11tool --login --set-pin=1234 --write --load-privkey "$dir/ecu.key" --label ecukey --id 03 \
	"pkcs11:token=otad" >/dev/null 2>&1
p11tool --login --set-pin=1234 --write --load-pubkey "$dir/ecu.pub" --label ecukey --id 03 \
	"pkcs11:token=otad" >/dev/null 2>&1
rm -f "$dir/ecu.key"
echo "$SOFTHSM2_CONF"
