/// One BER-TLV element as PIV uses them (SP 800-73-4 Part 1 §3.3, Part 2 §3.2): a tag of one to three bytes
/// kept as its bytes' number (0x7C, 0x7F49, 0x5FC105), and the value's bytes. Nested templates are parsed on
/// demand by handing `value` to another `TLVReader`.
public struct TLV: Sendable, Hashable {
    public var tag: UInt32
    public var value: [UInt8]

    public init(tag: UInt32, value: [UInt8]) {
        self.tag = tag
        self.value = value
    }

    /// A constructed element built from children.
    public init(tag: UInt32, children: [TLV]) {
        self.init(tag: tag, value: children.flatMap(\.encoded))
    }

    /// Tag, definite length (short form below 128, else 0x81/0x82/0x83 and the length), value.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        if tag > 0xFFFF { out.append(UInt8(tag >> 16)) }
        if tag > 0xFF { out.append(UInt8((tag >> 8) & 0xFF)) }
        out.append(UInt8(tag & 0xFF))
        out += Self.encodeLength(value.count)
        return out + value
    }

    static func encodeLength(_ length: Int) -> [UInt8] {
        switch length {
        case ..<0x80: [UInt8(length)]
        case ..<0x100: [0x81, UInt8(length)]
        case ..<0x10000: [0x82, UInt8(length >> 8), UInt8(length & 0xFF)]
        default: [0x83, UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        }
    }
}

extension Array where Element == TLV {
    /// The first element with `tag`.
    public func first(tag: UInt32) -> TLV? { first { $0.tag == tag } }
}
