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
        let duplicate = await #expect(throws: PKCS11Error.self) {
            _ = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "sign"), algorithm: .ecdsa(.p256))
        }
        guard case .keyAlreadyExists(let refusedLabel, _)? = duplicate else {
            Issue.record("a duplicate label was refused as \(String(describing: duplicate)), not as an existing key")
            return
        }
        #expect(refusedLabel == "sign")
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
        let made = try await InProcessSoftHSM.pkcs11Tool([
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

extension TokenKeyTests {
    @Test("host-side hashing with the bare mechanisms (CKM_ECDSA, CKM_RSA_PKCS with DigestInfo, CKM_RSA_PKCS_PSS) verifies")
    func bareMechanisms() async throws {
        let (token, label, _) = try await InProcessSoftHSM.token("bare")
        let message = Array("hash on the host".utf8)
        let rsa = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "rsa"), algorithm: .rsa(bits: 2048))
        for scheme in [SignatureScheme.rsaPKCS1v15(.sha256), .rsaPKCS1v15(.sha384), .rsaPSS(.sha256), .rsaPSS(.sha512)] {
            let raw = try await rsa.signDigest(scheme.hash.digest(message), scheme: scheme)
            #expect(rsa.publicKey.isValidSignature(Signature(scheme: scheme, bytes: raw), for: message), "\(scheme)")
        }
        let ec = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "ec"), algorithm: .ecdsa(.p384))
        let raw = try await ec.signDigest(HashAlgorithm.sha384.digest(message), scheme: .ecdsa(.sha384))
        #expect(ec.publicKey.isValidSignature(Signature(scheme: .ecdsa(.sha384), bytes: raw), for: message))
    }

    @Test("a certificate is stored under its key's id, read back, and refused for another key")
    func certificates() async throws {
        let (token, label, _) = try await InProcessSoftHSM.token("cert")
        let key = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "tls"), algorithm: .ecdsa(.p256))
        let other = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "other"), algorithm: .ecdsa(.p256))
        let der = try await selfIssuedCertificate(for: key.publicKey)

        let stored = try await token.importCertificate(der, for: InProcessSoftHSM.uri(label, object: "tls"))
        #expect(stored.objectClass == .certificate)
        #expect(stored.id == key.id)
        #expect(stored.label == "tls")
        #expect(try await token.certificate(InProcessSoftHSM.uri(label, object: "tls")) == der)

        await #expect {
            try await token.importCertificate(der, for: InProcessSoftHSM.uri(label, object: "other"))
        } throws: { error in
            "\(error)".hasPrefix("the certificate's public key is not the key of")
        }
        _ = other
        let removed = try await token.delete(InProcessSoftHSM.uri(label, object: "tls"))
        #expect(Set(removed.map(\.objectClass)) == [.privateKey, .publicKey, .certificate])
    }

    /// A certificate for `key`, made by openssl with a throwaway software CA (the PKI comes in a later module).
    private func selfIssuedCertificate(for key: PublicKey) async throws -> [UInt8] {
        let dir = try temporaryDirectory("cert")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pub = dir.appendingPathComponent("pub.pem").path
        try key.pemRepresentation.write(toFile: pub, atomically: true, encoding: .utf8)
        let ca = dir.appendingPathComponent("ca.key").path
        #expect(try await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca]).status == 0)
        let out = dir.appendingPathComponent("cert.der").path
        let made = try await run("openssl", [
            "x509", "-new", "-subj", "/CN=00DB1234567890A0", "-key", ca, "-force_pubkey", pub, "-days", "1",
            "-outform", "DER", "-out", out,
        ])
        try #require(made.status == 0, "openssl: \(made.stderr)")
        return Array(try Data(contentsOf: URL(fileURLWithPath: out)))
    }
}
