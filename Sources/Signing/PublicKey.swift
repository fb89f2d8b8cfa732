import Crypto
import CryptoExtras
import Foundation

/// A public key as the rest of the project sees it: an algorithm, its SubjectPublicKeyInfo, and the ability
/// to check signatures. Tokens, certificates and software keys all meet here, so verification code never
/// needs to know where a key lives.
public struct PublicKey: Sendable {
    private enum Backing: Sendable {
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case p521(P521.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
    }

    private let backing: Backing

    public var algorithm: KeyAlgorithm {
        switch backing {
        case .p256: .ecdsa(.p256)
        case .p384: .ecdsa(.p384)
        case .p521: .ecdsa(.p521)
        case .rsa(let key): .rsa(bits: key.keySizeInBits)
        }
    }

    /// DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    public var subjectPublicKeyInfo: [UInt8] {
        switch backing {
        case .p256(let key): Array(key.derRepresentation)
        case .p384(let key): Array(key.derRepresentation)
        case .p521(let key): Array(key.derRepresentation)
        case .rsa(let key): Array(key.derRepresentation)
        }
    }

    /// PEM `PUBLIC KEY`, what `openssl dgst -verify` reads.
    public var pemRepresentation: String {
        switch backing {
        case .p256(let key): key.pemRepresentation
        case .p384(let key): key.pemRepresentation
        case .p521(let key): key.pemRepresentation
        case .rsa(let key): key.pemRepresentation
        }
    }

    /// From an uncompressed EC point (04‖X‖Y), as PKCS#11 stores it in CKA_EC_POINT.
    public init(ecPoint: [UInt8], curve: Curve) throws(SigningError) {
        do {
            switch curve {
            case .p256: backing = .p256(try P256.Signing.PublicKey(x963Representation: ecPoint))
            case .p384: backing = .p384(try P384.Signing.PublicKey(x963Representation: ecPoint))
            case .p521: backing = .p521(try P521.Signing.PublicKey(x963Representation: ecPoint))
            }
        } catch {
            throw .unsupportedPublicKey("the EC point is not a valid uncompressed \(curve.rawValue) point")
        }
    }

    /// From an RSA modulus and public exponent (big-endian), as PKCS#11 stores them.
    public init(rsaModulus modulus: [UInt8], publicExponent: [UInt8]) throws(SigningError) {
        do {
            backing = .rsa(try _RSA.Signing.PublicKey(n: modulus, e: publicExponent))
        } catch {
            throw .unsupportedPublicKey("RSA modulus of \(modulus.count * 8) bits rejected (\(error))")
        }
    }

    /// From DER SubjectPublicKeyInfo.
    public init(subjectPublicKeyInfo der: [UInt8]) throws(SigningError) {
        if let key = try? P256.Signing.PublicKey(derRepresentation: der) {
            backing = .p256(key)
        } else if let key = try? P384.Signing.PublicKey(derRepresentation: der) {
            backing = .p384(key)
        } else if let key = try? P521.Signing.PublicKey(derRepresentation: der) {
            backing = .p521(key)
        } else if let key = try? _RSA.Signing.PublicKey(derRepresentation: der) {
            backing = .rsa(key)
        } else {
            throw .unsupportedPublicKey("not a SubjectPublicKeyInfo of a supported key")
        }
    }

    /// From PEM `PUBLIC KEY`.
    public init(pemEncoded pem: String) throws(SigningError) {
        let body = pem.split(whereSeparator: \.isNewline)
            .filter { !$0.hasPrefix("-----") }
            .joined()
        guard pem.contains("-----BEGIN PUBLIC KEY-----"), let der = Data(base64Encoded: body) else {
            throw .unsupportedPublicKey("not a PEM PUBLIC KEY block")
        }
        try self.init(subjectPublicKeyInfo: Array(der))
    }

    init(_ key: P256.Signing.PublicKey) { backing = .p256(key) }
    init(_ key: P384.Signing.PublicKey) { backing = .p384(key) }
    init(_ key: P521.Signing.PublicKey) { backing = .p521(key) }
    init(_ key: _RSA.Signing.PublicKey) { backing = .rsa(key) }

    /// Checks `signature` over `message`. A signature in the wrong format or of another scheme is simply invalid:
    /// verifiers report a verdict, not an exception.
    public func isValidSignature(_ signature: Signature, for message: [UInt8]) -> Bool {
        guard signature.scheme.fits(algorithm) else { return false }
        let digest = signature.scheme.hash.hash(message)
        switch backing {
        case .p256(let key):
            guard let sig = try? P256.Signing.ECDSASignature(rawRepresentation: signature.bytes) else { return false }
            return key.isValidSignature(sig, for: digest)
        case .p384(let key):
            guard let sig = try? P384.Signing.ECDSASignature(rawRepresentation: signature.bytes) else { return false }
            return key.isValidSignature(sig, for: digest)
        case .p521(let key):
            guard let sig = try? P521.Signing.ECDSASignature(rawRepresentation: signature.bytes) else { return false }
            return key.isValidSignature(sig, for: digest)
        case .rsa(let key):
            let sig = _RSA.Signing.RSASignature(rawRepresentation: signature.bytes)
            let padding: _RSA.Signing.Padding = if case .rsaPSS = signature.scheme { .PSS } else { .insecurePKCS1v1_5 }
            return key.isValidSignature(sig, for: digest, padding: padding)
        }
    }
}

extension PublicKey: Hashable {
    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.subjectPublicKeyInfo == rhs.subjectPublicKeyInfo
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(subjectPublicKeyInfo)
    }
}
