import SwiftASN1

/// The DER encoding of a swift-asn1 / swift-certificates value.
public func derBytes(_ value: some DERSerializable) throws -> [UInt8] {
    var serializer = DER.Serializer()
    try serializer.serialize(value)
    return serializer.serializedBytes
}
