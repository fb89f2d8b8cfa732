/// The time part of a COSEM date-time, and the 4-byte A-XDR `time` (tag 0x1B): hour, minute, second,
/// hundredths, each 0xFF when not specified.
public struct COSEMTime: Sendable, Hashable {
    public var hour: UInt8
    public var minute: UInt8
    public var second: UInt8
    public var hundredths: UInt8

    public static let notSpecified: UInt8 = 0xFF

    public init(hour: UInt8, minute: UInt8, second: UInt8, hundredths: UInt8 = 0xFF) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.hundredths = hundredths
    }

    public static let unspecified = COSEMTime(hour: 0xFF, minute: 0xFF, second: 0xFF, hundredths: 0xFF)

    /// Why a field is out of range, or nil.
    public var invalidReason: String? {
        if !(hour < 24 || hour == 0xFF) { return "hour \(hour)" }
        if !(minute < 60 || minute == 0xFF) { return "minute \(minute)" }
        if !(second < 60 || second == 0xFF) { return "second \(second)" }
        if !(hundredths < 100 || hundredths == 0xFF) { return "hundredths \(hundredths)" }
        return nil
    }

    public var bytes: [UInt8] { [hour, minute, second, hundredths] }

    /// Decodes exactly 4 bytes.
    public init(bytes: [UInt8]) throws(COSEMError) {
        var reader = ByteReader(bytes)
        self = try Self.read(from: &reader)
        try reader.expectEnd()
    }

    func write(to writer: inout ByteWriter) { writer.bytes(bytes) }

    static func read(from reader: inout ByteReader) throws(COSEMError) -> COSEMTime {
        let start = reader.offset
        let time = COSEMTime(hour: try reader.u8(), minute: try reader.u8(), second: try reader.u8(),
                             hundredths: try reader.u8())
        if let reason = time.invalidReason { throw .invalidValue(at: start, "time with \(reason)") }
        return time
    }
}
