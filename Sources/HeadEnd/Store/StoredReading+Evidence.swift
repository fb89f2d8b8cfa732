import COSEM
import Metering
import X509

extension StoredReading {
    /// The measurement record inside the stored frame.
    public func record() throws -> MeasurementRecord {
        try MeasurementRecord.decode(dataNotification: try GeneralSigning(decoding: frame).content).record
    }

    /// The evidence file a third party verifies offline with the CA certificate and CRL (`gatewayctl verify
    /// --evidence`): the stored frame exactly as received, its record, and the certificate it was verified with.
    public func evidence() throws -> SignedMeasurementEvidence {
        let frame = try GeneralSigning(decoding: frame)
        let record = try MeasurementRecord.decode(dataNotification: frame.content).record
        return SignedMeasurementEvidence(frame: frame, record: record, certificate: try Certificate(derEncoded: certificate),
                                         convention: convention)
    }
}
