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
