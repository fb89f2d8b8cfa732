@testable import COSEM
import Testing

/// Bytes from hex text; spaces are ignored. Test inputs are literals, so a bad digit is a bug in the test.
func bytes(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd hex length in test literal")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0 ... $0 + 1]), radix: 16)! }
}

func hexString(_ bytes: [UInt8]) -> String { COSEM.hex(bytes) }

/// A seeded generator (SplitMix64), so a failing random round can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The error a throwing decode produced, or nil if it succeeded. The decoders declare `throws(COSEMError)`;
/// closures passed here are inferred as untyped, so anything else is recorded as a test failure.
func decodeError(_ body: () throws -> Void) -> COSEMError? {
    do {
        try body()
        return nil
    } catch let error as COSEMError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// One value of every Data tag, including boundary values, used by round-trip and mutation tests.
let everyTag: [COSEMData] = [
    .null,
    .array([.unsigned(1), .unsigned(2)]),
    .structure([.longUnsigned(7), .visible("PAC3200")]),
    .boolean(true), .boolean(false),
    .bitString(BitString([true, false, true, true, false, false, false, false, true])),
    .bitString(BitString([])),
    .doubleLong(-2_000_000_000), .doubleLong(Int32.max),
    .doubleLongUnsigned(UInt32.max),
    .octetString([]), .octetString(bytes("0100010800FF")),
    .visibleString(Array("Hello, meter ~".utf8)),
    .utf8String("Zähler 1 µΩ ✓"),
    .bcd(0x42),
    .integer(-128), .integer(127),
    .long(-32768), .long(1234),
    .unsigned(255),
    .longUnsigned(65535),
    .long64(Int64.min), .long64(-1),
    .long64Unsigned(UInt64.max),
    .enumerated(30),
    .float32(230.25), .float32(-0.0),
    .float64(1_234_567.89), .float64(.infinity),
    .dateTime(COSEMDateTime(year: 2024, month: 3, day: 31, dayOfWeek: 7, hour: 2, minute: 30, second: 5,
                            hundredths: 50, deviation: -120, clockStatus: [.daylightSavingActive])),
    .dateTime(.unspecified),
    .date(COSEMDate(year: 2024, month: 0xFE, dayOfMonth: 0xFE, dayOfWeek: 0xFF)),
    .date(.unspecified),
    .time(COSEMTime(hour: 23, minute: 59, second: 59, hundredths: 99)),
    .time(.unspecified),
]
