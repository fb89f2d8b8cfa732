import SwiftASN1
import X509

/// The seed's `certificate_info`: which certificate verifies the signature, carried in general-signing's
/// other-information. A receiver looks the certificate up by serial in the Central Directory.
///
/// It is CMS's IssuerAndSerialNumber (RFC 5652 §10.2.4):
/// ```
/// IssuerAndSerialNumber ::= SEQUENCE {
///         issuer Name,
///         serialNumber CertificateSerialNumber }
/// ```
/// built as swift-certificates builds its own `CMSIssuerAndSerialNumber` (which it keeps internal): a
/// `DERImplicitlyTaggable`, so it nests in other swift-asn1 types (the evidence file's `measurementDataSig`) and
/// the serial goes through swift-asn1's INTEGER rules both ways. For the positive serials certificates carry, the
/// bytes are those of the hand-assembled encoding this replaced: the magnitude, with a 00 before a high bit.
///
/// Decoding is strict DER and every failure is a `PKIError.malformed` naming `certificate_info`: truncated or
/// trailing bytes, another structure, a negative or non-minimal INTEGER, an issuer Name that would not encode back
/// to the same bytes. So whatever decodes re-encodes to exactly the bytes it came from, which the verifier relies
/// on when it compares an evidence file's copy with the frame's.
public struct CertificateInfo: DERImplicitlyTaggable, Sendable, Hashable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public var issuer: DistinguishedName
    public var serialNumber: Certificate.SerialNumber

    public init(issuer: DistinguishedName, serialNumber: Certificate.SerialNumber) {
        self.issuer = issuer
        self.serialNumber = serialNumber
    }

    /// The `certificate_info` naming `certificate`.
    public init(_ certificate: Certificate) {
        self.init(issuer: certificate.issuer, serialNumber: certificate.serialNumber)
    }

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws(PKIError) {
        do {
            self = try DER.sequence(rootNode, identifier: identifier) { nodes in
                guard let issuerNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no issuer Name") }
                let issuer = try DistinguishedName(derEncoded: issuerNode)
                // swift-certificates reads a UTF8String that is not UTF-8 with replacement characters; such a
                // Name would encode to other bytes than the frame carries, so it is refused here.
                guard try derBytes(issuer)[...] == issuerNode.encodedBytes else {
                    throw PKIError.malformed("certificate_info's issuer Name does not re-encode to its own bytes (a string that is not valid for its type)")
                }
                let serialNumber = try ArraySlice<UInt8>(derEncoded: &nodes)
                return CertificateInfo(issuer: issuer, serialNumber: Certificate.SerialNumber(bytes: serialNumber))
            }
        } catch let error as PKIError {
            throw error
        } catch {
            throw Self.malformed(error)
        }
    }

    /// Decodes the DER of exactly one IssuerAndSerialNumber: trailing bytes are refused.
    public init(derEncoded bytes: [UInt8]) throws(PKIError) {
        let node: ASN1Node
        do {
            node = try DER.parse(bytes)
        } catch {
            throw Self.malformed(error)
        }
        try self.init(derEncoded: node, withIdentifier: Self.defaultIdentifier)
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(issuer)
            try coder.serialize(serialNumber.bytes)
        }
    }

    /// The DER, as general-signing's other-information carries it. Throws only when the issuer Name cannot be
    /// encoded (a name assembled by hand with an invalid OID, say); a decoded or certificate-made value encodes.
    public var derEncoded: [UInt8] {
        get throws(PKIError) {
            var serializer = DER.Serializer()
            do {
                try serializer.serialize(self)
            } catch {
                throw .malformed("certificate_info cannot be encoded: \(error)")
            }
            return serializer.serializedBytes
        }
    }

    /// The serial, as the Central Directory keys it.
    public var serial: CertificateSerial { CertificateSerial(serialNumber) }

    /// The serial's canonical text (see `CertificateSerial`).
    public var serialHex: String { serial.description }

    /// Whether `certificate` is the one this names.
    public func names(_ certificate: Certificate) -> Bool {
        certificate.issuer == issuer && certificate.serial == serial
    }

    private static func malformed(_ error: any Error) -> PKIError {
        .malformed("certificate_info is not a DER IssuerAndSerialNumber (RFC 5652 §10.2.4): \(error)")
    }
}
