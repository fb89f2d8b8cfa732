extension Sequence where Element == UInt8 {
    /// Upper-case hex without separators: how serial numbers, system titles and key ids are shown and looked up
    /// everywhere in the project (`gatewayctl ca list`, the Central Directory, `certificate_info`).
    public var hexString: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Bytes from hex digits (either case; white space ignored), or nil for an odd count or a non-hex character:
    /// the inverse of `hexString`, for ids and frames users type.
    public init?(hexDigits text: String) {
        let digits = text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = digits[index].hexDigitValue, let low = digits[index + 1].hexDigitValue else { return nil }
            bytes.append(UInt8(high << 4 | low))
        }
        self = bytes
    }
}
