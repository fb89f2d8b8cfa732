/// The clock-status byte of a COSEM date-time (REFERENCE §3). 0xFF means "not specified" and is modelled as
/// `nil` where a status is optional, never as a set of flags.
public struct ClockStatus: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The time could not be recovered after a power failure.
    public static let invalidValue = ClockStatus(rawValue: 0x01)
    /// The time could be recovered but its accuracy is not guaranteed.
    public static let doubtfulValue = ClockStatus(rawValue: 0x02)
    /// The clock runs on a different time base than the one the data set expects.
    public static let differentClockBase = ClockStatus(rawValue: 0x04)
    /// The status byte itself is not reliable.
    public static let invalidClockStatus = ClockStatus(rawValue: 0x08)
    /// Daylight saving time is in effect.
    public static let daylightSavingActive = ClockStatus(rawValue: 0x80)

    /// The byte that stands for "not specified".
    public static let notSpecifiedByte: UInt8 = 0xFF

    private static let names: [(ClockStatus, String)] = [
        (.invalidValue, "invalid"), (.doubtfulValue, "doubtful"), (.differentClockBase, "different clock base"),
        (.invalidClockStatus, "invalid status"), (.daylightSavingActive, "DST active"),
    ]

    /// Flag names, plus the raw value of reserved bits (0x10, 0x20, 0x40) if any are set.
    public var description: String {
        var parts = Self.names.filter { contains($0.0) }.map(\.1)
        let reserved = rawValue & 0x70
        if reserved != 0 { parts.append("reserved 0x\(hex(reserved))") }
        return parts.isEmpty ? "ok" : parts.joined(separator: ", ")
    }
}
