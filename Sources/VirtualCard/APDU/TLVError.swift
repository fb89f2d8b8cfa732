/// Why bytes are not well-formed BER-TLV. Offsets count from the start of the buffer given to `TLVReader`, so
/// a test or a log line can point at the byte.
public enum TLVError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The buffer ends inside a tag, a length or a value.
    case truncated(offset: Int)
    /// A length wider than three bytes, or a value longer than `TLVReader.maximumLength`: no PIV object is that
    /// big, and a reader must not be talked into allocating it.
    case oversized(offset: Int, length: Int)
    /// A tag longer than three bytes, or the indefinite length 0x80 (DER-like PIV objects never use it).
    case malformed(offset: Int, reason: String)

    public var description: String {
        switch self {
        case .truncated(let offset): "BER-TLV truncated at byte \(offset)"
        case .oversized(let offset, let length): "BER-TLV length \(length) at byte \(offset) is too large"
        case .malformed(let offset, let reason): "BER-TLV malformed at byte \(offset): \(reason)"
        }
    }
}
