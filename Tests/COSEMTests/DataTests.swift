@testable import COSEM
import Testing

@Suite("A-XDR Data")
struct DataTests {
    @Test("every tag round-trips and re-encodes canonically", arguments: everyTag)
    func roundTrip(_ value: COSEMData) throws {
        let encoded = value.encoded
        #expect(encoded.first == value.tag.rawValue)
        let decoded = try COSEMData(decoding: encoded)
        #expect(decoded.encoded == encoded)
        if case .float32(let f) = value, f.isNaN { return }
        #expect(decoded == value)
    }

    @Test("concrete encodings of fixed-size and string tags")
    func concreteBytes() {
        #expect(COSEMData.null.encoded == [0x00])
        #expect(COSEMData.boolean(true).encoded == bytes("0301"))
        #expect(COSEMData.doubleLong(-2).encoded == bytes("05FFFFFFFE"))
        #expect(COSEMData.doubleLongUnsigned(0x0102_0304).encoded == bytes("0601020304"))
        #expect(COSEMData.octetString(bytes("0100010800FF")).encoded == bytes("09060100010800FF"))
        #expect(COSEMData.visible("AB").encoded == bytes("0A024142"))
        #expect(COSEMData.utf8String("é").encoded == bytes("0C02C3A9"))
        #expect(COSEMData.bcd(0x12).encoded == bytes("0D12"))
        #expect(COSEMData.integer(-3).encoded == bytes("0FFD"))
        #expect(COSEMData.long(-2).encoded == bytes("10FFFE"))
        #expect(COSEMData.unsigned(200).encoded == bytes("11C8"))
        #expect(COSEMData.longUnsigned(0x1234).encoded == bytes("121234"))
        #expect(COSEMData.long64(-1).encoded == bytes("14FFFFFFFFFFFFFFFF"))
        #expect(COSEMData.long64Unsigned(1).encoded == bytes("150000000000000001"))
        #expect(COSEMData.enumerated(27).encoded == bytes("161B"))
        #expect(COSEMData.float32(1.0).encoded == bytes("173F800000"))
        #expect(COSEMData.float64(1.0).encoded == bytes("183FF0000000000000"))
        #expect(COSEMData.date(COSEMDate(year: 2024, month: 1, dayOfMonth: 2, dayOfWeek: 2)).encoded == bytes("1A07E8010202"))
        #expect(COSEMData.time(COSEMTime(hour: 12, minute: 0, second: 1, hundredths: 0xFF)).encoded == bytes("1B0C0001FF"))
        // Bit-string: 9 bits 101100001 -> length 09, bytes B0 80 (unused bits zero).
        #expect(COSEMData.bitString(BitString([true, false, true, true, false, false, false, false, true])).encoded == bytes("0409B080"))
    }

    @Test("a register's scaler_unit structure has the REFERENCE §3 layout")
    func scalerUnit() throws {
        let scalerUnit = COSEMData.structure([.integer(-1), .enumerated(30)])
        #expect(scalerUnit.encoded == bytes("02020FFF161E"))
        #expect(try COSEMData(decoding: bytes("02020FFF161E")) == scalerUnit)
    }

    @Test("long lengths use 81, 82 and 84 forms at their thresholds")
    func longLengths() throws {
        let cases: [(Int, [UInt8])] = [
            (0x7F, [0x7F]), (0x80, [0x81, 0x80]), (0xFF, [0x81, 0xFF]), (0x100, [0x82, 0x01, 0x00]),
            (0xFFFF, [0x82, 0xFF, 0xFF]), (0x10000, [0x84, 0x00, 0x01, 0x00, 0x00]),
        ]
        for (length, prefix) in cases {
            #expect(AXDRLength.encode(length) == prefix, "length \(length)")
            let value = COSEMData.octetString([UInt8](repeating: 0xAB, count: length))
            let encoded = value.encoded
            #expect(Array(encoded[1 ... prefix.count]) == prefix)
            #expect(encoded.count == 1 + prefix.count + length)
            #expect(try COSEMData(decoding: encoded) == value)
        }
        let bigArray = COSEMData.array((0 ..< 300).map { .longUnsigned(UInt16($0)) })
        #expect(Array(bigArray.encoded.prefix(4)) == bytes("0182012C"))
        #expect(try COSEMData(decoding: bigArray.encoded) == bigArray)
        let visible = COSEMData.visibleString([UInt8](repeating: 0x41, count: 200))
        #expect(Array(visible.encoded.prefix(3)) == bytes("0A81C8"))
        #expect(try COSEMData(decoding: visible.encoded) == visible)
    }

    @Test("nested structures round-trip: a measurement-record-like tree")
    func nested() throws {
        let record = COSEMData.structure([
            .octetString(COSEMDateTime(year: 2025, month: 6, day: 1, hour: 12, minute: 0, second: 0).bytes),
            .longUnsigned(65535),
            .visible("PAC3200"), .visible("12345678"), .visible("site-1"),
            .array([
                .structure([.octetString(bytes("0100010800FF")), .float64(1234.5), .structure([.integer(0), .enumerated(30)])]),
                .structure([.octetString(bytes("0100200700FF")), .float32(230.1), .structure([.integer(-1), .enumerated(35)])]),
            ]),
            .longUnsigned(0),
            .bitString(BitString([false, true])),
        ])
        let encoded = record.encoded
        #expect(Array(encoded.prefix(4)) == bytes("0208090C"))
        let decoded = try COSEMData(decoding: encoded)
        #expect(decoded == record)
        #expect(decoded.encoded == encoded)
        #expect(decoded.elements?.count == 8)
        #expect(decoded.elements?[5].elements?[1].elements?[1] == .float32(230.1))
    }

    @Test("nesting up to the limit decodes; one more level is refused")
    func nestingLimit() throws {
        func nest(_ depth: Int) -> COSEMData {
            var value = COSEMData.null
            for _ in 0 ..< depth { value = .structure([value]) }
            return value
        }
        #expect(try COSEMData(decoding: nest(16).encoded) == nest(16))
        #expect(decodeError { _ = try COSEMData(decoding: nest(17).encoded) } == .nestingTooDeep(at: 32, limit: 16))
        let strict = DecodingLimits(maxDepth: 2)
        #expect(decodeError { _ = try COSEMData(decoding: nest(3).encoded, limits: strict) } == .nestingTooDeep(at: 4, limit: 2))
    }

    @Test("bit-strings pack MSB first and refuse set padding bits")
    func bitStrings() {
        let bits = BitString([true, true, false, false, false, false, false, false, false, true])
        #expect(bits.bytes == [0xC0, 0x40])
        #expect(bits[0] && bits[1] && !bits[2] && bits[9])
        #expect(bits.description == "1100000001")
        #expect(BitString(count: 10, bytes: [0xC0, 0x41]) == nil)
        #expect(BitString(count: 10, bytes: [0xC0]) == nil)
        #expect(decodeError { _ = try COSEMData(decoding: bytes("040AC041")) } == .invalidValue(at: 1, "bit-string with unused bits set"))
    }
}
