import COSEM
import Foundation
import Modbus

extension MeasurementRecord {
    /// The record of one meter reading (the JSON of `gatewayctl meter read --json`): its time, every value and
    /// counter in map order (unread ones as null-data, never dropped), the error code, and the device status word
    /// (register 205) as the 32-bit `state`, most significant bit first.
    public init(
        reading: ReadingDocument, transactionID: UInt64, meterIdent: String, meterNumber: String, locationIdent: String
    ) throws(RecordError) {
        var values: [CounterValue] = []
        for value in reading.values {
            guard let obis = try? OBISCode(value.obis) else { throw .invalidField("reading value \"\(value.name)\" has OBIS code \"\(value.obis)\"") }
            guard (-128...127).contains(value.scaler) else { throw .invalidField("reading value \"\(value.name)\" has scaler \(value.scaler)") }
            values.append(CounterValue(obis: obis, value: value.valid || value.value != nil ? value.value ?? .nan : nil,
                                       scaler: Int8(value.scaler), unit: CounterValue.unitCode(value.unit)))
        }
        let status = reading.status.device_status ?? 0
        try self.init(
            measurementTime: Self.dateTime(reading.time), sequenceNumber: UInt16(truncatingIfNeeded: transactionID),
            meterIdent: meterIdent, meterNumber: meterNumber, locationIdent: locationIdent, counterValues: values,
            errorCode: reading.status.error_code, state: BitString((0..<32).map { status & (0x8000_0000 >> UInt32($0)) != 0 })
        )
    }

    /// A COSEM date-time in UTC (deviation 0) with hundredths, from a Foundation date.
    public static func dateTime(_ date: Date) -> COSEMDateTime {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let unix = UnixTime(seconds: Int64(whole), hundredths: UInt8(min(99, max(0, ((seconds - whole) * 100).rounded(.down)))))
        return COSEMDateTime(unixTime: unix, utcOffsetMinutes: 0, clockStatus: []) ?? .unspecified
    }
}
