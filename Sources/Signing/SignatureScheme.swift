/// How a message becomes a signature: the padding family and the hash. The key decides the curve or modulus.
public enum SignatureScheme: Sendable, Hashable, CustomStringConvertible {
    case ecdsa(HashAlgorithm)
    case rsaPKCS1v15(HashAlgorithm)
    /// RSASSA-PSS with MGF1 over the same hash and a salt as long as the digest (what TLS 1.3 and X.509 use).
    case rsaPSS(HashAlgorithm)

    public var hash: HashAlgorithm {
        switch self {
        case .ecdsa(let hash), .rsaPKCS1v15(let hash), .rsaPSS(let hash): hash
        }
    }

    public var description: String {
        switch self {
        case .ecdsa(let hash): "ECDSA with \(hash.rawValue)"
        case .rsaPKCS1v15(let hash): "RSA PKCS#1 v1.5 with \(hash.rawValue)"
        case .rsaPSS(let hash): "RSA-PSS with \(hash.rawValue)"
        }
    }

    /// Whether a key of `algorithm` can produce this scheme at all.
    public func fits(_ algorithm: KeyAlgorithm) -> Bool {
        switch (self, algorithm) {
        case (.ecdsa, .ecdsa), (.rsaPKCS1v15, .rsa), (.rsaPSS, .rsa): true
        default: false
        }
    }
}
