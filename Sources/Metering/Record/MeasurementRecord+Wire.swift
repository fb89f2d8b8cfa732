import COSEM

/// The record's data-notification written and read directly, field by field, with COSEM's `ByteWriter` and
/// `ByteReader` and without a `COSEMData` tree in between: the gateway does this for every reading, and the tree's
/// allocations cost more than the token's signature (`gatewayctl bench record`). The bytes are exactly those of `dataNotification(transactionID:).encoded`,
/// which the tests check, and decoding accepts exactly that layout.
extension MeasurementRecord {
    public func encodedDataNotification(transactionID: UInt64) -> [UInt8] {
        let texts = [Array(meterIdent.utf8), Array(meterNumber.utf8), Array(locationIdent.utf8)]
        let stateBytes = state.bytes
        var size = 6 + 2 + 2 + 12 + 3
        for text in texts { size += 1 + Self.lengthSize(text.count) + text.count }
        size += 1 + Self.lengthSize(counterValues.count)
        for counter in counterValues { size += 10 + (counter.value == nil ? 1 : 9) + 6 }
        size += 3 + 1 + Self.lengthSize(state.count) + stateBytes.count
        // One allocation of the exact size: growing the array as it fills would cost more than the rest.
        var out = ByteWriter(capacity: size)
        out.u8(DataNotification.tag)
        out.u32(UInt32(truncatingIfNeeded: transactionID) & 0x00FF_FFFF)
        out.u8(0x00)  // no date-time in the notification header: the record carries its own
        out.u8(0x02)
        out.u8(8)
        out.u8(0x09)
        out.u8(12)
        out.bytes(measurementTime.bytes)
        out.u8(0x12)
        out.u16(sequenceNumber)
        for text in texts {
            out.u8(0x09)
            out.length(text.count)
            out.bytes(text)
        }
        out.u8(0x01)
        out.length(counterValues.count)
        for counter in counterValues {
            out.u8(0x02)
            out.u8(3)
            out.u8(0x09)
            out.u8(6)
            out.u8(counter.obis.a)
            out.u8(counter.obis.b)
            out.u8(counter.obis.c)
            out.u8(counter.obis.d)
            out.u8(counter.obis.e)
            out.u8(counter.obis.f)
            if let value = counter.value {
                out.u8(0x18)
                out.u64(value.bitPattern)
            } else {
                out.u8(0x00)
            }
            out.u8(0x02)
            out.u8(2)
            out.u8(0x0F)
            out.u8(UInt8(bitPattern: counter.scaler))
            out.u8(0x16)
            out.u8(counter.unit)
        }
        out.u8(0x12)
        out.u16(errorCode)
        out.u8(0x04)
        out.length(state.count)
        out.bytes(stateBytes)
        return out.bytes
    }

    static func lengthSize(_ value: Int) -> Int {
        switch value {
        case ..<0x80: 1
        case ..<0x100: 2
        case ..<0x10000: 3
        default: 5
        }
    }

    /// Reads a record's data-notification; returns the record and the notification's invoke id. Every byte is
    /// checked against the layout above, so anything else (truncated, longer, another shape) is refused.
    public static func decode(dataNotification bytes: [UInt8]) throws(RecordError) -> (record: MeasurementRecord, invokeID: UInt32) {
        var reader = ByteReader(bytes)
        do {
            return try decode(&reader)
        } catch let error as RecordError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
    }

    private static func decode(_ reader: inout ByteReader) throws -> (MeasurementRecord, UInt32) {
        try reader.expect(DataNotification.tag, "a data-notification")
        let invoke = try reader.u32()
        try reader.expect(0x00, "a data-notification without header date-time")
        try reader.expect(0x02, "the record structure")
        try reader.expect(8, "8 record fields")
        try reader.expect(0x09, "measurement_time")
        try reader.expect(12, "a 12-byte measurement_time")
        let time: COSEMDateTime
        do { time = try COSEMDateTime(bytes: try reader.bytes(12)) } catch { throw RecordError.malformed("measurement_time: \(error)") }
        try reader.expect(0x12, "sequence_nr")
        let sequence = try reader.u16()
        var texts: [String] = []
        for name in ["meter_ident", "meter_number", "location_ident"] {
            try reader.expect(0x09, name)
            let text = try reader.bytes(try reader.length(limit: reader.remaining))
            guard text.allSatisfy({ (0x20...0x7E).contains($0) }) else { throw RecordError.malformed("\(name) is not printable") }
            texts.append(String(decoding: text, as: UTF8.self))
        }
        try reader.expect(0x01, "counter_values")
        let count = try reader.length(limit: reader.remaining)
        guard count <= reader.remaining / 17 else { throw RecordError.malformed("counter_values claims \(count) values, more than the bytes hold") }
        var counters: [CounterValue] = []
        counters.reserveCapacity(count)
        for _ in 0..<count {
            try reader.expect(0x02, "a counter value")
            try reader.expect(3, "3 fields")
            try reader.expect(0x09, "an OBIS octet-string")
            try reader.expect(6, "6 OBIS bytes")
            let obis = OBISCode(try reader.u8(), try reader.u8(), try reader.u8(), try reader.u8(), try reader.u8(), try reader.u8())
            let value: Double?
            switch try reader.u8() {
            case 0x18: value = Double(bitPattern: try reader.u64())
            case 0x00: value = nil
            default: throw RecordError.malformed("counter value \(obis) is not float64 or null-data")
            }
            try reader.expect(0x02, "scaler_unit")
            try reader.expect(2, "2 scaler_unit fields")
            try reader.expect(0x0F, "the scaler")
            let scaler = Int8(bitPattern: try reader.u8())
            try reader.expect(0x16, "the unit")
            counters.append(CounterValue(obis: obis, value: value, scaler: scaler, unit: try reader.u8()))
        }
        try reader.expect(0x12, "error_code")
        let errorCode = try reader.u16()
        try reader.expect(0x04, "state")
        let bits = try reader.length(limit: reader.remaining * 8)
        guard bits <= reader.remaining * 8, let state = BitString(count: bits, bytes: try reader.bytes((bits + 7) / 8)) else {
            throw RecordError.malformed("state is not a well-formed bit-string")
        }
        guard reader.remaining == 0 else { throw RecordError.malformed("\(reader.remaining) bytes after the record") }
        let record = try MeasurementRecord(
            measurementTime: time, sequenceNumber: sequence, meterIdent: texts[0], meterNumber: texts[1], locationIdent: texts[2],
            counterValues: counters, errorCode: errorCode, state: state
        )
        return (record, invoke)
    }
}

extension ByteReader {
    /// The next byte, which must be `byte`; otherwise the record is malformed where `what` was expected.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws {
        let offset = self.offset
        guard try u8() == byte else { throw RecordError.malformed("expected \(what()) at byte \(offset)") }
    }
}
