import Foundation
import PKI
import SwiftASN1
import Testing
import X509

/// The one text form of a serial, and every form people paste read back to it.
@Suite("CertificateSerial: one canonical text, the forms people paste parsed to it")
struct CertificateSerialTests {
    @Test("the canonical text is upper-case hex of the magnitude, two digits a byte, no leading zero bytes", arguments: [
        ([0x80, 0x01], "8001"),  // high bit: the DER INTEGER is 00 80 01, the serial is not
        ([0x0A, 0xBC], "0ABC"),  // a small first byte keeps its leading zero digit
        ([0x00, 0x00, 0x7F], "7F"),  // leading zero bytes are not part of the number
        ([0x01], "01"),
        ([], "00"),  // zero
    ] as [([UInt8], String)])
    func canonical(bytes: [UInt8], text: String) {
        let serial = CertificateSerial(magnitude: bytes)
        #expect(serial.description == text)
        #expect("\(serial)" == text)
        #expect(CertificateSerial(Certificate.SerialNumber(bytes: bytes)) == serial)
    }

    @Test("lower case, 0x, colons of one or two digits, odd length and a leading 00 all parse to one serial", arguments: [
        "80FF", "80ff", "0x80FF", "0X80ff", "0080FF", "000080ff", "80:FF", "00:80:ff", "80:ff", "0x00:80:FF", " 80FF\n",
    ])
    func forms(text: String) throws {
        let serial = try CertificateSerial(parsing: text)
        #expect(serial == CertificateSerial(magnitude: [0x80, 0xFF]))
        #expect(serial.description == "80FF")
    }

    @Test("odd digit counts are padded at the front; swift-certificates' own description reads back")
    func oddAndLibraryForm() throws {
        #expect(try CertificateSerial(parsing: "ABC").description == "0ABC")
        #expect(try CertificateSerial(parsing: "0").description == "00")
        let number = Certificate.SerialNumber(bytes: [0x0A, 0x0B, 0xC0])
        #expect(number.description == "a:b:c0")  // unpadded groups: why colon groups of one digit are accepted
        #expect(try CertificateSerial(parsing: number.description) == CertificateSerial(number))
    }

    @Test("what is not a serial is refused with the text given, typed", arguments: [
        "", "0x", "zz", "not-hex", "80:", ":80", "80::FF", "800:FF", "-1", "+1", "12 34", "８０",
        String(repeating: "F", count: 42),  // 21 bytes: longer than RFC 5280 allows
        String(repeating: "0", count: 200),  // longer than any text pkid parses
    ])
    func refused(text: String) {
        #expect(throws: PKIError.self) { try CertificateSerial(parsing: text) }
        #expect(CertificateSerial(text) == nil)
    }

    @Test("20 bytes with the high bit set (a 21-byte DER INTEGER) is still a serial")
    func longest() throws {
        let text = "FF" + String(repeating: "01", count: 19)
        #expect(try CertificateSerial(parsing: "00" + text).description == text)
        #expect(try CertificateSerial(parsing: text).magnitude.count == 20)
    }

    @Test("an invalid serial's message quotes it and says how to write one")
    func message() {
        #expect(throws: PKIError.invalidSerial("zz")) { try CertificateSerial(parsing: "zz") }
        #expect(PKIError.invalidSerial("zz").description == "invalid serial \"zz\"; give the serial number in hex, as `gatewayctl ca list` prints it")
    }

    @Test("serials that differ only by DER's 00 are one key; different numbers are not")
    func hashing() throws {
        let set: Set<CertificateSerial> = [try CertificateSerial(parsing: "0080"), try CertificateSerial(parsing: "80"), CertificateSerial(magnitude: [0, 0x80])]
        #expect(set.count == 1)
        #expect(try CertificateSerial(parsing: "8000") != CertificateSerial(parsing: "80"))
        #expect(try CertificateSerial(parsing: "0100") != CertificateSerial(parsing: "01"))
    }

    @Test("a serial is Codable as its canonical text")
    func codable() throws {
        let data = try JSONEncoder().encode([CertificateSerial(magnitude: [0x80, 0x01])])
        #expect(String(decoding: data, as: UTF8.self) == "[\"8001\"]")
        #expect(try JSONDecoder().decode([CertificateSerial].self, from: Data("[\"00:80:01\"]".utf8)) == [CertificateSerial(magnitude: [0x80, 0x01])])
    }

    @Test("a certificate's serial is its magnitude, however the DER INTEGER pads it; writing it back gives the same INTEGER")
    func fromDERInteger() throws {
        func serial(_ der: [UInt8]) throws -> CertificateSerial? { try CertificateSerialNumber(derEncoded: try DER.parse(der)).serial }
        // INTEGER 00 80 01 as a CRL entry or an OCSP CertID carries it.
        #expect(try serial([0x02, 0x03, 0x00, 0x80, 0x01]) == CertificateSerial(magnitude: [0x80, 0x01]))
        #expect(try derBytes(CertificateSerialNumber(CertificateSerial(magnitude: [0x80, 0x01]))) == [0x02, 0x03, 0x00, 0x80, 0x01])
        // Negative: names no certificate here, and is written back as it came.
        #expect(try serial([0x02, 0x01, 0x80]) == nil)
        #expect(try derBytes(CertificateSerialNumber(derEncoded: try DER.parse([0x02, 0x01, 0x80]))) == [0x02, 0x01, 0x80])
        #expect(try serial([0x02, 0x01, 0x00]) == CertificateSerial(magnitude: []))
        #expect(try derBytes(CertificateSerialNumber(CertificateSerial(magnitude: []))) == [0x02, 0x01, 0x00])
        // Not DER: a 00 that is not needed, an empty INTEGER, another type.
        #expect(throws: (any Error).self) { try serial([0x02, 0x02, 0x00, 0x01]) }
        #expect(throws: (any Error).self) { try serial([0x02, 0x00]) }
        #expect(throws: (any Error).self) { try serial([0x04, 0x01, 0x01]) }
    }
}
