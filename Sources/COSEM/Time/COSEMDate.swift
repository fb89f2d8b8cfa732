/// The date part of a COSEM date-time, and the 5-byte A-XDR `date` (tag 0x1A): year (u16), month, day of
/// month, day of week (1 = Monday).
///
/// Fields hold the raw protocol values so wildcards survive a round trip: `notSpecified` (0xFFFF year, 0xFF
/// otherwise), and for month 0xFD/0xFE "daylight saving end/begin", for day 0xFD/0xFE "second last/last day
/// of the month".
public struct COSEMDate: Sendable, Hashable {
    public var year: UInt16
    public var month: UInt8
    public var dayOfMonth: UInt8
    public var dayOfWeek: UInt8

    public static let yearNotSpecified: UInt16 = 0xFFFF
    public static let notSpecified: UInt8 = 0xFF
    public static let daylightSavingEnd: UInt8 = 0xFD
    public static let daylightSavingBegin: UInt8 = 0xFE
    public static let secondLastDayOfMonth: UInt8 = 0xFD
    public static let lastDayOfMonth: UInt8 = 0xFE

    public init(year: UInt16, month: UInt8, dayOfMonth: UInt8, dayOfWeek: UInt8 = 0xFF) {
        self.year = year
        self.month = month
        self.dayOfMonth = dayOfMonth
        self.dayOfWeek = dayOfWeek
    }

    /// Every field "not specified".
    public static let unspecified = COSEMDate(year: 0xFFFF, month: 0xFF, dayOfMonth: 0xFF, dayOfWeek: 0xFF)

    /// Why a field is out of range, or nil if every field is a date value or an allowed special value.
    public var invalidReason: String? {
        if !(1 ... 12 ~= month || month >= 0xFD) { return "month \(month)" }
        if !(1 ... 31 ~= dayOfMonth || dayOfMonth >= 0xFD) { return "day of month \(dayOfMonth)" }
        if !(1 ... 7 ~= dayOfWeek || dayOfWeek == 0xFF) { return "day of week \(dayOfWeek)" }
        return nil
    }

    public var bytes: [UInt8] {
        var writer = ByteWriter()
        write(to: &writer)
        return writer.bytes
    }

    /// Decodes exactly 5 bytes.
    public init(bytes: [UInt8]) throws(COSEMError) {
        var reader = ByteReader(bytes)
        self = try Self.read(from: &reader)
        try reader.expectEnd()
    }

    func write(to writer: inout ByteWriter) {
        writer.u16(year)
        writer.u8(month)
        writer.u8(dayOfMonth)
        writer.u8(dayOfWeek)
    }

    static func read(from reader: inout ByteReader) throws(COSEMError) -> COSEMDate {
        let start = reader.offset
        let date = COSEMDate(year: try reader.u16(), month: try reader.u8(), dayOfMonth: try reader.u8(),
                             dayOfWeek: try reader.u8())
        if let reason = date.invalidReason { throw .invalidValue(at: start, "date with \(reason)") }
        return date
    }
}
