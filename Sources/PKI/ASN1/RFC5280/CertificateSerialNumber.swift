import SwiftASN1

/// A serial number as a CRL entry and an OCSP CertID carry it (RFC 5280 §4.1.2.2):
/// `CertificateSerialNumber ::= INTEGER`.
///
/// Any INTEGER in minimal DER, negative ones included: another CA's CRL or a request may name one, and it must
/// parse so that it can name nothing here (`serial` is nil) rather than make the whole CRL or request malformed.
/// swift-certificates' `Certificate.SerialNumber` refuses negatives, and `ArraySlice<UInt8>` drops the sign
/// byte, so the two's-complement content is kept as it came and written back unchanged.
package struct CertificateSerialNumber: ASN1IntegerRepresentable, Hashable, Sendable {
    package static var isSigned: Bool { true }

    /// The INTEGER's content octets: two's complement, minimal.
    package var bytes: ArraySlice<UInt8>

    /// The INTEGER for `serial`'s magnitude: a 00 before a high bit, 00 for zero.
    package init(_ serial: CertificateSerial) {
        let magnitude = serial.magnitude
        bytes = magnitude.first.map { $0 & 0x80 == 0 ? magnitude : [0] + magnitude } ?? [0]
    }

    package init(derIntegerBytes bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    package init(berIntegerBytes bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    package func withBigEndianIntegerBytes<ReturnType>(_ body: (ArraySlice<UInt8>) throws -> ReturnType) rethrows -> ReturnType {
        try body(bytes)
    }

    /// The serial this names; nil for a negative INTEGER, which no certificate here carries.
    package var serial: CertificateSerial? {
        guard let first = bytes.first, first & 0x80 == 0 else { return nil }
        return CertificateSerial(magnitude: bytes)
    }
}
