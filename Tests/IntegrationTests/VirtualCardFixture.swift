import Foundation
import TestSupport
import Testing

/// A virtual PIV card (`gatewayctl dev virtual-card`) in the first reader of a test's pcscd, with two keys made on
/// it: 9C (digital signature, PIN before every signature) for records and 9A (PIV authentication) for TLS. OpenSC
/// shows them by its own labels. `remove()` stops the card process, which pcscd sees as the card pulled out;
/// `insert()` starts it again from the same state directory, or another card's.
final class VirtualCardFixture: @unchecked Sendable {
    static let defaultPIN = "123456"
    static let openSC = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
    /// OpenSC's names for the PIV keys; no token= so that the URI holds whatever the card's label is.
    let signingKey = "pkcs11:object=SIGN%20key;type=private"
    let tlsKey = "pkcs11:object=PIV%20AUTH%20key;type=private"

    let pcscd: PCSCDaemon
    let state: String
    let hsm: SoftHSMFixture
    let signDelayMilliseconds: Int
    private(set) var process: BackgroundProcess?

    var signingCertificate: String { hsm.path("card-sign.pem") }
    var tlsCertificate: String { hsm.path("card-tls.pem") }

    init(pcscd: PCSCDaemon, state: String, hsm: SoftHSMFixture, signDelayMilliseconds: Int = 0) async throws {
        self.pcscd = pcscd
        self.state = state
        self.hsm = hsm
        self.signDelayMilliseconds = signDelayMilliseconds
        try await Self.provision(state: state)
        try await insert()
    }

    /// Makes a card in `state` with both keys (and self-signed certificates, without which OpenSC shows no key).
    static func provision(state: String) async throws {
        for slot in ["9c", "9a"] {
            let made = try await run(gatewayctlPath, ["dev", "virtual-card", "provision", "--state", state, "--slot", slot, "--type", "ec-p256",
                                                "--subject", "virtual card \(slot)"])
            guard made.status == 0 else { throw TestSetupError("virtual-card provision \(slot): \(made.stderr)") }
        }
    }

    /// Puts the card (or the card in `otherState`) into the first reader (or the second, `reader: 1`).
    func insert(state otherState: String? = nil, reader: Int = 0) async throws {
        await process?.stop()
        let address = "127.0.0.1:\(Int(pcscd.vpcdPort) + reader)"
        let card = try await BackgroundProcess(gatewayctlPath, ["dev", "virtual-card", "--vpcd", address, "--state", otherState ?? state,
                                                           "--sign-delay-ms", "\(signDelayMilliseconds)"], environment: pcscd.environment)
        _ = try await card.waitForLine(containing: "inserted into vpcd", timeout: 20)
        process = card
        let name = reader == 0 ? PCSCDaemon.firstReader : PCSCDaemon.secondReader
        do {
            try await pcscd.waitForCard(in: name)
        } catch {
            // Seen about once in ten removals on a loaded machine: pcscd 1.9.9 keeps the reader locked ("SCardConnect()
            // Waiting for release of lock") after a card left during a transaction, even once every client let go,
            // and powers no card in that reader again until it restarts. An administrator restarts pcscd then; so does
            // the test, loudly, and gatewayd rides through the restart as it must (CardChain/pcscdRestart).
            // Shown in the test report as a known issue (not a pass that hides it, not a failure of what is tested).
            withKnownIssue("pcscd 1.9.9 held \(name) locked after the card was pulled; pcscd restarted", isIntermittent: true) {
                Issue.record("\(error)")
            }
            try await pcscd.restart()
            try await pcscd.waitForCard(in: name, timeout: 20)
        }
    }

    /// Takes the card out of the reader (its process stops and closes the connection to vpcd).
    func remove() async {
        await process?.stop()
        process = nil
    }

    /// gatewayctl with OpenSC as the module, reaching this pcscd.
    func gatewayctl(_ arguments: [String], extra: [String: String] = [:]) async throws -> ProcessResult {
        try await run(gatewayctlPath, arguments, environment: pcscd.environment.merging(["GATEWAY_PKCS11_MODULE": Self.openSC]) { $1 }.merging(extra) { $1 })
    }

    /// Enrolls the card key `uri` through the RA: the certificate lands in `out` (OpenSC's PIV driver takes none
    /// onto the card, so enroll exits 3 after saving it).
    @discardableResult
    func enroll(_ pki: PKIDFixture, uri: String, title: String, profile: String, out: String) async throws -> ProcessResult {
        let secret = try await pki.register(title, profile: profile)
        let enrolled = try await gatewayctl(["enroll", "--url", pki.url, "--ca", pki.pki + "/ca.pem", "--secret-env", "CARD_SECRET",
                                       "--key", uri, "--system-title", title, "--profile", profile, "--out", out],
                                      extra: ["CARD_SECRET": secret])
        guard enrolled.status == 0 || enrolled.status == 3, FileManager.default.fileExists(atPath: out) else {
            throw TestSetupError("enroll \(uri) on the virtual card (\(enrolled.status)): \(enrolled.stderr)")
        }
        return enrolled
    }
}
