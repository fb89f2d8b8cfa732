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
pkid_pid=""
headend_pid=""
gatewayd_pid=""
tail_pids=""
cleanup() {
    declare -F pcscd_stop > /dev/null && pcscd_stop
    for pid in $gatewayd_pid $headend_pid $simulator_pid $pkid_pid $tail_pids; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
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

step "A PKI whose CA key lives on the ca token (a fresh PKI directory each run; the key is kept)"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port="$(free_port)"
ca_key="pkcs11:token=ca;object=demo-root?pin-source=file:$pins/ca.pin"
$gatewayctl ca init --pki "$work/pki" --key "$ca_key" --subject "CN=Demo Metering Root CA,O=Demo Utility" --url "http://127.0.0.1:$http_port"

step "pkid: EST through the RA, the Central Directory and the CRL (TLS key on the ca token)"
tls_key="pkcs11:token=ca;object=pkid-tls?pin-source=file:$pins/ca.pin"
$gatewayctl token keys "$tls_key" 2>/dev/null | grep -q '^private' || $gatewayctl token keygen "$tls_key" > /dev/null
.build/debug/pkid --pki "$work/pki" --listen 127.0.0.1:0 --http-listen "127.0.0.1:$http_port" --tls-key "$tls_key" > "$work/pkid.log" 2>&1 &
pkid_pid=$!
for _ in $(seq 100); do grep -q "http://" "$work/pkid.log" && break; sleep 0.1; done
cat "$work/pkid.log"
https_port="$(sed -n 's/.*listening on https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/pkid.log")"

step "The RA registers the gateway (system title 00DB1234567890A0) with a one-time secret"
registration="$($gatewayctl ra register --pki "$work/pki" --system-title 00DB1234567890A0 --profile sign --meter-number 12345678)"
echo "$registration" | sed 's/(shown once): .*/(shown once): <hidden in the demo>/'
export DEMO_ENROLL_SECRET="$(echo "$registration" | sed -n 's/.*(shown once): //p')"

step "The gateway enrolls its meter-sign key: CSR on the token, EST with the secret, certificate back onto the token"
$gatewayctl enroll --url "https://127.0.0.1:$https_port" --ca "$work/pki/ca.pem" --secret-env DEMO_ENROLL_SECRET \
    --key "$key" --system-title 00DB1234567890A0 --profile sign --out "$work/meter-sign.crt"
openssl x509 -in "$work/meter-sign.crt" -noout -subject -issuer -ext keyUsage,crlDistributionPoints
echo "the same secret a second time:"
$gatewayctl enroll --url "https://127.0.0.1:$https_port" --ca "$work/pki/ca.pem" --secret-env DEMO_ENROLL_SECRET \
    --key "$key" --system-title 00DB1234567890A0 --profile sign || true

step "The Central Directory: the certificate by serial and by system title; the CRL"
serial="$(openssl x509 -in "$work/meter-sign.crt" -noout -serial | cut -d= -f2)"
curl -s "http://127.0.0.1:$http_port/certificates/$serial?format=pem" | openssl x509 -noout -subject -serial
curl -s "http://127.0.0.1:$http_port/certificates?system-title=00DB1234567890A0"
echo
curl -s -o "$work/crl.der" "http://127.0.0.1:$http_port/crl"
openssl crl -inform DER -in "$work/crl.der" -out "$work/crl.pem"
openssl verify -CAfile "$work/pki/ca.pem" -CRLfile "$work/crl.pem" -crl_check "$work/meter-sign.crt"

step "Simulator readings signed on the gateway token as DLMS general-signing frames, each frame and evidence verified"
for n in 1 2 3; do
    $gatewayctl meter read --host 127.0.0.1 --port "$port" --json > "$work/reading-$n.json"
    $gatewayctl record sign --key "$key" --cert "$work/meter-sign.crt" --reading "$work/reading-$n.json" \
        --system-title 00DB1234567890A0 --recipient 48454144454E4401 --meter-number 12345678 --location "Demo substation" \
        --counter "$PWD/Tokens/softhsm/demo-transaction-counter" --out "$work/frame-$n.bin" --evidence "$work/evidence-$n.der"
    $gatewayctl verify --frame "$work/frame-$n.bin" --ca "$work/pki/ca.pem" --crl "$work/crl.der" --cert "$work/meter-sign.crt" > "$work/verdict-$n.txt"
    if [ "$n" = 1 ]; then head -8 "$work/verdict-$n.txt"; echo "  ... (47 values)"; fi
    echo "frame $n: $(tail -1 "$work/verdict-$n.txt")"
    # The evidence file alone, with the CA certificate and its CRL, is enough for a third party.
    $gatewayctl verify --evidence "$work/evidence-$n.der" --ca "$work/pki/ca.pem" --crl "$work/crl.der" > "$work/evidence-$n.txt"
    echo "evidence $n: $(tail -1 "$work/evidence-$n.txt")"
done
echo "the first frame's beginning, decoded:"
$gatewayctl cosem decode --in "$work/frame-1.bin" > "$work/frame-1.txt"
head -24 "$work/frame-1.txt"
echo "  ..."
echo "one byte of the last frame changed:"
printf '\x00' | dd of="$work/frame-3.bin" bs=1 seek=300 conv=notrunc status=none
$gatewayctl verify --frame "$work/frame-3.bin" --ca "$work/pki/ca.pem" --crl "$work/crl.der" --cert "$work/meter-sign.crt" > "$work/verdict-x.txt" || true
tail -1 "$work/verdict-x.txt"

step "A smart card through PC/SC: a private pcscd, the virtual PIV card in vpcd's reader (a test instrument: its keys are files)"
source Scripts/lib/pcscd.sh
pcscd_start
card_provision "$work/card"
card_insert "$work/card" 0
(umask 077; printf '123456' > "$work/card.pin")
card_key="pkcs11:object=SIGN%20key;type=private?module-path=$opensc_module&pin-source=file:$work/card.pin"
$gatewayctl token readers
$gatewayctl token keys "pkcs11:object=SIGN%20key?module-path=$opensc_module&pin-source=file:$work/card.pin"
echo "the reading signed on the card's 9C key (the PIN again before the signature), verified by openssl:"
$gatewayctl token pubkey "$card_key" > "$work/card-sign.pem"
$gatewayctl token sign "$card_key" --in "$work/reading.txt" --out "$work/card.sig"
openssl dgst -sha256 -verify "$work/card-sign.pem" -signature "$work/card.sig" "$work/reading.txt"
pcscd_stop

step "The whole chain: the gateway's TLS key and the head-end's two keys enrolled through the RA"
source Scripts/lib/chain.sh
chain_enroll "pkcs11:token=gateway;object=gateway-tls?pin-source=file:$pins/gateway.pin" "$gateway_title" tls | tail -1
chain_enroll "pkcs11:token=headend;object=headend-sign?pin-source=file:$pins/headend.pin" "$headend_title" sign | tail -1
chain_enroll "pkcs11:token=headend;object=headend-tls?pin-source=file:$pins/headend.pin" "$headend_title" tls | tail -1
headend_port="$(free_port)"
chain_configs "$port" "$headend_port"
echo "configurations: $work/gateway.yaml, $work/headend.yaml"

step "headend and gatewayd (one reading a second): each reading as the head-end verifies it, and as the gateway sees it acknowledged"
.build/debug/headend --config "$work/headend.yaml" > "$work/headend.out" 2> "$work/headend.err" &
headend_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/headend.out" && break; sleep 0.1; done
.build/debug/gatewayd --config "$work/gateway.yaml" > "$work/gatewayd.out" 2> "$work/gatewayd.err" &
gatewayd_pid=$!
tail -n +1 -f "$work/headend.out" | sed -u 's/^/headend  | /' &
tail_pids="$tail_pids $!"
tail -n +1 -f "$work/gatewayd.out" | sed -u 's/^/gatewayd | /' &
tail_pids="$tail_pids $!"

interrupted=""
trap 'interrupted=1' INT
seconds="${DEMO_SECONDS:-}"
started=$SECONDS
status_shown=""
if [ -z "$seconds" ]; then echo "(Ctrl-C stops every process this demo started)"; fi
while [ -z "$interrupted" ]; do
    sleep 1
    if [ -z "$status_shown" ] && [ $((SECONDS - started)) -ge 4 ]; then
        status_shown=1
        echo "-- gatewayctl status --config $work/gateway.yaml"
        $gatewayctl status --config "$work/gateway.yaml" || true
        echo "-- a signed request from the head-end, down the gateway's uplink: headend request --gateway $gateway_title --obis 1.0.1.8.1.255"
        .build/debug/headend request --socket "$work/control.sock" --gateway "$gateway_title" --obis 1.0.1.8.1.255 || true
        echo "-- and one for an object the gateway's allow-list does not name (answered, signed, refused):"
        .build/debug/headend request --socket "$work/control.sock" --gateway "$gateway_title" --obis 1.0.2.8.1.255 || true
        echo "--"
    fi
    if [ -n "$seconds" ] && [ $((SECONDS - started)) -ge "$seconds" ]; then break; fi
    if ! kill -0 "$gatewayd_pid" 2>/dev/null || ! kill -0 "$headend_pid" 2>/dev/null; then
        echo "demo: a daemon stopped; its errors:" >&2
        tail -5 "$work/gatewayd.err" "$work/headend.err" >&2
        break
    fi
done
trap - INT

# gatewayd first: on SIGTERM it signs what it took and delivers what it signed before it exits.
kill -TERM "$gatewayd_pid" 2>/dev/null; wait "$gatewayd_pid" 2>/dev/null || true
gatewayd_pid=""
kill -TERM "$headend_pid" 2>/dev/null; wait "$headend_pid" 2>/dev/null || true
headend_pid=""
sleep 0.2
for pid in $tail_pids; do kill "$pid" 2>/dev/null; done
tail_pids=""
echo
taken="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("lastTaken") or 0)' "$work/gateway/status.json" 2>/dev/null || echo 0)"
.build/debug/headend readings --store "$work/headend/readings.sqlite" --gateway "$gateway_title" --json > "$work/readings.json"
.build/debug/headend summary --store "$work/headend/readings.sqlite" --json > "$work/summary.json"
python3 - "$work/readings.json" "$work/summary.json" "$taken" <<'PY'
import json, sys
readings = json.load(open(sys.argv[1]))
summary = json.load(open(sys.argv[2]))
taken = int(sys.argv[3])
held = {r["transaction_id"] for r in readings if r["transaction_id"] <= taken}
verified = len(readings)
rejected = summary.get("total", {}).get("refusals", 0)
print(f"demo: {verified} readings verified, {rejected} rejected, {taken - len(held)} lost")
PY
