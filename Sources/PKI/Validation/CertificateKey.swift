import X509

/// A certificate as the key of a receiver's per-certificate caches (`ValidationCache`, a record verifier's known
/// signers): equal when the certificates are, byte for byte, but hashed over its to-be-signed bytes in one call. A
/// `Certificate` hashes its bytes one at a time, and its caches are asked several times for every frame.
public struct CertificateKey: Hashable, Sendable {
    public let certificate: Certificate

    public init(_ certificate: Certificate) {
        self.certificate = certificate
    }

    public static func == (lhs: CertificateKey, rhs: CertificateKey) -> Bool {
        lhs.certificate == rhs.certificate
    }

    public func hash(into hasher: inout Hasher) {
        certificate.tbsCertificateBytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
