/// A short command APDU (ISO 7816-4 §5.1, cases 1 to 4). The card's ATR announces no extended lengths, so
/// OpenSC and pcscd send only these; longer data arrives through command chaining (CLA bit 0x10).
public struct CommandAPDU: Sendable, Hashable {
    public var cla: UInt8
    public var ins: UInt8
    public var p1: UInt8
    public var p2: UInt8
    public var data: [UInt8]
    /// Le as a count (a 00 byte means 256), nil when the command carries none.
    public var expectedLength: Int?

    public init(cla: UInt8 = 0x00, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], expectedLength: Int? = nil) {
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.expectedLength = expectedLength
    }

    /// Whether more of this command follows (ISO 7816-4 command chaining): the data is buffered until the
    /// command without the bit arrives.
    public var isChained: Bool { cla & 0x10 != 0 }

    /// Parses the bytes vpcd forwards. Every length is checked against what is there.
    public init(parsing bytes: [UInt8]) throws(APDUError) {
        guard bytes.count >= 4 else { throw .truncated(needed: 4, got: bytes.count) }
        cla = bytes[0]
        ins = bytes[1]
        p1 = bytes[2]
        p2 = bytes[3]
        data = []
        expectedLength = nil
        switch bytes.count {
        case 4:
            return
        case 5:
            expectedLength = bytes[4] == 0 ? 256 : Int(bytes[4])
            return
        default:
            let lc = Int(bytes[4])
            guard lc != 0 else { throw .extendedLengthUnsupported }
            guard bytes.count >= 5 + lc else { throw .truncated(needed: 5 + lc, got: bytes.count) }
            guard bytes.count <= 6 + lc else { throw .trailingBytes(expected: 6 + lc, got: bytes.count) }
            data = Array(bytes[5..<(5 + lc)])
            if bytes.count == 6 + lc { expectedLength = bytes[5 + lc] == 0 ? 256 : Int(bytes[5 + lc]) }
        }
    }

    /// The encoded command; data longer than 255 bytes is the caller's mistake and is cut (chain it instead).
    public var bytes: [UInt8] {
        var out = [cla, ins, p1, p2]
        let body = data.prefix(255)
        if !body.isEmpty { out += [UInt8(body.count)] + body }
        if let expectedLength { out.append(UInt8(truncatingIfNeeded: expectedLength)) }
        return out
    }
}
