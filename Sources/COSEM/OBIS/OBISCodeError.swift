/// Why text or bytes are not an OBIS code.
public enum OBISCodeError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    /// Not six groups in either the dotted or the `A-B:C.D.E*F` layout.
    case malformed(String)
    /// A group that is not a decimal number.
    case invalidGroup(String, in: String)
    /// A group above 255.
    case groupOutOfRange(Int, in: String)
    /// Binary OBIS codes are exactly 6 bytes.
    case wrongByteCount(Int)

    public var description: String {
        switch self {
        case .empty: "OBIS code is empty"
        case .malformed(let text): "\"\(text)\" is not an OBIS code like 1.0.1.8.0.255 or 1-0:1.8.0*255"
        case .invalidGroup(let group, let text): "OBIS code \"\(text)\": group \"\(group)\" is not a number 0-255"
        case .groupOutOfRange(let value, let text): "OBIS code \"\(text)\": group \(value) is above 255"
        case .wrongByteCount(let count): "an OBIS code is 6 bytes, not \(count)"
        }
    }
}
