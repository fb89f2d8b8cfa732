@testable import COSEM
import Testing

@Suite("Hostile and malformed input")
struct HostileInputTests {
    /// A data-notification whose body is `outer` arrays of 65,535 null-data each: about 64 KiB an array.
    static func wideNotification(outer: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x0F, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, UInt8(outer)]
        for _ in 0 ..< outer { bytes += [0x01, 0x82, 0xFF, 0xFF] + [UInt8](repeating: 0x00, count: 65_535) }
        return bytes
    }

    @Test("a frame of more values than the limit is refused before they are decoded; the limit is configurable")
    func tooManyValues() throws {
        let wide = Self.wideNotification(outer: 80)  // 5 MB, 5.2 million values
        #expect(wide.count > 5_000_000)
        let error = decodeError { _ = try APDU(decoding: wide) }
        guard case .tooManyValues(_, let limit) = error else {
            Issue.record("a 5 MB frame of null arrays gave \(String(describing: error))")
            return
        }
        #expect(limit == DecodingLimits.default.maxValues)
        // Within the limit it decodes; one value more and it does not.
        // The widest array there is (65,535 null-data, 65,536 values with it) fits the default.
        let widest: [UInt8] = [0x0F, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x82, 0xFF, 0xFF] + [UInt8](repeating: 0x00, count: 65_535)
        #expect(throws: Never.self) { _ = try APDU(decoding: widest) }
        let one = Self.wideNotification(outer: 1)  // 1 + 1 + 65,535 values
        var tight = DecodingLimits.default
        tight.maxValues = 65_536
        #expect(throws: COSEMError.self) { _ = try APDU(decoding: one, limits: tight) }
        tight.maxValues = 65_537
        #expect(throws: Never.self) { _ = try APDU(decoding: one, limits: tight) }
    }

    @Test("every proper prefix of every Data encoding is truncated, never a crash")
    func truncatedData() {
        for value in everyTag {
            let encoded = value.encoded
            for cut in 0 ..< encoded.count {
                let error = decodeError { _ = try COSEMData(decoding: Array(encoded.prefix(cut))) }
                guard case .truncated(let at) = error else {
                    Issue.record("\(hexString(Array(encoded.prefix(cut)))) gave \(String(describing: error))")
                    continue
                }
                #expect(at <= cut)
            }
        }
    }

    @Test("every proper prefix of every APDU and both vectors is truncated")
    func truncatedAPDUs() {
        let frames = everyAPDU.map(\.encoded) + [VectorTests.dataNotification, VectorTests.generalSigning]
        for frame in frames {
            for cut in 0 ..< frame.count {
                let error = decodeError { _ = try APDU(decoding: Array(frame.prefix(cut))) }
                guard case .truncated = error else {
                    Issue.record("prefix \(cut) of \(hexString(frame)) gave \(String(describing: error))")
                    continue
                }
            }
        }
    }

    @Test("declared lengths beyond the limits are oversized before allocation")
    func oversized() {
        // An octet string claiming 4 GiB - 1.
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0984FFFFFFFF00")) }
            == .oversized(at: 1, length: 0xFFFF_FFFF, limit: 1 << 20))
        // An array claiming 16M elements.
        #expect(decodeError { _ = try COSEMData(decoding: bytes("018401000000")) }
            == .oversized(at: 1, length: 0x0100_0000, limit: 65_535))
        // Within limits but longer than the input: truncated at the end.
        #expect(decodeError { _ = try COSEMData(decoding: bytes("01820100 0000")) } == .truncated(at: 6))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0981FF00")) } == .truncated(at: 4))
        let small = DecodingLimits(maxElements: 2, maxLength: 3)
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0203000000"), limits: small) } == .oversized(at: 1, length: 3, limit: 2))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("090401020304"), limits: small) } == .oversized(at: 1, length: 4, limit: 3))
        #expect(decodeError { _ = try APDU(decoding: bytes("DF84FFFFFFFF"), limits: small) } == .oversized(at: 1, length: 0xFFFF_FFFF, limit: 3))
    }

    @Test("non-canonical and invalid length forms are refused")
    func lengthForms() {
        #expect(decodeError { _ = try COSEMData(decoding: bytes("09810501020304 05")) } == .nonCanonicalLength(at: 1))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0982008001")) } == .nonCanonicalLength(at: 1))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("098400000080")) } == .nonCanonicalLength(at: 1))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0983010000")) } == .nonCanonicalLength(at: 1))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0980")) } == .invalidLengthForm(0x80, at: 1))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0985000000000001")) } == .invalidLengthForm(0x85, at: 1))
    }

    @Test("unknown tags are named with their offset")
    func unknownTags() {
        for tag: UInt8 in [0x07, 0x08, 0x0B, 0x0E, 0x13, 0x1C, 0xFF] {
            #expect(decodeError { _ = try COSEMData(decoding: [tag, 0, 0, 0, 0]) } == .unknownTag(tag, at: 0))
        }
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0202 1100 07")) } == .unknownTag(0x07, at: 4))
        let known = Set(DataTag.allCases.map(\.rawValue))
        #expect(known.count == 23)
    }

    @Test("trailing bytes after a complete value or APDU")
    func trailing() {
        #expect(decodeError { _ = try COSEMData(decoding: bytes("1101 00")) } == .trailingBytes(at: 2, count: 1))
        #expect(decodeError { _ = try APDU(decoding: VectorTests.dataNotification + [0xAA, 0xBB]) }
            == .trailingBytes(at: VectorTests.dataNotification.count, count: 2))
        #expect(decodeError { _ = try GeneralSigning(decoding: VectorTests.generalSigning + [0]) }
            == .trailingBytes(at: VectorTests.generalSigning.count, count: 1))
        #expect(decodeError { _ = try COSEMDateTime(bytes: [UInt8](repeating: 0xFF, count: 13)) } != nil)
    }

    @Test("out-of-range values are invalid, not silently accepted")
    func invalidValues() {
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0302")) } == .invalidValue(at: 1, "boolean 2 (only 0 and 1 are canonical)"))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0A024107")) } == .invalidValue(at: 1, "visible-string byte 0x07 is not printable ASCII"))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("0C02C328")) } == .invalidValue(at: 1, "utf8-string is not valid UTF-8"))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("1A07E80D01FF")) } == .invalidValue(at: 1, "date with month 13"))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("1B18000000")) } == .invalidValue(at: 1, "time with hour 24"))
        #expect(decodeError { _ = try COSEMData(decoding: bytes("1907E8010101 00000000 0400 00")) } == .invalidValue(at: 1, "date-time with deviation 1024"))
    }

    @Test("thousands of random byte strings never crash and only throw COSEMError")
    func randomBytes() {
        var generator = SplitMix64(seed: 0xC05E_4D17)
        var accepted = 0
        for _ in 0 ..< 5000 {
            let count = Int.random(in: 0 ... 64, using: &generator)
            var input = (0 ..< count).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
            // Half the time start with a plausible tag so decoding goes deeper than the first byte.
            if !input.isEmpty, Bool.random(using: &generator) {
                input[0] = [0x0F, 0xC0, 0xC4, 0xD8, 0xDF, 0x01, 0x02, 0x09].randomElement(using: &generator) ?? 0
            }
            if let apdu = try? APDU(decoding: input) {
                accepted += 1
                #expect(apdu.encoded == input, "accepted \(hexString(input)) but re-encodes differently")
            }
            if let data = try? COSEMData(decoding: input) {
                #expect(data.encoded == input, "accepted \(hexString(input)) but re-encodes differently")
            }
        }
        #expect(accepted < 5000)
    }

    @Test("single-byte mutations of valid encodings never crash; whatever decodes re-encodes identically")
    func mutations() {
        var generator = SplitMix64(seed: 42)
        let frames = everyAPDU.map(\.encoded) + [VectorTests.dataNotification, VectorTests.generalSigning]
        let values = everyTag.map(\.encoded)
        for _ in 0 ..< 4000 {
            let useAPDU = Bool.random(using: &generator)
            guard var input = (useAPDU ? frames : values).randomElement(using: &generator), !input.isEmpty else { continue }
            let index = Int.random(in: 0 ..< input.count, using: &generator)
            input[index] = UInt8.random(in: 0 ... 255, using: &generator)
            if useAPDU {
                if let apdu = try? APDU(decoding: input) { #expect(apdu.encoded == input, "\(hexString(input))") }
            } else {
                if let data = try? COSEMData(decoding: input) { #expect(data.encoded == input, "\(hexString(input))") }
            }
        }
    }
}
