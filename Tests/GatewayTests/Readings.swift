import COSEM
import Foundation
import Gateway
import Metering
import Signing

/// Readings and frames as the gateway makes them, for outbox tests: records built for the id the outbox gives,
/// and frames signed with a software key over the record decoded back from the outbox (what the signing stage
/// does with a token key).
enum Readings {
    static let gateway = try! SystemTitle(hex: "00DB1234567890A0")
    static let headEnd = try! SystemTitle(hex: "48454144454E4401")

    /// A time with whole milliseconds, which SQLite's date text keeps exactly.
    static func time(_ offset: Int = 0) -> Date {
        Date(timeIntervalSince1970: 1_795_608_000.25 + Double(offset))
    }

    /// The record of transaction `id`, its sequence number derived from the id as `RecordBuilder` derives it, and
    /// an energy counter that grows with the id so that no two readings are alike.
    static func record(_ id: UInt64, at date: Date) throws(RecordError) -> MeasurementRecord {
        try MeasurementRecord(
            measurementTime: MeasurementRecord.dateTime(date), sequenceNumber: UInt16(truncatingIfNeeded: id),
            meterIdent: "PAC3200", meterNumber: "12345678", locationIdent: "Substation 7",
            counterValues: [
                CounterValue(obis: OBISCode(1, 0, 32, 7, 0, 255), value: 230.25, unit: 35),
                CounterValue(obis: OBISCode(1, 0, 52, 7, 0, 255), value: nil, unit: 35),
                CounterValue(obis: OBISCode(1, 0, 1, 8, 1, 255), value: 1_234_567.5 + Double(id), unit: 30),
            ],
            errorCode: 0x42, state: BitString((0..<32).map { $0 == 5 })
        )
    }

    /// Takes one reading the way the poller will.
    @discardableResult
    static func take(_ outbox: Outbox, at date: Date = time()) async throws(OutboxError) -> UnsignedReading {
        try await outbox.take(measuredAt: date) { id throws(RecordError) in try record(id, at: date) }
    }

    /// The general-signing frame of a stored reading, signed now.
    static func frame(for reading: UnsignedReading, signer: SoftwareSigner) throws -> [UInt8] {
        let id = reading.transactionID
        var frame = GeneralSigning(
            transactionID: (0..<8).reversed().map { UInt8(truncatingIfNeeded: id >> ($0 * 8)) },
            originatorSystemTitle: gateway.bytes, recipientSystemTitle: headEnd.bytes,
            dateTime: MeasurementRecord.dateTime(Date()),
            content: try reading.record().encodedDataNotification(transactionID: id)
        )
        frame.signature = try signer.signNow(frame.signedBytes(), scheme: .ecdsa(.sha256)).bytes
        return frame.encoded
    }

    /// Signs and stores the frame of `reading`; returns the frame.
    @discardableResult
    static func sign(_ reading: UnsignedReading, in outbox: Outbox, signer: SoftwareSigner) async throws -> [UInt8] {
        let frame = try frame(for: reading, signer: signer)
        try await outbox.attachSignature(transactionID: reading.transactionID, frame: frame)
        return frame
    }

    /// Signs every unsigned reading in id order, as the signing stage does once the token is back.
    static func signBacklog(_ outbox: Outbox, signer: SoftwareSigner) async throws {
        while true {
            let backlog = try await outbox.unsigned(limit: 500)
            if backlog.isEmpty { return }
            for reading in backlog { try await sign(reading, in: outbox, signer: signer) }
        }
    }
}
