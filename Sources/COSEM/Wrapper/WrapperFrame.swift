/// One wrapper frame: header plus the APDU bytes it announces. The APDU stays undecoded here so transport
/// and codec errors stay apart; decode it with `APDU(decoding:)`.
public struct WrapperFrame: Sendable, Hashable {
    public var source: UInt16
    public var destination: UInt16
    public var apdu: [UInt8]

    /// Refuses APDUs longer than the 16-bit length field can announce.
    public init(source: UInt16, destination: UInt16, apdu: [UInt8]) throws(WrapperError) {
        guard apdu.count <= Int(UInt16.max) else { throw .apduTooLong(apdu.count) }
        self.source = source
        self.destination = destination
        self.apdu = apdu
    }

    public var header: WrapperHeader {
        WrapperHeader(source: source, destination: destination, length: UInt16(truncatingIfNeeded: apdu.count))
    }

    public var encoded: [UInt8] { header.bytes + apdu }

    /// Decodes exactly one frame: the header's length must match the bytes that follow.
    public init(decoding bytes: [UInt8], maxAPDUSize: Int = Int(UInt16.max)) throws(WrapperError) {
        let header = try WrapperHeader(parsing: bytes)
        let length = Int(header.length)
        guard length <= maxAPDUSize else { throw .oversized(length: length, limit: maxAPDUSize) }
        let available = bytes.count - WrapperHeader.size
        guard available >= length else { throw .truncatedAPDU(expected: length, available: available) }
        guard available == length else { throw .trailingBytes(count: available - length) }
        try self.init(source: header.source, destination: header.destination, apdu: Array(bytes[WrapperHeader.size...]))
    }
}

extension WrapperFrame {
    /// How many bytes the frame at the start of `bytes` takes (header and APDU) once all of them are there, or nil
    /// while more are needed. The header is judged as soon as its 8 bytes are in: a wrong version or an announced
    /// length above `maxAPDUSize` throws at once, before a byte of the APDU is waited for, so a peer cannot make a
    /// receiver buffer more than one frame's worth. Both stream splitters (`WrapperFrameSplitter`, and Transport's
    /// NIO decoder) ask this, so they accept and refuse the same streams.
    public static func size<C: Collection>(ofFrameAtStartOf bytes: C, maxAPDUSize: Int) throws(WrapperError) -> Int?
    where C.Element == UInt8 {
        guard bytes.count >= WrapperHeader.size else { return nil }
        let header = try WrapperHeader(parsing: bytes)
        let length = Int(header.length)
        guard length <= maxAPDUSize else { throw .oversized(length: length, limit: maxAPDUSize) }
        let size = WrapperHeader.size + length
        return bytes.count >= size ? size : nil
    }

    /// The APDU of bytes that may or may not carry the wrapper, as files and captures hold frames both ways. The
    /// wrapper starts with its version 00 01, which no APDU tag is, so the first two bytes tell them apart.
    public static func apdu(ofPossiblyWrapped bytes: [UInt8]) throws(WrapperError) -> [UInt8] {
        guard bytes.count >= 2, bytes[0] == 0x00, bytes[1] == 0x01 else { return bytes }
        return try WrapperFrame(decoding: bytes).apdu
    }
}
