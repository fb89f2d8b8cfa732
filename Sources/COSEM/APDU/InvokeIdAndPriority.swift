/// The one-byte Invoke-Id-And-Priority of get/set/action services: bits 0-3 invoke id, bit 6 service class
/// (1 = confirmed), bit 7 priority (1 = high). Bits 4-5 are reserved and kept as received.
public struct InvokeIdAndPriority: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(invokeID: UInt8, confirmed: Bool = true, highPriority: Bool = true) {
        rawValue = (invokeID & 0x0F) | (confirmed ? 0x40 : 0) | (highPriority ? 0x80 : 0)
    }

    public var invokeID: UInt8 { rawValue & 0x0F }
    public var confirmed: Bool { rawValue & 0x40 != 0 }
    public var highPriority: Bool { rawValue & 0x80 != 0 }

    public var description: String {
        "0x\(hex(rawValue)) (id \(invokeID), \(confirmed ? "confirmed" : "unconfirmed"), \(highPriority ? "high" : "normal") priority)"
    }
}
