import Foundation
import PKCS11
import Signing
import Testing
import TestSupport

@Suite("Login and PIN sources")
struct LoginTests {
    @Test("a wrong PIN from a file fails and keeps failing without a retry; the fixed file is used")
    func wrongPINFile() async throws {
        let (setup, label, pin) = try await InProcessSoftHSM.token("pin")
        _ = try await setup.generateKeyPair(InProcessSoftHSM.uri(label, object: "k"), algorithm: .ecdsa(.p256))
        await setup.close()

        let pinFile = try InProcessSoftHSM.fixture.pinFile("00000000")
        var uri = InProcessSoftHSM.uri(label, object: "k")
        uri.pinSource = "file:\(pinFile)"
        let token = try await Token.open(uri, module: try InProcessSoftHSM.module, environment: [:])
        for _ in 0..<2 {
            do {
                _ = try await token.key(uri)
                Issue.record("a wrong PIN logged in")
            } catch let error as PKCS11Error {
                guard case .pinIncorrect(let tokenLabel, _) = error else { throw error }
                #expect(tokenLabel == label)
                #expect(!"\(error)".contains("00000000"))
            }
        }
        try pin.write(toFile: pinFile, atomically: true, encoding: .utf8)
        chmod(pinFile, 0o600)
        let key = try await token.key(uri)
        let message = Array("after the PIN file was fixed".utf8)
        #expect(key.publicKey.isValidSignature(try await key.sign(message), for: message))
    }

    @Test("PIN source precedence: the URI's pin-source, then GATEWAY_PIN, refusing pin-value")
    func precedence() throws {
        var uri = try PKCS11URI(parsing: "pkcs11:token=t?pin-source=env:OTHER_PIN")
        #expect(try PINSource.resolve(for: uri, environment: ["GATEWAY_PIN": "1"]) == .environment("OTHER_PIN"))
        uri.pinSource = "file:///etc/gw/pin"
        #expect(try PINSource.resolve(for: uri, environment: [:]) == .file("/etc/gw/pin"))
        uri.pinSource = "/etc/gw/pin"
        #expect(try PINSource.resolve(for: uri, environment: [:]) == .file("/etc/gw/pin"))
        uri.pinSource = nil
        #expect(try PINSource.resolve(for: uri, environment: ["GATEWAY_PIN": "1"]) == .environment("GATEWAY_PIN"))
        uri.pinSource = "https://example.org/pin"
        #expect(throws: PKCS11Error.self) { try PINSource.resolve(for: uri, environment: [:]) }
        uri.pinSource = nil
        uri.pinValue = "1234"
        #expect(throws: PKCS11Error.self) { try PINSource.resolve(for: uri, environment: ["GATEWAY_PIN": "1"]) }
    }
}
