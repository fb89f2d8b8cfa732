import Testing
@testable import VirtualCard

@Suite("APDU and BER-TLV decoding: hostile input gives typed errors, never a crash")
struct APDUDecodingTests {
    @Test("short APDUs of all four cases parse, with the chaining bit")
    func cases() throws {
        #expect(try CommandAPDU(parsing: [0x00, 0xA4, 0x04, 0x00]) == CommandAPDU(ins: 0xA4, p1: 4, p2: 0))
        #expect(try CommandAPDU(parsing: [0x00, 0xC0, 0x00, 0x00, 0x00]).expectedLength == 256)
        let case3 = try CommandAPDU(parsing: [0x10, 0xDB, 0x3F, 0xFF, 0x02, 0xAA, 0xBB])
        #expect(case3.data == [0xAA, 0xBB] && case3.expectedLength == nil && case3.isChained)
        let case4 = try CommandAPDU(parsing: [0x00, 0x87, 0x11, 0x9C, 0x01, 0x7C, 0x10])
        #expect(case4.data == [0x7C] && case4.expectedLength == 16 && !case4.isChained)
        #expect(try CommandAPDU(parsing: case4.bytes) == case4)
    }

    @Test("truncated, extended and over-long APDUs are typed errors")
    func malformed() {
        #expect(throws: APDUError.truncated(needed: 4, got: 2)) { try CommandAPDU(parsing: [0x00, 0xA4]) }
        #expect(throws: APDUError.truncated(needed: 8, got: 6)) { try CommandAPDU(parsing: [0, 0xDB, 0x3F, 0xFF, 3, 1]) }
        #expect(throws: APDUError.extendedLengthUnsupported) { try CommandAPDU(parsing: [0, 0xDB, 0x3F, 0xFF, 0, 1, 0]) }
        #expect(throws: APDUError.trailingBytes(expected: 7, got: 8)) { try CommandAPDU(parsing: [0, 0xDB, 0, 0, 1, 1, 0, 0]) }
    }

    @Test("the card answers malformed bytes with 6700 and keeps working")
    func cardSurvivesGarbage() throws {
        let fixture = try CardFixture()
        for garbage: [UInt8] in [[], [0x00], [0x00, 0xA4, 0x04], [0, 0xCB, 0x3F, 0xFF, 0x09, 0x5C], [0, 0xDB, 0x3F, 0xFF, 0, 0, 5]] {
            #expect(fixture.send(garbage).status == .wrongLength)
        }
        #expect(fixture.select().status == .success)
    }

    @Test("TLV: nested templates and multi-byte tags round-trip")
    func roundTrip() throws {
        let tlv = TLV(tag: 0x7F49, children: [TLV(tag: 0x86, value: [UInt8](repeating: 4, count: 300))])
        let decoded = try TLVReader.elements(of: tlv.encoded)
        #expect(decoded == [tlv])
        #expect(try TLVReader.elements(of: decoded[0].value).first(tag: 0x86)?.value.count == 300)
        #expect(TLV(tag: 0x5C, value: [0x5F, 0xC1, 0x05]).encoded == [0x5C, 0x03, 0x5F, 0xC1, 0x05])
    }

    @Test("TLV: truncated, oversized and malformed input are typed errors", arguments: [
        ([0x53], TLVError.truncated(offset: 1)),
        ([0x53, 0x05, 0x01], TLVError.truncated(offset: 3)),
        ([0x53, 0x82, 0x01], TLVError.truncated(offset: 3)),
        ([0x5F], TLVError.truncated(offset: 1)),
        ([0x53, 0x84, 0x01, 0x00, 0x00, 0x00], TLVError.oversized(offset: 1, length: Int.max)),
        ([0x53, 0x83, 0x10, 0x00, 0x00], TLVError.oversized(offset: 1, length: 0x100000)),
        ([0x53, 0x80, 0x00, 0x00], TLVError.malformed(offset: 1, reason: "indefinite length")),
        ([0x5F, 0xC1, 0x85, 0x01, 0x00], TLVError.malformed(offset: 0, reason: "tag longer than three bytes")),
    ] as [([UInt8], TLVError)])
    func hostileTLV(bytes: [UInt8], error: TLVError) {
        #expect(throws: error) { try TLVReader.elements(of: bytes) }
    }

    @Test("TLV: every prefix of a valid object fails cleanly or parses")
    func everyPrefix() throws {
        let object = PIVDataObject.certificateContainer([UInt8](repeating: 0x30, count: 400))
        for length in 0..<object.count {
            _ = try? TLVReader.elements(of: Array(object.prefix(length)))
        }
        #expect(PIVDataObject.certificate(inContainer: object)?.count == 400)
    }
}
