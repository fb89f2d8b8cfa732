/// Why a register map was refused, naming the offending entry so the file can be fixed.
public enum RegisterMapError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(String)
    case overlap(String, String)
    case duplicateOBIS(String, first: String, second: String)
    case invalidOBIS(String, entry: String)
    case invalidEntry(String, reason: String)
    case empty

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read register map \(path): \(reason)"
        case .malformed(let reason):
            "register map is not valid: \(reason)"
        case .overlap(let first, let second):
            "register map: \"\(second)\" overlaps the registers of \"\(first)\"; fix one of their addresses"
        case .duplicateOBIS(let obis, let first, let second):
            "register map: OBIS code \(obis) is used by both \"\(first)\" and \"\(second)\"; each value needs its own code"
        case .invalidOBIS(let obis, let entry):
            "register map: \"\(entry)\" has OBIS code \"\(obis)\", which is not six numbers 0-255 like 1.0.32.7.0.255"
        case .invalidEntry(let entry, let reason):
            "register map: \"\(entry)\" \(reason)"
        case .empty:
            "register map lists no registers"
        }
    }
}
