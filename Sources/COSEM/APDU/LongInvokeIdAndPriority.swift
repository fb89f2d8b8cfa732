/// The four-byte Long-Invoke-Id-And-Priority of data-notification (REFERENCE §3): bits 0-23 invoke id,
/// 28 self-descriptive, 29 break-on-error, 30 confirmed, 31 high priority. Other bits are kept as received.
public struct LongInvokeIdAndPriority: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public init(invokeID: UInt32, selfDescriptive: Bool = false, breakOnError: Bool = false,
                confirmed: Bool = false, highPriority: Bool = false) {
        rawValue = (invokeID & 0x00FF_FFFF)
            | (selfDescriptive ? 1 << 28 : 0) | (breakOnError ? 1 << 29 : 0)
            | (confirmed ? 1 << 30 : 0) | (highPriority ? 1 << 31 : 0)
    }

    public var invokeID: UInt32 { rawValue & 0x00FF_FFFF }
    public var selfDescriptive: Bool { rawValue & (1 << 28) != 0 }
    public var breakOnError: Bool { rawValue & (1 << 29) != 0 }
    public var confirmed: Bool { rawValue & (1 << 30) != 0 }
    public var highPriority: Bool { rawValue & (1 << 31) != 0 }

    public var description: String {
        var flags = [confirmed ? "confirmed" : "unconfirmed", highPriority ? "high priority" : "normal priority"]
        if selfDescriptive { flags.append("self-descriptive") }
        if breakOnError { flags.append("break-on-error") }
        return "0x\(hex(withUnsafeBytes(of: rawValue.bigEndian) { Array($0) })) (id \(invokeID), \(flags.joined(separator: ", ")))"
    }
}
