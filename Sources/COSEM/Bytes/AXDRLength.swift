/// The A-XDR length (and element count) encoding: below 0x80 one byte, else `81 xx`, `82 xxxx` or `84 xxxxxxxx`.
///
/// The canonical form is the shortest of those three long forms, which is what Gurux and dlms-cosem write. The
/// BER-style `83 xxxxxx` is legal ASN.1 but no DLMS encoder emits it, so it counts as non-canonical here.
public enum AXDRLength {
    /// The largest length the 4-byte form can carry.
    public static let maximum = Int(UInt32.max)

    /// The first byte of the canonical encoding of `value`.
    @usableFromInline
    static func form(of value: UInt64) -> UInt8 {
        switch value {
        case 0 ..< 0x80: UInt8(value)
        case 0x80 ... 0xFF: 0x81
        case 0x100 ... 0xFFFF: 0x82
        default: 0x84
        }
    }

    /// The canonical encoding of a length; values above `maximum` are clamped (callers never produce them).
    public static func encode(_ value: Int) -> [UInt8] {
        let value = UInt64(clamping: max(0, min(value, maximum)))
        switch form(of: value) {
        case 0x81: return [0x81, UInt8(value)]
        case 0x82: return [0x82, UInt8(value >> 8), UInt8(truncatingIfNeeded: value)]
        case 0x84:
            return [0x84, UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                    UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        default: return [UInt8(value)]
        }
    }
}
