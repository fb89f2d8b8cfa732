import CPKCS11
import Foundation
@testable import PKCS11
import Signing
import Testing
import TestSupport

/// What happens to a live key when its token changes underneath it: sessions closed (a reset), the key deleted
/// by another program, the key replaced. Each ends in a working signature or a named error, never a crash.
@Suite("Recovery after the token changes under a live session")
struct RecoveryTests {
    let message = Array("after the reset".utf8)

    @Test("sessions closed under the key (a reset): the next signature reopens, logs in and succeeds")
    func sessionsClosed() async throws {
        let (token, label, _) = try await InProcessSoftHSM.token("reset", sessions: 2)
        let key = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "k"), algorithm: .ecdsa(.p256))
        #expect(key.publicKey.isValidSignature(try await key.sign(message), for: message))
        let generation = token.generation

        // What a card reset does to this process: every session and the login are gone.
        _ = token.module.functions.pointee.C_CloseAllSessions(token.currentSlot)

        #expect(key.publicKey.isValidSignature(try await key.sign(message), for: message))
        #expect(token.generation == generation + 1)
    }

    @Test("the key deleted by another program: the next signature fails with key not found")
    func keyDeleted() async throws {
        let (token, label, pin) = try await InProcessSoftHSM.token("del")
        let key = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "k", id: [0xAB]), algorithm: .ecdsa(.p256))
        _ = try await key.sign(message)

        let deleted = try await InProcessSoftHSM.pkcs11Tool(
            ["--token-label", label, "--login", "--pin", pin, "--delete-object", "--type", "privkey", "--id", "ab"]
        )
        try #require(deleted.status == 0, "pkcs11-tool: \(deleted.stderr)")

        do {
            _ = try await key.sign(message)
            Issue.record("signed with a deleted key")
        } catch let error as PKCS11Error {
            guard case .objectNotFound = error else { throw error }
            #expect("\(error)".hasPrefix("no private key matches pkcs11:token=\(label);object=k;type=private;id=%AB"))
        }
    }

    @Test("the key deleted and a new one made under the same label and id: refused as replaced")
    func keyReplaced() async throws {
        let (token, label, pin) = try await InProcessSoftHSM.token("repl")
        let key = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "k", id: [0xCD]), algorithm: .ecdsa(.p256))
        _ = try await key.sign(message)

        for type in ["privkey", "pubkey"] {
            let deleted = try await InProcessSoftHSM.pkcs11Tool(
                ["--token-label", label, "--login", "--pin", pin, "--delete-object", "--type", type, "--id", "cd"]
            )
            try #require(deleted.status == 0, "pkcs11-tool: \(deleted.stderr)")
        }
        let made = try await InProcessSoftHSM.pkcs11Tool([
            "--token-label", label, "--login", "--pin", pin, "--keypairgen", "--key-type", "EC:prime256v1",
            "--label", "k", "--id", "cd", "--usage-sign",
        ])
        try #require(made.status == 0, "pkcs11-tool: \(made.stderr)")

        await #expect {
            _ = try await key.sign(message)
        } throws: { error in
            guard let error = error as? PKCS11Error, case .keyReplaced = error else { return false }
            return true
        }
        // Opened afresh, the new key signs.
        let fresh = try await token.key(InProcessSoftHSM.uri(label, object: "k"))
        #expect(fresh.publicKey != key.publicKey)
        #expect(fresh.publicKey.isValidSignature(try await fresh.sign(message), for: message))
    }
}

extension RecoveryTests {
    @Test("the whole token deleted by another program: the next signature fails as removed or not found")
    func tokenDeleted() async throws {
        let (token, label, _) = try await InProcessSoftHSM.token("gone")
        let key = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "k"), algorithm: .ecdsa(.p256))
        _ = try await key.sign(message)

        let deleted = try await InProcessSoftHSM.softhsm2Util(["--delete-token", "--token", label])
        try #require(deleted.status == 0, "softhsm2-util: \(deleted.output) \(deleted.stderr)")

        do {
            _ = try await key.sign(message)
            Issue.record("signed on a deleted token")
        } catch let error as PKCS11Error {
            switch error {
            case .tokenRemoved:
                #expect("\(error)" == "token \"\(label)\" was removed or reset and is not back; reinsert the card or re-create the token, then retry")
            case .objectNotFound:
                #expect("\(error)".hasPrefix("no private key matches"))
            default:
                Issue.record("unexpected error: \(error)")
            }
        }
    }
}
