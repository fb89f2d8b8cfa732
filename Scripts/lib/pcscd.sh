# A private pcscd with vsmartcard-vpcd's readers and the virtual PIV card, for Scripts/bench-card.sh and the demo
# (sourced, not run). pcscd always listens on /run/pcscd/pcscd.comm; this one runs in a mount namespace of its own
# where /run/pcscd is $work/pcscd, so a pcscd the machine runs is left alone; clients find it through
# PCSCLITE_CSOCK_NAME (exported here). Needs root (unshare -m), $gatewayctl and $work; call pcscd_stop on exit.
# The virtual card is a TEST INSTRUMENT: its private keys are plain files in its state directory.

pcscd_pid=""
card_pid=""
card_reader="Virtual PCD 00 00"
opensc_module=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so

# pcscd_start: pcscd with vpcd's first reader on a free loopback port ($vpcd_port).
pcscd_start() {
    vpcd_port="$(python3 -c 'import socket
for _ in range(50):
    a = socket.socket(); a.bind(("", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("", p + 1)); print(p); break
    except OSError: pass
    finally: a.close(); b.close()')"
    mkdir -p "$work/pcscd" "$work/reader.conf.d"
    printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x%X\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID 0x%X\n' \
        "$vpcd_port" "$vpcd_port" > "$work/reader.conf.d/vpcd"
    unshare -m sh -c 'mkdir -p /run/pcscd && mount --bind "$1" /run/pcscd && exec pcscd -f -c "$2"' pcscd \
        "$work/pcscd" "$work/reader.conf.d" > "$work/pcscd.log" 2>&1 &
    pcscd_pid=$!
    export PCSCLITE_CSOCK_NAME="$work/pcscd/pcscd.comm"
    for _ in $(seq 100); do [ -S "$PCSCLITE_CSOCK_NAME" ] && opensc-tool --list-readers > /dev/null 2>&1 && return 0; sleep 0.1; done
    echo "pcscd did not start (unshare -m needs root): $(cat "$work/pcscd.log")" >&2
    return 1
}

# card_provision DIR: a virtual PIV card with a P-256 key in 9A (TLS) and 9C (signing, PIN before every signature).
card_provision() {
    for slot in 9a 9c; do
        $gatewayctl dev virtual-card provision --state "$1" --slot "$slot" --type ec-p256 --subject "virtual card $slot" > /dev/null
    done
}

# card_insert DIR [DELAY_MS]: the card in the first reader, signing in DELAY_MS; waits until pcscd shows it.
card_insert() {
    card_remove
    $gatewayctl dev virtual-card --vpcd "127.0.0.1:$vpcd_port" --state "$1" --sign-delay-ms "${2:-0}" > "$work/card.log" 2>&1 &
    card_pid=$!
    for _ in $(seq 100); do opensc-tool --list-readers 2>/dev/null | grep "$card_reader" | grep -q Yes && return 0; sleep 0.1; done
    echo "the virtual card never showed in pcscd: $(cat "$work/card.log")" >&2
    return 1
}

card_remove() {
    if [ -n "$card_pid" ]; then kill "$card_pid" 2>/dev/null; wait "$card_pid" 2>/dev/null || true; fi
    card_pid=""
}

pcscd_stop() {
    card_remove
    if [ -n "$pcscd_pid" ]; then kill "$pcscd_pid" 2>/dev/null; wait "$pcscd_pid" 2>/dev/null || true; fi
    pcscd_pid=""
}
