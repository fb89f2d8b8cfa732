import COSEM
import Metering

/// The few values of a record the head-end prints on its `verified` line: enough for an operator watching the
/// output to see the meter is alive and sane (power, voltage, energy), not the whole record (`headend readings`
/// and the evidence file have it).
public enum ReadingValues {
    /// Short names by OBIS C and D (value group A = 1, electricity), in the order they are preferred.
    static let names: [(c: UInt8, d: UInt8, name: String)] = [
        (1, 7, "P"), (32, 7, "U1"), (31, 7, "I1"), (1, 8, "E+"), (2, 8, "E-"), (14, 7, "f"), (9, 7, "S"), (3, 7, "Q"),
        (52, 7, "U2"), (72, 7, "U3"), (51, 7, "I2"), (71, 7, "I3"), (13, 7, "PF"),
    ]

    /// `P=1234.5 W U1=230.3 V E+=1234567.5 Wh`: up to `count` values, named ones first, then others by OBIS code.
    public static func summary(_ record: MeasurementRecord, count: Int = 3) -> String {
        var chosen: [(String, CounterValue)] = []
        for (c, d, name) in names {
            if let value = record.counterValues.first(where: { $0.obis.a == 1 && $0.obis.c == c && $0.obis.d == d }) {
                chosen.append((name, value))
            }
            if chosen.count == count { break }
        }
        for value in record.counterValues where chosen.count < count && !chosen.contains(where: { $0.1.obis == value.obis }) {
            chosen.append((value.obis.description, value))
        }
        return chosen.map { name, value in
            let unit = CounterValue.unitSymbol(value.unit)
            let number = value.value.map { format($0 * pow10(value.scaler)) } ?? "n/a"
            return "\(name)=\(number)" + (unit.isEmpty ? "" : " \(unit)")
        }.joined(separator: " ")
    }

    /// One decimal, as the line promises (`123.4`); NaN and infinities as Swift prints them.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let tenths = (value * 10).rounded()
        let whole = Int64(tenths / 10)
        let fraction = Int64(abs(tenths.truncatingRemainder(dividingBy: 10)))
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
    }

    static func pow10(_ scaler: Int8) -> Double {
        var result = 1.0
        for _ in 0..<abs(Int(scaler)) { result *= 10 }
        return scaler < 0 ? 1 / result : result
    }
}
