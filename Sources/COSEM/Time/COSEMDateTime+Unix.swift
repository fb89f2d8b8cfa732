/// A point in time as Unix seconds (UTC, no leap seconds) plus hundredths — the module's Foundation-free
/// interchange with code that works with `Date`: `Date(timeIntervalSince1970: Double(seconds) +
/// Double(hundredths) / 100)`.
public struct UnixTime: Sendable, Hashable, Comparable {
    public var seconds: Int64
    public var hundredths: UInt8

    public init(seconds: Int64, hundredths: UInt8 = 0) {
        self.seconds = seconds
        self.hundredths = min(hundredths, 99)
    }

    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool {
        (lhs.seconds, lhs.hundredths) < (rhs.seconds, rhs.hundredths)
    }
}

extension COSEMDateTime {
    /// The instant this date-time names, or nil unless year, month, day, hour, minute, second and deviation are
    /// all specified plain values (no wildcards, no DST or last-day markers) and the day exists in that month.
    /// Hundredths 0xFF count as 0. Day of week is informational and not checked.
    public var unixTime: UnixTime? {
        guard date.year != COSEMDate.yearNotSpecified, 1 ... 12 ~= date.month,
              date.dayOfMonth >= 1, date.dayOfMonth <= CivilCalendar.daysInMonth(year: Int(date.year), month: Int(date.month)),
              time.hour < 24, time.minute < 60, time.second < 60, let deviation
        else { return nil }
        let days = CivilCalendar.daysFromCivil(year: Int64(date.year), month: Int64(date.month), day: Int64(date.dayOfMonth))
        let local = days * 86_400 + Int64(time.hour) * 3600 + Int64(time.minute) * 60 + Int64(time.second)
        return UnixTime(seconds: local + Int64(deviation) * 60, hundredths: time.hundredths < 100 ? time.hundredths : 0)
    }

    /// The local date-time for `unixTime` in a zone `utcOffsetMinutes` east of UTC (UTC+01:00 = 60), with
    /// deviation set to −`utcOffsetMinutes` per the Gurux convention and the day of week filled in. Nil if the
    /// offset exceeds `maximumDeviation` or the local year falls outside 0...65534.
    public init?(unixTime: UnixTime, utcOffsetMinutes: Int = 0, clockStatus: ClockStatus? = []) {
        guard abs(utcOffsetMinutes) <= Int(Self.maximumDeviation) else { return nil }
        let (local, overflow) = unixTime.seconds.addingReportingOverflow(Int64(utcOffsetMinutes) * 60)
        guard !overflow else { return nil }
        let days = local.floorDivided(by: 86_400)
        let secondOfDay = local - days * 86_400
        let (year, month, day) = CivilCalendar.civilFromDays(days)
        guard 0 ... 0xFFFE ~= year else { return nil }
        let dayOfWeek = (days + 3).floorModulo(7) + 1  // 1970-01-01 was a Thursday (4).
        self.init(year: UInt16(year), month: UInt8(month), day: UInt8(day), dayOfWeek: UInt8(dayOfWeek),
                  hour: UInt8(secondOfDay / 3600), minute: UInt8(secondOfDay / 60 % 60), second: UInt8(secondOfDay % 60),
                  hundredths: min(unixTime.hundredths, 99), deviation: Int16(-utcOffsetMinutes), clockStatus: clockStatus)
    }
}

/// Proleptic Gregorian day arithmetic, days counted from 1970-01-01, using eras of 400 years (146 097 days)
/// so it is exact for every year a COSEM date can hold.
enum CivilCalendar {
    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    func floorModulo(_ divisor: Int64) -> Int64 { self - floorDivided(by: divisor) * divisor }
}
