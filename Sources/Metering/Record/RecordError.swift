/// Why bytes are not a measurement record, or a record cannot be built.
public enum RecordError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)
    case invalidField(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "not a measurement record: \(reason)"
        case .invalidField(let reason): reason
        }
    }
}
