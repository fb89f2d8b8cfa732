/// The PAC3200's status words (REFERENCE §1) and what the gateway makes of them and of read failures: the
/// record's `error_code` (a bit set, below) and a list of conditions a person can read.
///
/// error_code bits:
///
/// | bit | value  | meaning |
/// |-----|--------|---------|
/// | 0   | 0x0001 | meter unreachable or connection lost |
/// | 1   | 0x0002 | a request timed out |
/// | 2   | 0x0004 | the meter answered a Modbus exception |
/// | 3   | 0x0008 | a value is invalid (NaN or outside its plausible range) |
/// | 4   | 0x0010 | status words unreadable |
/// | 5   | 0x0020 | a limit violation is active (register 203) |
/// | 6   | 0x0040 | voltage overload |
/// | 7   | 0x0080 | current overload |
/// | 8   | 0x0100 | no synchronisation pulse |
/// | 9   | 0x0200 | configuration menu active |
/// | 10  | 0x0400 | maximum pulse rate exceeded |
/// | 11  | 0x0800 | energy counters reset by the user (not yet acknowledged) |
/// | 12  | 0x1000 | meter restarted (not yet acknowledged) |
/// | 13  | 0x2000 | parameters changed (not yet acknowledged) |
public struct MeterStatus: Sendable, Hashable {
    /// Register 203: limit violations (bits 0x01...0x20 limits 0-5, 0x01000000 limit logic).
    public var limitViolations: UInt32?
    /// Register 205: device status and acknowledge bits.
    public var deviceStatus: UInt32?
    /// Failures met while reading.
    public var unreachable = false
    public var timedOut = false
    public var exception = false
    public var invalidValue = false

    public init() {}

    /// The record's `error_code` bits, one per failure or status condition; bit n is `1 << n` on the wire, so a
    /// position never moves once records carry it.
    public struct ErrorCode: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let unreachable = ErrorCode(rawValue: 1 << 0)
        public static let timeout = ErrorCode(rawValue: 1 << 1)
        public static let exception = ErrorCode(rawValue: 1 << 2)
        public static let invalidValue = ErrorCode(rawValue: 1 << 3)
        public static let statusUnreadable = ErrorCode(rawValue: 1 << 4)
        public static let limitViolation = ErrorCode(rawValue: 1 << 5)
        public static let voltageOverload = ErrorCode(rawValue: 1 << 6)
        public static let currentOverload = ErrorCode(rawValue: 1 << 7)
        public static let noSyncPulse = ErrorCode(rawValue: 1 << 8)
        public static let configurationMenu = ErrorCode(rawValue: 1 << 9)
        public static let pulseRateExceeded = ErrorCode(rawValue: 1 << 10)
        public static let countersReset = ErrorCode(rawValue: 1 << 11)
        public static let restarted = ErrorCode(rawValue: 1 << 12)
        public static let parametersChanged = ErrorCode(rawValue: 1 << 13)

        static let names: [(ErrorCode, String)] = [
            (.unreachable, "meter unreachable"), (.timeout, "timeout"), (.exception, "Modbus exception"),
            (.invalidValue, "invalid value"), (.statusUnreadable, "status unreadable"), (.limitViolation, "limit violation"),
            (.voltageOverload, "voltage overload"), (.currentOverload, "current overload"), (.noSyncPulse, "no sync pulse"),
            (.configurationMenu, "configuration menu active"), (.pulseRateExceeded, "max pulse rate exceeded"),
            (.countersReset, "energy counters reset by user"), (.restarted, "meter restarted"),
            (.parametersChanged, "parameters changed"),
        ]

        public var names: [String] { Self.names.filter { contains($0.0) }.map(\.1) }
    }

    /// Device status bits of register 205 and the error-code bits they set.
    private static let deviceBits: [(UInt32, ErrorCode)] = [
        (0x0400_0000, .voltageOverload), (0x0800_0000, .currentOverload), (0x0100_0000, .noSyncPulse),
        (0x0200_0000, .configurationMenu), (0x0002_0000, .pulseRateExceeded), (0x0000_1000, .countersReset),
        (0x0000_0800, .restarted), (0x0000_0100, .parametersChanged),
    ]

    public var errorCode: ErrorCode {
        var code: ErrorCode = []
        if unreachable { code.insert(.unreachable) }
        if timedOut { code.insert(.timeout) }
        if exception { code.insert(.exception) }
        if invalidValue { code.insert(.invalidValue) }
        if limitViolations == nil || deviceStatus == nil { code.insert(.statusUnreadable) }
        if let limitViolations, limitViolations != 0 { code.insert(.limitViolation) }
        if let deviceStatus {
            for (bit, flag) in Self.deviceBits where deviceStatus & bit != 0 { code.insert(flag) }
        }
        return code
    }
}
