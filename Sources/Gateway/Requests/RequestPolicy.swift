import COSEM
import Foundation

/// What the gateway lets requesters read, and how fresh a request must be: the part of a request's verdict only the
/// gateway can give (the verifier has established who signed it and that the signer is trusted).
public struct RequestPolicy: Sendable {
    /// Per requester system title, the OBIS codes it may read; "*" allows every object of the register map.
    public var allowed: [SystemTitle: Set<String>]
    /// How far a request's date-time may be from the gateway's clock, either way.
    public var maxClockSkew: Duration

    public init(allowed: [SystemTitle: Set<String>], maxClockSkew: Duration = .seconds(300)) {
        self.allowed = allowed
        self.maxClockSkew = maxClockSkew
    }

    public func permits(_ requester: SystemTitle, toRead obis: String) -> Bool {
        guard let objects = allowed[requester] else { return false }
        return objects.contains("*") || objects.contains(obis)
    }

    /// Nil when `signedAt` is within the skew of `now`, else why not.
    public func staleness(of signedAt: COSEMDateTime, at now: Date) -> String? {
        guard let date = Self.date(of: signedAt) else { return "its date-time \(signedAt) names no instant" }
        let skew = abs(date.timeIntervalSince(now))
        let limit = Double(maxClockSkew.components.seconds)
        return skew <= limit ? nil : "signed at \(ISO8601DateFormatter().string(from: date)), \(Int(skew)) s from this gateway's clock (at most \(Int(limit)) s)"
    }

    /// The instant a fully specified COSEM date-time names (deviation = UTC − local, in minutes), nil otherwise.
    static func date(of value: COSEMDateTime) -> Date? {
        guard value.invalidReason == nil, value.date.year != 0xFFFF, value.date.month <= 12, value.date.dayOfMonth <= 31,
              value.time.hour < 24, value.time.minute < 60, value.time.second < 60 else { return nil }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(identifier: "UTC")
        components.year = Int(value.date.year)
        components.month = Int(value.date.month)
        components.day = Int(value.date.dayOfMonth)
        components.hour = Int(value.time.hour)
        components.minute = Int(value.time.minute)
        components.second = Int(value.time.second)
        guard let local = components.date else { return nil }
        let hundredths = value.time.hundredths < 100 ? Double(value.time.hundredths) / 100 : 0
        return local.addingTimeInterval(Double(value.deviation ?? 0) * 60 + hundredths)
    }
}
