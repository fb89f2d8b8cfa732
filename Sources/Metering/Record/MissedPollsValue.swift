import COSEM

/// How a record tells the head-end that polls before it could not be stored (the gateway's outbox was full, or its
/// disk): one more counter value after the register map's, only in the first record stored after such a run, with
/// a manufacturer-specific OBIS code (value group C 128) and the count as its float64 value, no scaler, no unit.
/// A receiver that does not know the code shows one more value; one that does counts the polls missed. Records of
/// a gateway that missed nothing are unchanged.
extension CounterValue {
    /// 0.0.128.0.0.255: polls missed just before this record.
    public static let missedPollsOBIS = OBISCode(0, 0, 128, 0, 0, 255)

    public static func missedPolls(_ count: UInt64) -> CounterValue {
        CounterValue(obis: missedPollsOBIS, value: Double(count), scaler: 0, unit: 255)
    }
}

extension MeasurementRecord {
    /// The polls the gateway missed just before this record (0 when it says nothing).
    public var missedPollsBefore: UInt64 {
        guard let value = counterValues.last(where: { $0.obis == CounterValue.missedPollsOBIS })?.value,
              value.isFinite, value >= 0, value < 0x1p63 else { return 0 }
        return UInt64(value)
    }
}
