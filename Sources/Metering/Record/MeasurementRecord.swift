import COSEM

/// The seed's `measurement_data_type`, field for field:
///
/// ```
/// measurement_data_type ::= SEQUENCE { measurement_time date_time, sequence_nr Unsigned16,
///     meter_ident, meter_number, location_ident  OCTET STRING (printable),
///     counter_values SEQUENCE OF value_type, error_code Unsigned16, state BIT STRING }
/// ```
///
/// Encoded as a COSEM structure of eight elements (date-time as a 12-byte octet-string, the usual form inside
/// Data) and carried as the body of a data-notification. `sequence_nr` wraps at 65536, so the record's unique key
/// is the 64-bit transaction id, which travels in the general-signing around it and in the data-notification's
/// invoke id's low 24 bits.
public struct MeasurementRecord: Sendable, Hashable {
    public var measurementTime: COSEMDateTime
    public var sequenceNumber: UInt16
    public var meterIdent: String
    public var meterNumber: String
    public var locationIdent: String
    public var counterValues: [CounterValue]
    public var errorCode: UInt16
    public var state: BitString

    public init(
        measurementTime: COSEMDateTime, sequenceNumber: UInt16, meterIdent: String, meterNumber: String,
        locationIdent: String, counterValues: [CounterValue], errorCode: UInt16, state: BitString
    ) throws(RecordError) {
        let identity = RecordBuilder.Identity(meterIdent: meterIdent, meterNumber: meterNumber, locationIdent: locationIdent)
        try Self.checkIdentity(identity)
        self.init(checked: measurementTime, sequenceNumber: sequenceNumber, identity: identity, counterValues: counterValues,
                  errorCode: errorCode, state: state)
    }

    /// For identities already checked (a `RecordBuilder`'s): no second look at their text per reading.
    init(
        checked measurementTime: COSEMDateTime, sequenceNumber: UInt16, identity: RecordBuilder.Identity,
        counterValues: [CounterValue], errorCode: UInt16, state: BitString
    ) {
        self.measurementTime = measurementTime
        self.sequenceNumber = sequenceNumber
        self.meterIdent = identity.meterIdent
        self.meterNumber = identity.meterNumber
        self.locationIdent = identity.locationIdent
        self.counterValues = counterValues
        self.errorCode = errorCode
        self.state = state
    }

    /// The identity fields are printable ASCII of at most 255 characters (octet-strings a receiver prints).
    static func checkIdentity(_ identity: RecordBuilder.Identity) throws(RecordError) {
        for (name, text) in [("meter_ident", identity.meterIdent), ("meter_number", identity.meterNumber), ("location_ident", identity.locationIdent)] {
            guard text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }), text.utf8.count <= 255 else {
                throw .invalidField("\(name) \"\(text)\" must be printable ASCII of at most 255 characters")
            }
        }
    }

    /// The COSEM structure.
    public var data: COSEMData {
        .structure([
            .octetString(measurementTime.bytes),
            .longUnsigned(sequenceNumber),
            .octetString(Array(meterIdent.utf8)),
            .octetString(Array(meterNumber.utf8)),
            .octetString(Array(locationIdent.utf8)),
            .array(counterValues.map(\.data)),
            .longUnsigned(errorCode),
            .bitString(state),
        ])
    }

    /// The data-notification that carries the record; its invoke id is the transaction id's low 24 bits.
    public func dataNotification(transactionID: UInt64) -> DataNotification {
        DataNotification(
            invokeIDAndPriority: LongInvokeIdAndPriority(invokeID: UInt32(truncatingIfNeeded: transactionID) & 0x00FF_FFFF),
            dateTime: nil, body: data
        )
    }

    public init(_ data: COSEMData) throws(RecordError) {
        guard case .structure(let f) = data, f.count == 8 else { throw .malformed("the body is not a structure of 8 elements") }
        guard case .octetString(let time) = f[0], let dateTime = try? COSEMDateTime(bytes: time) else {
            throw .malformed("measurement_time is not a 12-byte COSEM date-time")
        }
        guard case .longUnsigned(let sequence) = f[1] else { throw .malformed("sequence_nr is not long-unsigned") }
        func text(_ value: COSEMData, _ name: String) throws(RecordError) -> String {
            guard case .octetString(let bytes) = value, bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                throw .malformed("\(name) is not a printable octet-string")
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        guard case .array(let values) = f[5] else { throw .malformed("counter_values is not an array") }
        guard case .longUnsigned(let errorCode) = f[6] else { throw .malformed("error_code is not long-unsigned") }
        guard case .bitString(let state) = f[7] else { throw .malformed("state is not a bit-string") }
        var counters: [CounterValue] = []
        for value in values { counters.append(try CounterValue(value)) }
        try self.init(
            measurementTime: dateTime, sequenceNumber: sequence, meterIdent: try text(f[2], "meter_ident"),
            meterNumber: try text(f[3], "meter_number"), locationIdent: try text(f[4], "location_ident"),
            counterValues: counters, errorCode: errorCode, state: state
        )
    }
}
