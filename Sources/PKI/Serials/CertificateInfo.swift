import Signing
import SwiftASN1
import X509

/// The seed's `certificate_info`: which certificate verifies the signature, as CMS's IssuerAndSerialNumber
/// (RFC 5652 §10.2.4) in DER, carried in general-signing's other-information. A receiver looks the certificate up
/// by serial in the Central Directory.
public struct CertificateInfo: Sendable, Hashable {
    public var issuer: DistinguishedName
    public var serialNumber: [UInt8]

    public init(_ certificate: Certificate) {
        issuer = certificate.issuer
        serialNumber = Array(certificate.serialNumber.bytes)
    }

    public var derEncoded: [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(issuer)
            // INTEGER from the unsigned magnitude: a leading zero byte keeps it positive.
            var magnitude = Array(serialNumber.drop { $0 == 0 })
            if magnitude.isEmpty || magnitude[0] & 0x80 != 0 { magnitude.insert(0, at: 0) }
            coder.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: magnitude) }
        }
        return serializer.serializedBytes
    }

    public init(derEncoded bytes: [UInt8]) throws(PKIError) {
        do {
            let node = try DER.parse(bytes)
            guard node.identifier == .sequence, case .constructed(let children) = node.content else {
                throw PKIError.malformed("certificate_info is not a SEQUENCE")
            }
            var iterator = children.makeIterator()
            guard let name = iterator.next(), let serial = iterator.next(), iterator.next() == nil,
                  serial.identifier == .integer, case .primitive(let content) = serial.content else {
                throw PKIError.malformed("certificate_info is not IssuerAndSerialNumber")
            }
            issuer = try DistinguishedName(derEncoded: name)
            serialNumber = Array(content.drop { $0 == 0 })
        } catch let error as PKIError {
            throw error
        } catch {
            throw .malformed("certificate_info is not DER IssuerAndSerialNumber (\(error))")
        }
    }

    /// Serial as upper-case hex, as the Central Directory keys it.
    public var serialHex: String { serialNumber.hexString }

    /// Whether `certificate` is the one this names.
    public func names(_ certificate: Certificate) -> Bool {
        certificate.issuer == issuer && Array(certificate.serialNumber.bytes.drop { $0 == 0 }) == Array(serialNumber.drop { $0 == 0 })
    }
}
