import ConfigFiles
import COSEM
import Foundation
import Metering
import Modbus
import Testing

/// Records built from typed meter snapshots, as the gateway builds one per poll.
@Suite("Record builder: a meter snapshot becomes a measurement record")
struct RecordBuilderTests {
    let map = try! RegisterMap.builtInPAC3200()
    let identity = RecordBuilder.Identity(meterIdent: "Siemens SENTRON PAC3200", meterNumber: "12345678", locationIdent: "Substation 7")

    /// A snapshot of the whole map: every value read, but for one the meter sent as NaN and one whose request failed.
    func snapshot() -> MeterSnapshot {
        let values = map.definitions.enumerated().map { index, definition -> MeterValue in
            switch (definition.kind, definition.name) {
            case (.status, "device status"): MeterValue(definition: definition, value: Double(0x0400_0000), problem: nil)
            case (.status, _): MeterValue(definition: definition, value: 0, problem: nil)
            case (_, "voltage L3-N"): MeterValue(definition: definition, value: .nan, problem: "the meter sent NaN")
            case (_, "current L1"): MeterValue(definition: definition, value: .nan, problem: "not read: timeout", wasRead: false)
            default: MeterValue(definition: definition, value: 100 + Double(index), problem: nil)
            }
        }
        var status = MeterStatus()
        status.limitViolations = 0
        status.deviceStatus = 0x0400_0000
        status.timedOut = true
        return MeterSnapshot(time: Date(timeIntervalSince1970: 1_795_608_000.25), values: values, status: status)
    }

    @Test("every value and counter in map order with its parsed OBIS code, unit and scaler; NaN kept, unread as null")
    func fields() throws {
        let record = try RecordBuilder(map: map, identity: identity).record(of: snapshot(), transactionID: 70_000)
        let readings = map.definitions.filter { $0.kind != .status }
        #expect(record.counterValues.count == readings.count)
        #expect(record.counterValues.map(\.obis.description) == readings.map { $0.obis ?? "" })
        #expect(record.counterValues.map(\.unit) == readings.map { CounterValue.unitCode($0.unit) })
        let l3 = try #require(readings.firstIndex { $0.name == "voltage L3-N" })
        #expect(record.counterValues[l3].value?.isNaN == true, "a NaN the meter sent is signed as NaN")
        let l1 = try #require(readings.firstIndex { $0.name == "current L1" })
        #expect(record.counterValues[l1].value == nil, "a value never read is null-data")
        #expect(record.counterValues[0].value == 100)
        #expect(record.errorCode == MeterStatus.ErrorCode([.timeout, .voltageOverload]).rawValue)
        #expect(record.state[5] && record.state.bits.filter { $0 }.count == 1)
        #expect(record.sequenceNumber == UInt16(70_000 % 65_536))
        #expect(record.measurementTime.unixTime == UnixTime(seconds: 1_795_608_000, hundredths: 25))
        #expect((record.meterIdent, record.meterNumber, record.locationIdent) == ("Siemens SENTRON PAC3200", "12345678", "Substation 7"))
    }

    @Test("the JSON of meter read --json read back gives the record the snapshot gives")
    func documentRoundTrip() throws {
        var plain = snapshot()
        let l3 = try #require(plain.values.firstIndex { $0.name == "voltage L3-N" })
        plain.values[l3] = MeterValue(definition: plain.values[l3].definition, value: 231, problem: nil)
        let builder = try RecordBuilder(map: map, identity: identity)
        let json = try ReadingDocument(plain, meter: map.meter).json()
        let back = try MeterSnapshot(try ReadingDocument.decode(json), map: map)
        #expect(try builder.record(of: back, transactionID: 9) == (try builder.record(of: plain, transactionID: 9)))
    }

    @Test("a snapshot of another map, a reading of another map, an unprintable identity: refused with the reason")
    func refusals() throws {
        let builder = try RecordBuilder(map: map, identity: identity)
        let small = try RegisterMap(meter: "other", definitions: [
            RegisterDefinition(name: "voltage", address: 1, type: .float32, kind: .value, unit: "V", obis: "1.0.32.7.0.255"),
        ])
        let foreign = MeterSnapshot(time: Date(), values: [MeterValue(definition: small.definitions[0], value: 230, problem: nil)], status: MeterStatus())
        #expect(throws: RecordError.invalidField("the snapshot has 1 values, the register map \(map.definitions.count); build the record with the map it was read with")) {
            try builder.record(of: foreign, transactionID: 1)
        }

        let document = ReadingDocument(snapshot(), meter: map.meter)
        #expect(throws: ReadingDocumentError.missingValue(obis: "1.0.52.7.0.255", name: "voltage L2-N")) {
            var partial = document
            partial.values.remove(at: 1)
            _ = try MeterSnapshot(partial, map: map)
        }
        #expect(throws: ReadingDocumentError.self) { _ = try MeterSnapshot(document, map: small) }

        #expect(throws: RecordError.invalidField("meter_ident \"PAC\u{7}3200\" must be printable ASCII of at most 255 characters")) {
            _ = try RecordBuilder(map: map, identity: .init(meterIdent: "PAC\u{7}3200", meterNumber: "1", locationIdent: ""))
        }
    }
}
