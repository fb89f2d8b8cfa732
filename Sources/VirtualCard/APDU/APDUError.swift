/// Why bytes from the reader are not a command this card can parse. The card answers each with a status word
/// instead of crashing: a reader, a fuzzer or a buggy host may send anything.
public enum APDUError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the header or the declared Lc needs.
    case truncated(needed: Int, got: Int)
    /// Lc = 00 introduces an extended-length APDU; this card announces none, so none may come.
    case extendedLengthUnsupported
    /// More bytes than header, Lc, data and one Le byte.
    case trailingBytes(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .truncated(let needed, let got): "command APDU truncated: \(got) bytes, \(needed) needed"
        case .extendedLengthUnsupported: "extended-length APDU; this card takes short APDUs only"
        case .trailingBytes(let expected, let got): "command APDU has \(got) bytes where Lc says \(expected)"
        }
    }
}
