/// A COSEM date-time (A-XDR tag 0x19, and the 12-byte octet string in APDU headers): date (5 bytes), time
/// (4 bytes), deviation (i16, minutes) and clock status (REFERENCE §3).
///
/// Deviation sign: this module follows Gurux and dlms-cosem, where deviation = UTC − local time, so a clock
/// at UTC+01:00 carries −60 (0xFFC4). Some companion specifications flip the sign; peers that do so must be
/// converted before or after this type. 0x8000 ("not specified") is `nil`, and so is clock status 0xFF.
public struct COSEMDateTime: Sendable, Hashable {
    public var date: COSEMDate
    public var time: COSEMTime
    /// Minutes to add to the local time to get UTC (Gurux convention), −840...840, or nil when not specified.
    public var deviation: Int16?
    /// The clock status, or nil when the byte is 0xFF ("not specified").
    public var clockStatus: ClockStatus?

    /// The deviation value that means "not specified".
    public static let deviationNotSpecified: UInt16 = 0x8000
    /// Largest accepted |deviation|: the Blue Book says 720, but real zones reach UTC+14:00.
    public static let maximumDeviation: Int16 = 840

    public init(date: COSEMDate, time: COSEMTime, deviation: Int16?, clockStatus: ClockStatus?) {
        self.date = date
        self.time = time
        self.deviation = deviation
        self.clockStatus = clockStatus
    }

    public init(year: UInt16, month: UInt8, day: UInt8, dayOfWeek: UInt8 = 0xFF, hour: UInt8, minute: UInt8,
                second: UInt8, hundredths: UInt8 = 0, deviation: Int16? = 0, clockStatus: ClockStatus? = []) {
        self.init(date: COSEMDate(year: year, month: month, dayOfMonth: day, dayOfWeek: dayOfWeek),
                  time: COSEMTime(hour: hour, minute: minute, second: second, hundredths: hundredths),
                  deviation: deviation, clockStatus: clockStatus)
    }

    /// Every field "not specified": `FFFF FF FF FF FF FF FF FF 8000 FF`.
    public static let unspecified = COSEMDateTime(date: .unspecified, time: .unspecified, deviation: nil,
                                                  clockStatus: nil)

    /// Why a field is out of range, or nil.
    public var invalidReason: String? {
        if let reason = date.invalidReason ?? time.invalidReason { return reason }
        if let deviation, !(-Self.maximumDeviation ... Self.maximumDeviation ~= deviation) {
            return "deviation \(deviation)"
        }
        return nil
    }

    /// The 12 bytes on the wire.
    public var bytes: [UInt8] {
        var writer = ByteWriter()
        write(to: &writer)
        return writer.bytes
    }

    /// Decodes exactly 12 bytes; out-of-range fields throw `invalidValue`.
    public init(bytes: [UInt8]) throws(COSEMError) {
        var reader = ByteReader(bytes)
        self = try Self.read(from: &reader)
        try reader.expectEnd()
    }

    func write(to writer: inout ByteWriter) {
        date.write(to: &writer)
        time.write(to: &writer)
        writer.u16(deviation.map { UInt16(bitPattern: $0) } ?? Self.deviationNotSpecified)
        writer.u8(clockStatus?.rawValue ?? ClockStatus.notSpecifiedByte)
    }

    static func read(from reader: inout ByteReader) throws(COSEMError) -> COSEMDateTime {
        let start = reader.offset
        let date = try COSEMDate.read(from: &reader)
        let time = try COSEMTime.read(from: &reader)
        let rawDeviation = try reader.u16()
        let status = try reader.u8()
        let value = COSEMDateTime(
            date: date, time: time,
            deviation: rawDeviation == deviationNotSpecified ? nil : Int16(bitPattern: rawDeviation),
            clockStatus: status == ClockStatus.notSpecifiedByte ? nil : ClockStatus(rawValue: status))
        if let reason = value.invalidReason { throw .invalidValue(at: start, "date-time with \(reason)") }
        return value
    }
}
