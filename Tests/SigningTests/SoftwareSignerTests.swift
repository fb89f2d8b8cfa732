import Crypto
import Signing
import Testing

@Suite("Software signer and public keys")
struct SoftwareSignerTests {
    let message = Array("1.0.1.8.0.255 = 12345.6 Wh".utf8)

    @Test("each key type signs with each scheme it fits, and only the right message verifies", arguments: KeyAlgorithm.supported)
    func signAndVerify(_ algorithm: KeyAlgorithm) async throws {
        let signer = try SoftwareSigner(generating: algorithm)
        #expect(signer.algorithm == algorithm)
        let schemes: [SignatureScheme] = switch algorithm {
        case .ecdsa: [.ecdsa(.sha256), .ecdsa(.sha384), .ecdsa(.sha512)]
        case .rsa: [.rsaPSS(.sha256), .rsaPKCS1v15(.sha256), .rsaPSS(.sha512)]
        }
        for scheme in schemes {
            let signature = try await signer.sign(message, scheme: scheme)
            #expect(signer.publicKey.isValidSignature(signature, for: message))
            var tampered = signature
            tampered.bytes[tampered.bytes.count / 2] ^= 0x01
            #expect(!signer.publicKey.isValidSignature(tampered, for: message))
            #expect(!signer.publicKey.isValidSignature(signature, for: message + [0x20]))
        }
    }

    @Test("a scheme of the other family is refused when signing and never verifies")
    func wrongFamily() async throws {
        let ec = try SoftwareSigner(generating: .ecdsa(.p256))
        await #expect(throws: SigningError.schemeDoesNotFitKey(.rsaPSS(.sha256), .ecdsa(.p256))) {
            _ = try await ec.sign(message, scheme: .rsaPSS(.sha256))
        }
        let signature = try await ec.sign(message)
        #expect(!ec.publicKey.isValidSignature(Signature(scheme: .rsaPSS(.sha256), bytes: signature.bytes), for: message))
        // The same bytes claimed under another hash do not verify either.
        #expect(!ec.publicKey.isValidSignature(Signature(scheme: .ecdsa(.sha384), bytes: signature.bytes), for: message))
    }

    @Test("raw r||s and DER are the same ECDSA signature", arguments: Curve.allCases)
    func derRoundTrip(_ curve: Curve) async throws {
        let signer = try SoftwareSigner(generating: .ecdsa(curve))
        let signature = try await signer.sign(message)
        #expect(signature.bytes.count == 2 * curve.coordinateSize)
        let der = try signature.derEncoded()
        #expect(der.first == 0x30)
        let back = try Signature(ecdsaDER: der, curve: curve, hash: curve.matchingHash)
        #expect(back == signature)
        #expect(throws: SigningError.self) { try Signature(ecdsaDER: Array(der.dropLast()), curve: curve, hash: curve.matchingHash) }
    }

    @Test("public keys survive SubjectPublicKeyInfo and PEM", arguments: KeyAlgorithm.supported)
    func publicKeyEncodings(_ algorithm: KeyAlgorithm) throws {
        let key = try SoftwareSigner(generating: algorithm).publicKey
        #expect(try PublicKey(subjectPublicKeyInfo: key.subjectPublicKeyInfo) == key)
        #expect(try PublicKey(pemEncoded: key.pemRepresentation) == key)
        #expect(try PublicKey(subjectPublicKeyInfo: key.subjectPublicKeyInfo).algorithm == algorithm)
        #expect(key.pemRepresentation.hasPrefix("-----BEGIN PUBLIC KEY-----"))
    }

    @Test("garbage is not a public key")
    func malformedKeys() {
        #expect(throws: SigningError.self) { try PublicKey(subjectPublicKeyInfo: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(throws: SigningError.self) { try PublicKey(ecPoint: [0x04] + [UInt8](repeating: 7, count: 64), curve: .p256) }
        #expect(throws: SigningError.self) { try PublicKey(pemEncoded: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----") }
    }

    @Test("key type names are what --type accepts")
    func names() {
        #expect(KeyAlgorithm.supported.map(\.name) == ["ec-p256", "ec-p384", "ec-p521", "rsa-2048", "rsa-3072", "rsa-4096"])
        #expect(KeyAlgorithm(name: "EC-P384") == .ecdsa(.p384))
        #expect(KeyAlgorithm(name: "rsa-1024") == nil)
    }

    @Test("the DigestInfo prefixes are well-formed DER headers for their digest")
    func digestInfo() throws {
        // Their use is checked end to end by the token tests that sign with bare CKM_RSA_PKCS.
        for hash in HashAlgorithm.allCases {
            #expect(hash.digestInfoPrefix.count == 19)
            #expect(Int(hash.digestInfoPrefix[1]) == hash.digestInfoPrefix.count - 2 + hash.digestSize)
            #expect(Int(hash.digestInfoPrefix.last!) == hash.digestSize)
        }
    }
}
