/// Why `provision` refused. Each message names the cause and the fix.
public enum ProvisioningError: Error, Hashable, Sendable, CustomStringConvertible {
    case unsupportedSlot(String)
    case unsupportedKeyType(String)
    case unreadableCertificate(path: String)
    case noKeyInSlot(slot: String)
    case certificateKeyMismatch(slot: String)
    case certificateCreation(String)

    public var description: String {
        switch self {
        case .unsupportedSlot(let slot): "slot \(slot) is not one the virtual card provisions; use 9a or 9c (also 9d, 9e)"
        case .unsupportedKeyType(let type): "key type \(type) is not one the virtual card implements; use ec-p256 or ec-p384"
        case .unreadableCertificate(let path): "\(path) is neither a DER nor a PEM certificate"
        case .noKeyInSlot(let slot):
            "slot \(slot) has no key to match the certificate; provision the slot's key first (without --certificate)"
        case .certificateKeyMismatch(let slot):
            "the certificate's public key is not slot \(slot)'s key; give the certificate issued for that key, or provision a new key"
        case .certificateCreation(let reason): "cannot make the self-signed certificate: \(reason)"
        }
    }
}
