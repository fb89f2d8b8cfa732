import ArgumentParser

/// `gatewayctl dev virtual-card`: a PIV card in vsmartcard-vpcd's reader, so pcscd, OpenSC and the PKCS11
/// module run their real path in tests without a physical card.
struct VirtualCardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "virtual-card",
        abstract: "A virtual PIV card for pcscd through vsmartcard-vpcd (a TEST INSTRUMENT, never a token).",
        discussion: """
            WARNING: TEST INSTRUMENT, NOT A TOKEN. The card's private keys, PIN and management key are plain files \
            in --state DIR. Anyone who can read that directory has the keys. Use it for tests and benchmarks only.

            The card speaks PIV as OpenSC's PIV driver expects (opensc-pkcs11.so lists its keys whose slot has a \
            certificate). PIN: from --pin-file or $VIRTUAL_CARD_PIN when the state is created, default 123456. \
            Management key (9B): AES-128 (algorithm 08; 3DES is not offered), default \
            01:02:03:04:05:06:07:08:01:02:03:04:05:06:07:08, e.g. `PIV_EXT_AUTH_KEY=<file with that> piv-tool -A A:9B:08`.
            """,
        subcommands: [VirtualCardRun.self, VirtualCardProvision.self],
        defaultSubcommand: VirtualCardRun.self
    )
}
