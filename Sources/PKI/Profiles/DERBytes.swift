import SwiftASN1

/// Minimal DER building for the few structures swift-certificates 1.21 has no type for (CRL distribution
/// points, CRLs, OCSP responses are built from these pieces plus its public types).
enum DERBytes {
    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var n = count
        while n > 0 { bytes.insert(UInt8(n & 0xFF), at: 0); n >>= 8 }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func tagged(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag] + length(content.count) + content }
    static func sequence(_ parts: [UInt8]...) -> [UInt8] { tagged(0x30, parts.flatMap { $0 }) }
    static func sequence(of parts: [[UInt8]]) -> [UInt8] { tagged(0x30, parts.flatMap { $0 }) }

    /// CRLDistributionPoints with one distribution point holding one URI (RFC 5280 §4.2.1.13).
    static func crlDistributionPoints(uri: String) -> [UInt8] {
        let generalName = tagged(0x86, Array(uri.utf8))  // [6] IMPLICIT IA5String
        let fullName = tagged(0xA0, generalName)  // [0] IMPLICIT GeneralNames
        let distributionPointName = tagged(0xA0, fullName)  // [0] EXPLICIT DistributionPointName
        return sequence(sequence(distributionPointName))
    }
}

/// The DER encoding of a swift-asn1 / swift-certificates value.
public func derBytes(_ value: some DERSerializable) throws -> [UInt8] {
    var serializer = DER.Serializer()
    try serializer.serialize(value)
    return serializer.serializedBytes
}
