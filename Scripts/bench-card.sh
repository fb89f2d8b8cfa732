#!/usr/bin/env bash
# `make bench` (card part): signatures through a private pcscd + OpenSC + the virtual PIV card next to SoftHSM in one
# run (the card as fast as it goes, then as slow as a real one), then the whole chain with the gateway's keys on the
# card signing in 150 ms (Scripts/bench-chain.sh with BENCH_CHAIN_CARD_DELAY_MS). Every process it starts is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release
gatewayctl=$bin/gatewayctl
export SOFTHSM2_CONF="$PWD/Tokens/softhsm/softhsm2.conf"
pins="$PWD/Tokens/softhsm/pins"
work="$(mktemp -d)"
source Scripts/lib/pcscd.sh
trap 'pcscd_stop; rm -rf "$work"' EXIT

softhsm="pkcs11:token=gateway;object=bench-p256?pin-source=file:$pins/gateway.pin"
$gatewayctl token keys "$softhsm" 2>/dev/null | grep -q '^private' || $gatewayctl token keygen "$softhsm" --type ec-p256 > /dev/null
(umask 077; printf "%s" "${VIRTUAL_CARD_PIN:-123456}" > "$work/card.pin")
card="module-path=$opensc_module&pin-source=file:$work/card.pin"
pcscd_start
card_provision "$work/card"
card_insert "$work/card" 0
echo "== signatures, one caller on the token's thread: SoftHSM, then the virtual card through pcscd + OpenSC"
$gatewayctl bench signers --seconds "${BENCH_CARD_SECONDS:-3}" "softhsm=$softhsm" \
    "card 9A=pkcs11:object=PIV%20AUTH%20key;type=private?$card" "card 9C (PIN each time)=pkcs11:object=SIGN%20key;type=private?$card"
card_insert "$work/card" 150
echo "== the same card signing in 150 ms (gatewayctl dev virtual-card --sign-delay-ms 150), as a real card does"
$gatewayctl bench signers --seconds "${BENCH_CARD_SECONDS:-3}" "softhsm=$softhsm" "card 9C, 150 ms=pkcs11:object=SIGN%20key;type=private?$card"
pcscd_stop
echo "== the whole chain at one reading a second, the gateway's keys on the card signing in 150 ms"
BENCH_CHAIN_CARD_DELAY_MS=150 Scripts/bench-chain.sh
