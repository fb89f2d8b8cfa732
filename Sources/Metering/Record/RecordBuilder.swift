import COSEM
import Foundation
import Modbus

/// Turns meter snapshots into measurement records. Everything a snapshot does not change (the OBIS codes parsed
/// from the map's text, scalers, unit codes, the meter's identity) is worked out once, when the builder is made
/// from the register map, so a reading costs a copy of its numbers: the gateway does this for every poll.
public struct RecordBuilder: Sendable {
    /// What names the meter in every record: `meter_ident`, `meter_number` and `location_ident`.
    public struct Identity: Sendable, Hashable {
        public var meterIdent: String
        public var meterNumber: String
        public var locationIdent: String

        public init(meterIdent: String, meterNumber: String, locationIdent: String) {
            self.meterIdent = meterIdent
            self.meterNumber = meterNumber
            self.locationIdent = locationIdent
        }
    }

    /// One value of the record: where it is in a snapshot of this map, and its fixed fields.
    private struct Slot: Sendable {
        var index: Int
        var address: Int
        var obis: OBISCode
        var scaler: Int8
        var unit: UInt8
    }

    public let identity: Identity
    private let slots: [Slot]
    private let definitionCount: Int

    public init(map: RegisterMap, identity: Identity) throws(RecordError) {
        try MeasurementRecord.checkIdentity(identity)
        var slots: [Slot] = []
        for (index, definition) in map.definitions.enumerated() where definition.kind != .status {
            guard let text = definition.obis, let obis = try? OBISCode(text) else {
                throw .invalidField("register map value \"\(definition.name)\" has OBIS code \"\(definition.obis ?? "")\"")
            }
            guard let scaler = Int8(exactly: definition.scaler) else {
                throw .invalidField("register map value \"\(definition.name)\" has scaler \(definition.scaler)")
            }
            slots.append(Slot(index: index, address: definition.address, obis: obis, scaler: scaler,
                              unit: CounterValue.unitCode(definition.unit)))
        }
        self.identity = identity
        self.slots = slots
        self.definitionCount = map.definitions.count
    }

    /// The record of one reading: its time, every value and counter in map order (one that was never read as
    /// null-data, never dropped; a NaN the meter sent stays NaN), the error code, and the device status word
    /// (register 205) as the 32-bit `state`, most significant bit first. `missedBefore` polls that could not be
    /// stored just before this one are told by one more value (`CounterValue.missedPolls`), only when there were some.
    public func record(of snapshot: MeterSnapshot, transactionID: UInt64, missedBefore: UInt64 = 0) throws(RecordError) -> MeasurementRecord {
        guard snapshot.values.count == definitionCount else {
            throw .invalidField("the snapshot has \(snapshot.values.count) values, the register map \(definitionCount); build the record with the map it was read with")
        }
        var values: [CounterValue] = []
        values.reserveCapacity(slots.count)
        for slot in slots {
            let value = snapshot.values[slot.index]
            guard value.definition.address == slot.address else {
                throw .invalidField("the snapshot's value \"\(value.name)\" is not where the register map has it")
            }
            values.append(CounterValue(obis: slot.obis, value: value.wasRead ? value.value : nil, scaler: slot.scaler, unit: slot.unit))
        }
        if missedBefore > 0 { values.append(.missedPolls(missedBefore)) }
        let status = snapshot.status.deviceStatus ?? 0
        return MeasurementRecord(
            checked: MeasurementRecord.dateTime(snapshot.time), sequenceNumber: UInt16(truncatingIfNeeded: transactionID),
            identity: identity, counterValues: values, errorCode: snapshot.status.errorCode.rawValue,
            state: BitString((0..<32).map { status & (0x8000_0000 >> UInt32($0)) != 0 })
        )
    }
}

extension MeasurementRecord {
    /// A COSEM date-time in UTC (deviation 0) with hundredths, from a Foundation date.
    public static func dateTime(_ date: Date) -> COSEMDateTime {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let unix = UnixTime(seconds: Int64(whole), hundredths: UInt8(min(99, max(0, ((seconds - whole) * 100).rounded(.down)))))
        return COSEMDateTime(unixTime: unix, utcOffsetMinutes: 0, clockStatus: []) ?? .unspecified
    }
}
