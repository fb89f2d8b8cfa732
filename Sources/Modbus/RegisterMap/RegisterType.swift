/// How a value is laid out in 16-bit registers. Every type is big-endian with the high word first (ABCD),
/// as the PAC3200 sends it; decoding is done here rather than with libmodbus's float helpers, whose Debian
/// build writes floats in a different word order than it reads them (REFERENCE §2).
public enum RegisterType: String, Sendable, Hashable, Codable, CaseIterable {
    case float32
    case float64
    case uint32

    public var registerCount: Int {
        switch self {
        case .float32, .uint32: 2
        case .float64: 4
        }
    }

    /// The value held in `registers` (exactly `registerCount` of them).
    public func decode(_ registers: ArraySlice<UInt16>) -> Double {
        var bits: UInt64 = 0
        for register in registers { bits = bits << 16 | UInt64(register) }
        switch self {
        case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .float64: return Double(bitPattern: bits)
        case .uint32: return Double(UInt32(truncatingIfNeeded: bits))
        }
    }

    /// The registers that hold `value`: the inverse of `decode`, used by the simulator.
    public func encode(_ value: Double) -> [UInt16] {
        let bits: UInt64 = switch self {
        case .float32: UInt64(Float(value).bitPattern)
        case .float64: value.bitPattern
        case .uint32: UInt64(UInt32(clamping: Int64(value.isFinite ? value : 0)))
        }
        return (0..<registerCount).reversed().map { UInt16(truncatingIfNeeded: bits >> (16 * UInt64($0))) }
    }
}
