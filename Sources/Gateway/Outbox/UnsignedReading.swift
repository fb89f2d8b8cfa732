import Foundation
import Metering

/// A reading in the outbox that has no signature yet: taken while the token was busy, absent or failing. It is
/// already durable; the signing stage turns it into a frame with `record()` and `RecordSigner.sign`, then hands the
/// frame back through `Outbox.attachSignature`.
///
/// The outbox keeps the record as its data-notification bytes (`MeasurementRecord.encodedDataNotification`), not
/// as columns of its fields: those bytes are exactly the content the signature will cover, the encoding is
/// canonical and `MeasurementRecord.decode(dataNotification:)` gives the same record back, a change to the record's
/// fields needs no schema migration, and `attachSignature` can check that a frame carries these very bytes.
public struct UnsignedReading: Sendable, Hashable {
    public let transactionID: UInt64
    /// When the meter was read (the snapshot's start), as the caller gave it.
    public let measuredAt: Date
    /// The record's data-notification, its invoke id the transaction id's low 24 bits.
    public let dataNotification: [UInt8]

    public init(transactionID: UInt64, measuredAt: Date, dataNotification: [UInt8]) {
        self.transactionID = transactionID
        self.measuredAt = measuredAt
        self.dataNotification = dataNotification
    }

    /// The record to sign, decoded from the stored bytes.
    public func record() throws(RecordError) -> MeasurementRecord {
        try MeasurementRecord.decode(dataNotification: dataNotification).record
    }
}
