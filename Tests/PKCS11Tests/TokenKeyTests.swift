import Foundation
import PKCS11
import Signing
import Testing
import TestSupport

@Suite("Keys generated on a SoftHSM token")
struct TokenKeyTests {
    @Test("every key type is generated sensitive, never extractable, and its signatures verify", arguments: KeyAlgorithm.supported)
    func generateAndSign(_ algorithm: KeyAlgorithm) async throws {
        let (token, label, _) = try await InProcessSoftHSM.token("gen")
        let key = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "k"), algorithm: algorithm)
        #expect(key.algorithm == algorithm)
        #expect(key.id.count == 16)

        let objects = try await token.objects(matching: InProcessSoftHSM.uri(label, object: "k"))
        let privateKey = try #require(objects.first { $0.objectClass == .privateKey })
        #expect(privateKey.sensitive == true)
        #expect(privateKey.extractable == false)
        #expect(privateKey.neverExtractable == true)
        #expect(objects.first { $0.objectClass == .publicKey }?.id == privateKey.id)

        let message = Array("reading 42".utf8)
        let schemes: [SignatureScheme] = switch algorithm {
        case .ecdsa(let curve): [.ecdsa(curve.matchingHash), .ecdsa(.sha256)]
        case .rsa: [.rsaPSS(.sha256), .rsaPKCS1v15(.sha256), .rsaPSS(.sha384)]
        }
        for scheme in schemes {
            let signature = try await key.sign(message, scheme: scheme)
            #expect(key.publicKey.isValidSignature(signature, for: message), "\(scheme)")
            #expect(!key.publicKey.isValidSignature(signature, for: message + [0]), "\(scheme) accepted a changed message")
            if case .ecdsa(let curve) = algorithm {
                #expect(signature.bytes.count == 2 * curve.coordinateSize)
            }
        }
        // The public key read back from the token is the key's.
        #expect(try await token.publicKey(InProcessSoftHSM.uri(label, object: "k")) == key.publicKey)
    }

    @Test("a second key with the same label is refused; an ambiguous URI lists the candidates")
    func ambiguity() async throws {
        let (token, label, _) = try await InProcessSoftHSM.token("amb")
        _ = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "sign"), algorithm: .ecdsa(.p256))
        await #expect(throws: PKCS11Error.self) {
            _ = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "sign"), algorithm: .ecdsa(.p256))
        }
        // A second key under the same label, made the way other tools do (explicit id).
        _ = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "other", id: [1]), algorithm: .ecdsa(.p256))
        var sameLabelByID = InProcessSoftHSM.uri(label, id: [1])
        sameLabelByID.type = .privateKey
        _ = try await token.key(sameLabelByID)  // unique by id
        do {
            _ = try await token.key(InProcessSoftHSM.uri(label))
            Issue.record("a URI matching two keys was accepted")
        } catch let error as PKCS11Error {
            guard case .ambiguousObject(_, let candidates) = error else { throw error }
            #expect(candidates.count == 2)
            #expect("\(error)".contains("object=other id=01"))
            #expect("\(error)".hasSuffix("add id= or a distinct object= to the URI"))
        }
    }

    @Test("eight concurrent signers share one token and every signature verifies")
    func concurrentSigners() async throws {
        let (token, label, _) = try await InProcessSoftHSM.token("conc", sessions: 4)
        let key = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "k"), algorithm: .ecdsa(.p256))
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for signer in 0..<8 {
                group.addTask {
                    var valid = 0
                    for n in 0..<40 {
                        let message = Array("signer \(signer) message \(n)".utf8)
                        if key.publicKey.isValidSignature(try await key.sign(message), for: message) { valid += 1 }
                    }
                    return valid
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(results == 8 * 40)
    }

    @Test("a key that wants the PIN for every signature (CKA_ALWAYS_AUTHENTICATE) signs")
    func alwaysAuthenticate() async throws {
        let (token, label, pin) = try await InProcessSoftHSM.token("aa")
        let made = try InProcessSoftHSM.fixture.pkcs11Tool([
            "--token-label", label, "--login", "--pin", pin, "--keypairgen", "--key-type", "EC:prime256v1",
            "--label", "piv-sign", "--id", "9c", "--always-auth", "--usage-sign",
        ])
        try #require(made.status == 0, "pkcs11-tool: \(made.stderr)")
        let key = try await token.key(InProcessSoftHSM.uri(label, object: "piv-sign"))
        #expect(key.alwaysAuthenticate)
        let message = Array("signed with a PIV-style key".utf8)
        #expect(key.publicKey.isValidSignature(try await key.sign(message), for: message))
        #expect(key.publicKey.isValidSignature(try await key.sign(message), for: message))
    }
}
