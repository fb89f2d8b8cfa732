# The whole chain's set-up, shared by Scripts/demo.sh and Scripts/bench-chain.sh (sourced, not run).
# Needs: $gatewayctl, $pins (the development PIN files), $work (a scratch directory), SOFTHSM2_CONF exported,
# and pkid running with $https_port, $http_port and its PKI in $work/pki.

gateway_title=00DB1234567890A0
headend_title=48454144454E4401

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# chain_enroll URI TITLE PROFILE: a key on the token (kept if it exists), certified through the RA with a fresh
# one-time secret; the certificate goes onto the token beside the key.
chain_enroll() {
    local uri="$1" title="$2" profile="$3" registration secret
    $gatewayctl token keys "$uri" 2>/dev/null | grep -q '^private' || $gatewayctl token keygen "$uri" --type ec-p256 > /dev/null
    registration="$($gatewayctl ra register --pki "$work/pki" --system-title "$title" --profile "$profile")"
    secret="$(echo "$registration" | sed -n 's/.*(shown once): //p')"
    CHAIN_ENROLL_SECRET="$secret" $gatewayctl enroll --url "https://127.0.0.1:$https_port" --ca "$work/pki/ca.pem" \
        --secret-env CHAIN_ENROLL_SECRET --key "$uri" --system-title "$title" --profile "$profile"
}

# chain_token_yaml: gateway.yaml's token and certificates: the development token, or with $card_state set (see
# Scripts/lib/pcscd.sh) the virtual card in its reader through OpenSC, its certificates in files (enrolled with
# chain_enroll_card; OpenSC stores none on a PIV card).
chain_token_yaml() {
    if [ -n "${card_state:-}" ]; then
        cat <<YAML
token:
  module: $opensc_module
  signing_key: "pkcs11:object=SIGN%20key;type=private?pin-source=file:$work/card.pin"
  tls_key: "pkcs11:object=PIV%20AUTH%20key;type=private?pin-source=file:$work/card.pin"
  reader: "$card_reader"
certificates: { trust_anchors: $work/pki/ca.pem, signing: $work/card-sign.pem, tls: $work/card-tls.pem }
YAML
    else
        cat <<YAML
token:
  signing_key: "pkcs11:token=gateway;object=meter-sign?pin-source=file:$pins/gateway.pin"
  tls_key: "pkcs11:token=gateway;object=gateway-tls?pin-source=file:$pins/gateway.pin"
certificates: { trust_anchors: $work/pki/ca.pem }
YAML
    fi
}

# chain_enroll_card: the card's two keys certified through the RA, the certificates in $work/card-{sign,tls}.pem
# (enroll exits 3: the card takes no certificate through OpenSC, the file is the copy).
chain_enroll_card() {
    local key profile registration secret status
    (umask 077; printf "%s" "${VIRTUAL_CARD_PIN:-123456}" > "$work/card.pin")
    for pair in "SIGN%20key:sign" "PIV%20AUTH%20key:tls"; do
        key="${pair%%:*}" profile="${pair##*:}"
        registration="$($gatewayctl ra register --pki "$work/pki" --system-title "$gateway_title" --profile "$profile")"
        secret="$(echo "$registration" | sed -n 's/.*(shown once): //p')"
        status=0
        CHAIN_ENROLL_SECRET="$secret" $gatewayctl enroll --module "$opensc_module" --url "https://127.0.0.1:$https_port" \
            --ca "$work/pki/ca.pem" --secret-env CHAIN_ENROLL_SECRET --key "pkcs11:object=$key;type=private?pin-source=file:$work/card.pin" \
            --system-title "$gateway_title" --profile "$profile" --out "$work/card-$profile.pem" > /dev/null 2>&1 || status=$?
        [ "$status" = 0 ] || [ "$status" = 3 ] || { echo "enrolling the card's $profile key failed ($status)" >&2; return 1; }
    done
}

# chain_configs METER_PORT HEADEND_PORT: $work/gateway.yaml and $work/headend.yaml for the development tokens;
# headend request talks to the control socket $work/control.sock.
chain_configs() {
    local meter_port="$1" headend_port="$2"
    cat > "$work/headend.yaml" <<YAML
listen: 127.0.0.1:$headend_port
control:
  socket: $work/control.sock
system_title: $headend_title
signing_key: "pkcs11:token=headend;object=headend-sign?pin-source=file:$pins/headend.pin"
tls_key: "pkcs11:token=headend;object=headend-tls?pin-source=file:$pins/headend.pin"
trust_anchors: $work/pki/ca.pem
pki_url: http://127.0.0.1:$http_port
store: $work/headend/readings.sqlite
log_level: notice
YAML
    cat > "$work/gateway.yaml" <<YAML
meter: { host: 127.0.0.1, port: $meter_port, poll_interval: 1s }
identity: { system_title: $gateway_title, meter_number: "12345678", location: Demo substation }
$(chain_token_yaml)
pki: { url: "https://127.0.0.1:$https_port", directory: "http://127.0.0.1:$http_port" }
upstream: { host: 127.0.0.1, port: $headend_port, head_end_system_title: $headend_title }
outbox: { path: $work/gateway/outbox.sqlite }
log_level: notice
summary_interval: 10s
requests:
  allow:
    - { requester: $headend_title, obis: [1.0.1.8.1.255, 1.0.32.7.0.255] }
YAML
}
