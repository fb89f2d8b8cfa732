import Foundation
import SwiftASN1

/// A time as certificates and CRLs carry it (RFC 5280 §4.1.2.5, §5.1.2.4):
/// ```
/// Time ::= CHOICE {
///      utcTime        UTCTime,
///      generalTime    GeneralizedTime }
/// ```
/// Dates through 2049 MUST be UTCTime and dates from 2050 GeneralizedTime, both in whole seconds; swift-certificates
/// has this type as an internal `Time`.
package enum X509Time: DERParseable, DERSerializable, Hashable, Sendable {
    case utcTime(UTCTime)
    case generalTime(GeneralizedTime)

    /// `date` to the second, in the form RFC 5280 prescribes for its year.
    package init(_ date: Date) throws {
        let utc = UTCDateComponents(date)
        if utc.year < 2050 {
            self = .utcTime(try UTCTime(year: utc.year, month: utc.month, day: utc.day, hours: utc.hour, minutes: utc.minute, seconds: utc.second))
        } else {
            self = .generalTime(try GeneralizedTime(date))
        }
    }

    package init(derEncoded node: ASN1Node) throws {
        switch node.identifier {
        case .utcTime: self = .utcTime(try UTCTime(derEncoded: node))
        case .generalizedTime: self = .generalTime(try GeneralizedTime(derEncoded: node))
        default: throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    package func serialize(into coder: inout DER.Serializer) throws {
        switch self {
        case .utcTime(let time): try coder.serialize(time)
        case .generalTime(let time): try coder.serialize(time)
        }
    }

    package var date: Date {
        get throws {
            switch self {
            case .utcTime(let t): try UTCDateComponents(t.year, t.month, t.day, t.hours, t.minutes, t.seconds).date
            case .generalTime(let time): try time.date
            }
        }
    }
}

extension GeneralizedTime {
    /// `date` to the whole second, as OCSP writes every time (RFC 6960 §4.2.2.1) and CRLs from 2050.
    package init(_ date: Date) throws {
        let utc = UTCDateComponents(date)
        try self.init(year: utc.year, month: utc.month, day: utc.day, hours: utc.hour, minutes: utc.minute, seconds: utc.second, fractionalSeconds: 0)
    }

    /// The instant, to the second.
    package var date: Date {
        get throws { try UTCDateComponents(year, month, day, hours, minutes, seconds).date }
    }
}

/// A date's calendar fields in UTC, the one zone DER times are written in.
struct UTCDateComponents {
    var year, month, day, hour, minute, second: Int

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    init(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    init(_ date: Date) {
        let c = Self.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        self.init(c.year ?? 1970, c.month ?? 1, c.day ?? 1, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    var date: Date {
        get throws {
            let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
            guard let date = Self.calendar.date(from: components) else { throw PKIError.malformed("a time out of range") }
            return date
        }
    }
}
