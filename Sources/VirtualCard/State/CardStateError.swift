/// Why the card's state cannot be read, written or changed. Each message names the cause and the fix.
public enum CardStateError: Error, Hashable, Sendable, CustomStringConvertible {
    case cannotCreateDirectory(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case invalidPIN
    case invalidManagementKey(bytes: Int)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            "cannot create the virtual card's state directory \(path): \(reason); choose a writable --state"
        case .cannotRead(let path, let reason): "cannot read the virtual card's state \(path): \(reason)"
        case .corrupt(let path, let reason):
            "the virtual card's state \(path) is not valid (\(reason)); remove it and provision again"
        case .cannotWrite(let path, let reason): "cannot write the virtual card's state \(path): \(reason)"
        case .invalidPIN: "the virtual card's PIN must be 6 to 8 digits"
        case .invalidManagementKey(let bytes):
            "the management key must be 16 bytes (AES-128, 32 hex digits), not \(bytes)"
        }
    }
}
