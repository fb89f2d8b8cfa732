/// Why bytes are not a valid IEC 62056-4-7 wrapper frame.
public enum WrapperError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fewer than 8 bytes.
    case truncatedHeader(available: Int)
    /// A version other than 0x0001: not a DLMS wrapper, or a desynchronised stream.
    case unsupportedVersion(UInt16)
    /// The header announces more APDU bytes than there are.
    case truncatedAPDU(expected: Int, available: Int)
    /// Bytes after the announced APDU (a single frame was expected).
    case trailingBytes(count: Int)
    /// The announced length is above the receiver's maximum frame size.
    case oversized(length: Int, limit: Int)
    /// An APDU too long for the 16-bit length field.
    case apduTooLong(Int)

    public var description: String {
        switch self {
        case .truncatedHeader(let available): "wrapper header needs 8 bytes, only \(available) present"
        case .unsupportedVersion(let version): "wrapper version \(version) is not 1; the peer is not speaking the DLMS TCP wrapper"
        case .truncatedAPDU(let expected, let available): "wrapper announces \(expected) APDU bytes, only \(available) present"
        case .trailingBytes(let count): "\(count) byte(s) after the wrapper frame"
        case .oversized(let length, let limit): "wrapper frame of \(length) bytes exceeds the limit of \(limit)"
        case .apduTooLong(let count): "APDU of \(count) bytes does not fit the wrapper's 16-bit length"
        }
    }
}
