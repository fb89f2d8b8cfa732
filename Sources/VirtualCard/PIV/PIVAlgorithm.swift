import Signing

/// PIV cryptographic algorithm identifiers (SP 800-78-4 Table 6-2) this card implements: the two NIST curves
/// the project signs with, and AES-128 for the management key. 3DES (03), the PIV default for 9B, is left out
/// because swift-crypto has no 3DES; OpenSC's `piv-tool -A A:9B:08` speaks AES-128 just as well.
public enum PIVAlgorithm: UInt8, Sendable, Hashable, Codable, CustomStringConvertible {
    case aes128 = 0x08
    case eccP256 = 0x11
    case eccP384 = 0x14

    public init?(keyAlgorithm: KeyAlgorithm) {
        switch keyAlgorithm {
        case .ecdsa(.p256): self = .eccP256
        case .ecdsa(.p384): self = .eccP384
        default: return nil
        }
    }

    /// The curve of an asymmetric algorithm.
    public var curve: Curve? {
        switch self {
        case .eccP256: .p256
        case .eccP384: .p384
        case .aes128: nil
        }
    }

    public var description: String {
        switch self {
        case .aes128: "AES-128"
        case .eccP256: "ec-p256"
        case .eccP384: "ec-p384"
        }
    }
}
