import Crypto

/// The SHA-2 hashes used with the project's keys.
public enum HashAlgorithm: String, Sendable, Hashable, CaseIterable {
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"

    public var digestSize: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    public func digest(_ message: [UInt8]) -> [UInt8] {
        Array(hash(message))
    }

    /// The typed digest, for swift-crypto APIs that pick the algorithm from the digest's type (RSA's DigestInfo).
    func hash(_ message: [UInt8]) -> any Digest {
        switch self {
        case .sha256: SHA256.hash(data: message)
        case .sha384: SHA384.hash(data: message)
        case .sha512: SHA512.hash(data: message)
        }
    }

    /// The DER DigestInfo header that PKCS#1 v1.5 puts in front of the digest (RFC 8017 §9.2, note 1).
    /// Needed when a token offers only raw CKM_RSA_PKCS and the host builds the DigestInfo.
    public var digestInfoPrefix: [UInt8] {
        switch self {
        case .sha256:
            [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
        case .sha384:
            [0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30]
        case .sha512:
            [0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]
        }
    }
}
