/// Failures of the signing layer that are not a token's: the caller asked for something the key cannot do,
/// or bytes that should be a key or signature are not.
public enum SigningError: Error, Sendable, Hashable, CustomStringConvertible {
    case schemeDoesNotFitKey(SignatureScheme, KeyAlgorithm)
    case unsupportedPublicKey(String)
    case malformedSignature(String)
    case unsupportedKeyAlgorithm(KeyAlgorithm)

    public var description: String {
        switch self {
        case .schemeDoesNotFitKey(let scheme, let key):
            "\(scheme) cannot be made with an \(key) key; choose a scheme of the key's family"
        case .unsupportedPublicKey(let reason):
            "unsupported public key: \(reason); use an EC P-256/P-384/P-521 or RSA (2048 bits or more) key"
        case .malformedSignature(let reason):
            "malformed signature: \(reason)"
        case .unsupportedKeyAlgorithm(let algorithm):
            "\(algorithm) keys are not supported here; use one of \(KeyAlgorithm.supported.map(\.name).joined(separator: ", "))"
        }
    }
}
