@testable import COSEM
import Testing

@Suite("COSEM date-time")
struct DateTimeTests {
    @Test("12-byte layout with deviation and clock status")
    func layout() throws {
        let value = COSEMDateTime(year: 2024, month: 7, day: 15, dayOfWeek: 1, hour: 13, minute: 45, second: 30,
                                  hundredths: 12, deviation: -60, clockStatus: [.daylightSavingActive, .doubtfulValue])
        #expect(value.bytes == bytes("07E8070F01 0D2D1E0C FFC4 82"))
        #expect(try COSEMDateTime(bytes: value.bytes) == value)
    }

    @Test("every not-specified value maps to its sentinel and back")
    func notSpecified() throws {
        #expect(COSEMDateTime.unspecified.bytes == bytes("FFFFFFFFFF FFFFFFFF 8000 FF"))
        let decoded = try COSEMDateTime(bytes: bytes("FFFFFFFFFF FFFFFFFF 8000 FF"))
        #expect(decoded.date.year == COSEMDate.yearNotSpecified)
        #expect(decoded.date.month == 0xFF && decoded.date.dayOfMonth == 0xFF && decoded.date.dayOfWeek == 0xFF)
        #expect(decoded.time == .unspecified)
        #expect(decoded.deviation == nil)
        #expect(decoded.clockStatus == nil)
        #expect(decoded.unixTime == nil)
        // DST markers and last-day markers survive.
        let markers = try COSEMDate(bytes: bytes("FFFF FD FE FF"))
        #expect(markers.month == COSEMDate.daylightSavingEnd && markers.dayOfMonth == COSEMDate.lastDayOfMonth)
        #expect(markers.bytes == bytes("FFFFFDFEFF"))
        // Deviation 0x8000 alone: date and time specified, no instant without it.
        let noDeviation = try COSEMDateTime(bytes: bytes("07E8010101 00000000 8000 00"))
        #expect(noDeviation.deviation == nil && noDeviation.clockStatus == [])
        #expect(noDeviation.unixTime == nil)
    }

    @Test("clock-status bits")
    func clockStatus() {
        #expect(ClockStatus.invalidValue.rawValue == 0x01)
        #expect(ClockStatus.doubtfulValue.rawValue == 0x02)
        #expect(ClockStatus.differentClockBase.rawValue == 0x04)
        #expect(ClockStatus.invalidClockStatus.rawValue == 0x08)
        #expect(ClockStatus.daylightSavingActive.rawValue == 0x80)
        #expect(ClockStatus(rawValue: 0x81).description == "invalid, DST active")
        #expect(ClockStatus(rawValue: 0x10).description == "reserved 0x10")
    }

    @Test("Unix conversion follows the Gurux deviation sign: UTC+01:00 is -60")
    func unixConversion() throws {
        // 2024-07-15 12:45:30.12 UTC = 1721047530
        let utc = UnixTime(seconds: 1_721_047_530, hundredths: 12)
        let berlin = try #require(COSEMDateTime(unixTime: utc, utcOffsetMinutes: 120))
        #expect(berlin.bytes == bytes("07E8070F01 0E2D1E0C FF88 00"))
        #expect(berlin.deviation == -120)
        #expect(berlin.unixTime == utc)
        let plusOne = try #require(COSEMDateTime(unixTime: utc, utcOffsetMinutes: 60))
        #expect(plusOne.deviation == -60 && Array(plusOne.bytes[9 ... 10]) == [0xFF, 0xC4])
        #expect(plusOne.time.hour == 13)
        #expect(COSEMDateTime(unixTime: UnixTime(seconds: 0))?.bytes == bytes("07B2010104 00000000 0000 00"))
        // Leap day and a negative offset across midnight.
        let leap = try #require(COSEMDateTime(unixTime: UnixTime(seconds: 1_709_193_600), utcOffsetMinutes: -300))
        #expect(leap.date == COSEMDate(year: 2024, month: 2, dayOfMonth: 29, dayOfWeek: 4))
        #expect(leap.time.hour == 3 && leap.deviation == 300)
        #expect(leap.unixTime?.seconds == 1_709_193_600)
        #expect(COSEMDateTime(year: 2023, month: 2, day: 29, hour: 0, minute: 0, second: 0).unixTime == nil)
        #expect(COSEMDateTime(unixTime: UnixTime(seconds: 0), utcOffsetMinutes: 900) == nil)
        #expect(COSEMDateTime(unixTime: UnixTime(seconds: Int64.max)) == nil)
        #expect(COSEMDateTime(unixTime: UnixTime(seconds: -62_167_219_201)) == nil)  // 1 s before 0000-01-01
    }

    @Test("round trip through Unix time for a spread of instants")
    func unixSweep() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0 ..< 2000 {
            let seconds = Int64.random(in: -2_000_000_000 ... 4_000_000_000, using: &generator)
            let offset = Int.random(in: -840 ... 840, using: &generator)
            let time = UnixTime(seconds: seconds, hundredths: UInt8.random(in: 0 ... 99, using: &generator))
            let value = try #require(COSEMDateTime(unixTime: time, utcOffsetMinutes: offset))
            #expect(value.invalidReason == nil)
            #expect(value.unixTime == time)
            #expect(try COSEMDateTime(bytes: value.bytes) == value)
        }
    }
}
