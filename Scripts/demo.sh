#!/usr/bin/env bash
# `make demo`: everything that works so far, on the development tokens.
set -euo pipefail
cd "$(dirname "$0")/.."
gatewayctl=.build/debug/gatewayctl
export SOFTHSM2_CONF="$PWD/Tokens/softhsm/softhsm2.conf"
pins="$PWD/Tokens/softhsm/pins"
key="pkcs11:token=gateway;object=meter-sign?pin-source=file:$pins/gateway.pin"
work="$(mktemp -d)"
simulator_pid=""
cleanup() {
    [ -n "$simulator_pid" ] && kill "$simulator_pid" 2>/dev/null && wait "$simulator_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "Tokens (SoftHSM, $SOFTHSM2_CONF)"
$gatewayctl token list

step "A P-256 signing key generated on the gateway token (kept if it exists)"
if ! $gatewayctl token keys "$key" 2>/dev/null | grep -q '^private'; then
    $gatewayctl token keygen "$key" --type ec-p256
fi
$gatewayctl token keys "pkcs11:token=gateway?pin-source=file:$pins/gateway.pin"

step "Its public key, read from the token"
$gatewayctl token pubkey "$key" | tee "$work/meter-sign.pem"

step "A reading signed on the token and verified by openssl"
printf '1.0.1.8.0.255 12345.6 Wh %s\n' "$(date -u +%FT%TZ)" | tee "$work/reading.txt"
$gatewayctl token sign "$key" --in "$work/reading.txt" --out "$work/reading.sig"
echo "signature: $(od -An -tx1 "$work/reading.sig" | tr -d ' \n' | cut -c1-64)..."
openssl dgst -sha256 -verify "$work/meter-sign.pem" -signature "$work/reading.sig" "$work/reading.txt"
echo "tampered reading:"
printf '1.0.1.8.0.255 99999.9 Wh\n' > "$work/tampered.txt"
if openssl dgst -sha256 -verify "$work/meter-sign.pem" -signature "$work/reading.sig" "$work/tampered.txt"; then
    echo "demo failed: a tampered reading verified" >&2
    exit 1
fi

step "A simulated PAC3200 on a free loopback port"
$gatewayctl meter simulate --listen 127.0.0.1:0 > "$work/simulator.log" 2>&1 &
simulator_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/simulator.log" && break; sleep 0.1; done
cat "$work/simulator.log"
port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/simulator.log")"

step "A live snapshot read through the libmodbus client"
$gatewayctl meter read --host 127.0.0.1 --port "$port"

step "The same reading as JSON (what the signing commands will read), first values"
$gatewayctl meter read --host 127.0.0.1 --port "$port" --json > "$work/reading.json"
head -32 "$work/reading.json"
echo "  ..."
