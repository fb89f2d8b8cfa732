import Foundation
import Metering

/// What `headend readings` and `headend summary` print, as lines and as JSON: here rather than in the executable so
/// tests reach the formats without a process.
public enum ReadingReport {
    /// `00DB1234567890A0 #42 meter 12345678 2026-11-25T12:00:00Z verified: frame, certificate_info, originator, signature, certificate, content`,
    /// then what the head-end notes: `; CLOCK AHEAD 600.0 s` (measured further ahead of its receipt than
    /// `maxClockSkew`, see `ClockSkew`) and `; 12 polls missed before it` (the gateway could not store them). A
    /// stored frame the report cannot decode (a row damaged on disk) says so: `; STORED FRAME UNREADABLE: <why>`, and
    /// its meter is `?`.
    ///
    /// The meter is the record's `meter_number`, decoded from the stored frame: a gateway polling several meters
    /// numbers their readings in one sequence, so the gateway and the id alone do not say which meter was read.
    public static func line(_ reading: StoredReading, maxClockSkew: Duration = ClockSkew.defaultMaximum) -> String {
        let decoded = Result(catching: { try reading.record() })
        let meter = (try? decoded.get()).map { shown($0.meterNumber) } ?? "?"
        var line = "\(reading.gateway) #\(reading.transactionID) meter \(meter) \(iso(reading.measuredAt)) \(reading.verdict)"
        if let ahead = ClockSkew.ahead(measuredAt: reading.measuredAt, receivedAt: reading.receivedAt, maximum: maxClockSkew) {
            line += "; CLOCK AHEAD \(ReadingValues.format(ahead)) s"
        }
        switch decoded {
        case .success(let record):
            let missed = record.missedPollsBefore
            if missed > 0 { line += "; \(missed) poll\(missed == 1 ? "" : "s") missed before it" }
        case .failure(let error):
            line += "; STORED FRAME UNREADABLE: \(error)"
        }
        return line
    }

    /// A meter number as one word of the line: quoted when it is empty or holds a space (it is printable ASCII).
    static func shown(_ meterNumber: String) -> String {
        meterNumber.isEmpty || meterNumber.contains(" ") ? "\"\(meterNumber)\"" : meterNumber
    }

    /// A JSON array of the readings: the line's fields, when it was received, the signer's serial and the values.
    /// `meter` is the record's `meter_number`; `clock_ahead_seconds` is set for a reading flagged by `ClockSkew`;
    /// `missed_polls_before` is the gateway's count; `unreadable` says why a stored frame could not be decoded (its
    /// `meter` is then absent and its values empty).
    public static func json(_ readings: [StoredReading], maxClockSkew: Duration = ClockSkew.defaultMaximum) throws -> String {
        try encode(readings.map { reading in
            let record: MeasurementRecord?
            let unreadable: String?
            do {
                (record, unreadable) = (try reading.record(), nil)
            } catch {
                (record, unreadable) = (nil, "\(error)")
            }
            return ReadingJSON(
                gateway: reading.gateway.description, transaction_id: reading.transactionID, meter: record?.meterNumber,
                measured_at: iso(reading.measuredAt),
                received_at: iso(reading.receivedAt), verdict: reading.verdict, signer_serial: reading.signerSerial,
                clock_ahead_seconds: ClockSkew.ahead(measuredAt: reading.measuredAt, receivedAt: reading.receivedAt, maximum: maxClockSkew)
                    .map { ($0 * 100).rounded() / 100 },
                missed_polls_before: record?.missedPollsBefore ?? 0,
                values: record?.counterValues.map { ValueJSON(obis: $0.obis.description, value: $0.value, scaler: Int($0.scaler),
                                                              unit: CounterValue.unitSymbol($0.unit)) } ?? [],
                unreadable: unreadable
            )
        })
    }

    /// Ids up to the highest that the store does not hold: gateways number readings from 1, so every id below the
    /// highest that is not stored was lost or is still on its way (a gap).
    public static func missing(_ summary: GatewaySummary) -> UInt64 {
        guard let highest = summary.highestTransactionID else { return 0 }
        return highest > UInt64(summary.readings) ? highest - UInt64(summary.readings) : 0
    }

    /// One line per gateway, then the totals:
    /// `00DB1234567890A0 readings 3 highest #5 missing 2 refusals 1 conflicts 0` ... `total: 3 readings verified, 1 rejected, 2 lost (1 gateway)`.
    public static func lines(_ summary: [GatewaySummary]) -> [String] {
        let perGateway = summary.map { gateway in
            "\(gateway.gateway) readings \(gateway.readings) highest \(gateway.highestTransactionID.map { "#\($0)" } ?? "-") "
                + "missing \(missing(gateway)) refusals \(gateway.refusals) conflicts \(gateway.conflicts)" + (gateway.clockAhead > 0 ? " clock-ahead \(gateway.clockAhead)" : "")
        }
        let total = totals(summary)
        return perGateway + ["total: \(total.readings) readings verified, \(total.refusals) rejected, \(total.missing) lost "
            + "(\(total.gateways) gateway\(total.gateways == 1 ? "" : "s"))"]
    }

    /// `{"gateways": [{"gateway", "readings", "highest_transaction_id", "missing", "refusals", "conflicts"}], "total": {...}}`.
    public static func json(_ summary: [GatewaySummary]) throws -> String {
        try encode(SummaryJSON(
            gateways: summary.map { GatewayJSON(gateway: $0.gateway.description, readings: $0.readings,
                                                highest_transaction_id: $0.highestTransactionID, missing: missing($0), refusals: $0.refusals,
                                                conflicts: $0.conflicts, clock_ahead: $0.clockAhead) },
            total: totals(summary)
        ))
    }

    static func totals(_ summary: [GatewaySummary]) -> TotalJSON {
        TotalJSON(gateways: summary.count, readings: summary.reduce(0) { $0 + $1.readings },
                  refusals: summary.reduce(0) { $0 + $1.refusals }, missing: summary.reduce(0) { $0 + missing($1) })
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    struct ReadingJSON: Encodable {
        var gateway: String
        var transaction_id: UInt64
        var meter: String?
        var measured_at: String
        var received_at: String
        var verdict: String
        var signer_serial: String
        var clock_ahead_seconds: Double?
        var missed_polls_before: UInt64
        var values: [ValueJSON]
        var unreadable: String?
    }

    struct ValueJSON: Encodable {
        var obis: String
        var value: Double?
        var scaler: Int
        var unit: String
    }

    struct SummaryJSON: Encodable {
        var gateways: [GatewayJSON]
        var total: TotalJSON
    }

    struct GatewayJSON: Encodable {
        var gateway: String
        var readings: Int
        var highest_transaction_id: UInt64?
        var missing: UInt64
        var refusals: Int
        var conflicts: Int
        var clock_ahead: Int
    }

    struct TotalJSON: Encodable {
        var gateways: Int
        var readings: Int
        var refusals: Int
        var missing: UInt64
    }
}
