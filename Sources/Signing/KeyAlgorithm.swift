/// The NIST curves the project signs with. Brainpool is absent on purpose: neither BoringSSL (TLS) nor
/// swift-crypto implement it, so a brainpool key could sign but nobody here could verify it.
public enum Curve: String, Sendable, Hashable, CaseIterable {
    case p256 = "P-256"
    case p384 = "P-384"
    case p521 = "P-521"

    /// Bytes of one coordinate, and so of r and s in a raw ECDSA signature.
    public var coordinateSize: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }

    /// The hash that matches the curve's strength (what `gatewayctl token sign` and DLMS suites 1 and 2 use).
    public var matchingHash: HashAlgorithm {
        switch self {
        case .p256: .sha256
        case .p384: .sha384
        case .p521: .sha512
        }
    }

    /// The named-curve OID in DER, as PKCS#11 wants it in CKA_EC_PARAMS.
    public var namedCurveDER: [UInt8] {
        switch self {
        case .p256: [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]  // 1.2.840.10045.3.1.7
        case .p384: [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]  // 1.3.132.0.34
        case .p521: [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23]  // 1.3.132.0.35
        }
    }

    public init?(namedCurveDER der: [UInt8]) {
        guard let curve = Curve.allCases.first(where: { $0.namedCurveDER == der }) else { return nil }
        self = curve
    }
}

/// What kind of key signs: the family and its size. Mirrors what a token reports for a key pair.
public enum KeyAlgorithm: Sendable, Hashable, CustomStringConvertible {
    case ecdsa(Curve)
    case rsa(bits: Int)

    /// The names users type (`--type ec-p256`), in the order the CLI lists them.
    public static let supported: [KeyAlgorithm] = [
        .ecdsa(.p256), .ecdsa(.p384), .ecdsa(.p521), .rsa(bits: 2048), .rsa(bits: 3072), .rsa(bits: 4096),
    ]

    public init?(name: String) {
        guard let algorithm = Self.supported.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = algorithm
    }

    /// `ec-p256`, `rsa-2048`, …: the spelling of `--type`.
    public var name: String {
        switch self {
        case .ecdsa(let curve): "ec-" + curve.rawValue.lowercased().replacingOccurrences(of: "-", with: "")
        case .rsa(let bits): "rsa-\(bits)"
        }
    }

    public var description: String {
        switch self {
        case .ecdsa(let curve): "ECDSA \(curve.rawValue)"
        case .rsa(let bits): "RSA \(bits)"
        }
    }

    /// Bytes of one signature by such a key: raw r‖s for ECDSA, the modulus length for RSA. Every verifier holds
    /// a signature to exactly this length, which is what lets a longer signature field carry something else.
    public var signatureSize: Int {
        switch self {
        case .ecdsa(let curve): 2 * curve.coordinateSize
        case .rsa(let bits): (bits + 7) / 8
        }
    }

    /// The scheme used when a caller does not choose: ECDSA with the curve's hash, RSA-PSS with SHA-256
    /// (PSS rather than PKCS#1 v1.5 because TLS 1.3 accepts only PSS for RSA keys).
    public var defaultScheme: SignatureScheme {
        switch self {
        case .ecdsa(let curve): .ecdsa(curve.matchingHash)
        case .rsa: .rsaPSS(.sha256)
        }
    }
}
