#!/usr/bin/env bash
# `make bench` (chain part): a fresh PKI with pkid, the chain's keys enrolled on the development tokens, then
# `gatewayctl bench chain` on the release build. Every process it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release
gatewayctl=$bin/gatewayctl
export SOFTHSM2_CONF="$PWD/Tokens/softhsm/softhsm2.conf"
pins="$PWD/Tokens/softhsm/pins"
work="$(mktemp -d)"
pkid_pid=""
# BENCH_CHAIN_CARD_DELAY_MS=N: the gateway's keys on the virtual PIV card (a private pcscd, OpenSC) signing in N ms,
# and only the paced phase (a backlog polled back to back would take minutes to sign at card speed).
card_delay="${BENCH_CHAIN_CARD_DELAY_MS:-}"
source Scripts/lib/chain.sh
source Scripts/lib/pcscd.sh
cleanup() {
    pcscd_stop
    if [ -n "$pkid_pid" ]; then kill "$pkid_pid" 2>/dev/null; wait "$pkid_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

http_port="$(free_port)"
$gatewayctl ca init --pki "$work/pki" --key "pkcs11:token=ca;object=demo-root?pin-source=file:$pins/ca.pin" \
    --subject "CN=Bench Root CA" --url "http://127.0.0.1:$http_port" > /dev/null
tls_key="pkcs11:token=ca;object=pkid-tls?pin-source=file:$pins/ca.pin"
$gatewayctl token keys "$tls_key" 2>/dev/null | grep -q '^private' || $gatewayctl token keygen "$tls_key" > /dev/null
$bin/pkid --pki "$work/pki" --listen 127.0.0.1:0 --http-listen "127.0.0.1:$http_port" --tls-key "$tls_key" --log-level warning > "$work/pkid.log" 2>&1 &
pkid_pid=$!
for _ in $(seq 100); do grep -q "http://" "$work/pkid.log" && break; sleep 0.1; done
https_port="$(sed -n 's/.*listening on https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/pkid.log")"

if [ -n "$card_delay" ]; then
    pcscd_start
    card_state="$work/card"
    card_provision "$card_state"
    card_insert "$card_state" "$card_delay"
    chain_enroll_card
else
    chain_enroll "pkcs11:token=gateway;object=meter-sign?pin-source=file:$pins/gateway.pin" "$gateway_title" sign > /dev/null
    chain_enroll "pkcs11:token=gateway;object=gateway-tls?pin-source=file:$pins/gateway.pin" "$gateway_title" tls > /dev/null
fi
chain_enroll "pkcs11:token=headend;object=headend-sign?pin-source=file:$pins/headend.pin" "$headend_title" sign > /dev/null
chain_enroll "pkcs11:token=headend;object=headend-tls?pin-source=file:$pins/headend.pin" "$headend_title" tls > /dev/null
chain_configs 1 "$(free_port)"   # the bench replaces the meter with its own simulator
$gatewayctl bench chain --gateway-config "$work/gateway.yaml" --headend-config "$work/headend.yaml" \
    --seconds "${BENCH_CHAIN_SECONDS:-10}" --paced-seconds "${BENCH_CHAIN_PACED_SECONDS:-20}" ${card_delay:+--paced-only}
