import Signing
import Foundation
import SwiftASN1
import X509

/// A CRL read back from DER (RFC 5280 §5.1): who issued it, when, until when, and which serials it revokes.
/// Parsing is strict and typed: a malformed CRL is an error, never a crash.
public struct ParsedCRL: Sendable {
    public struct Revoked: Sendable, Hashable {
        public var date: Date
        public var reason: CRLReason
    }

    public let issuer: DistinguishedName
    public let thisUpdate: Date
    public let nextUpdate: Date?
    public let number: Int?
    /// What the CRL revokes, by serial: entries and certificates meet on the serial's magnitude, whatever 00 byte
    /// either encoding carried.
    public let revoked: [CertificateSerial: Revoked]
    let tbsBytes: ArraySlice<UInt8>
    let signatureAlgorithm: Certificate.SignatureAlgorithm
    let signature: ArraySlice<UInt8>

    public init(derEncoded bytes: [UInt8]) throws(PKIError) {
        do {
            let root = try DER.parse(bytes)
            guard root.identifier == .sequence, case .constructed(let top) = root.content else { throw PKIError.malformed("CRL is not a SEQUENCE") }
            var topNodes = top.makeIterator()
            guard let tbs = topNodes.next(), let algorithm = topNodes.next(), let signatureNode = topNodes.next() else {
                throw PKIError.malformed("CRL lacks its signature")
            }
            tbsBytes = tbs.encodedBytes
            signatureAlgorithm = try Self.signatureAlgorithm(algorithm)
            let bitString = try ASN1BitString(derEncoded: signatureNode)
            // A signature is whole octets; unused bits would let two encodings carry one signature.
            guard bitString.paddingBits == 0 else { throw PKIError.malformed("the CRL's signature has unused bits") }
            signature = bitString.bytes

            guard tbs.identifier == .sequence, case .constructed(let fields) = tbs.content else {
                throw PKIError.malformed("CRL's TBSCertList is not a SEQUENCE")
            }
            guard topNodes.next() == nil else { throw PKIError.malformed("CRL has trailing data") }
            var nodes = Array(fields)
            if let first = nodes.first, first.identifier == .integer { nodes.removeFirst() }  // version
            guard nodes.count >= 3 else { throw PKIError.malformed("CRL's TBSCertList is too short") }
            nodes.removeFirst()  // signature AlgorithmIdentifier (checked against the outer one below)
            issuer = try DistinguishedName(derEncoded: nodes.removeFirst())
            thisUpdate = try Self.date(nodes.removeFirst())
            var next: Date?
            if let node = nodes.first, node.identifier == .utcTime || node.identifier == .generalizedTime {
                next = try Self.date(nodes.removeFirst())
            }
            nextUpdate = next
            var revoked: [CertificateSerial: Revoked] = [:]
            if let node = nodes.first, node.identifier == .sequence {
                nodes.removeFirst()
                guard case .constructed(let entries) = node.content else { throw PKIError.malformed("CRL's revoked list is malformed") }
                for entry in entries {
                    guard entry.identifier == .sequence, case .constructed(let parts) = entry.content else { throw PKIError.malformed("CRL entry is malformed") }
                    var items = parts.makeIterator()
                    guard let serialNode = items.next(), let dateNode = items.next() else {
                        throw PKIError.malformed("CRL entry lacks serial or date")
                    }
                    let serial = try CertificateSerial.decoding(serialNode)
                    var reason = CRLReason.unspecified
                    if let extensions = items.next(), case .constructed(let list) = extensions.content {
                        for ext in list {
                            let parsed = try Certificate.Extension(derEncoded: ext)
                            if parsed.oid == [2, 5, 29, 21], let code = parsed.value.last { reason = CRLReason(rawValue: Int(code)) ?? .unspecified }
                        }
                    }
                    let revocation = Revoked(date: try Self.date(dateNode), reason: reason)
                    // A negative serial (another CA's) can name no certificate swift-certificates parses.
                    if let serial { revoked[serial] = revocation }
                }
            }
            self.revoked = revoked
            var number: Int?
            if let node = nodes.first, node.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
               case .constructed(let wrapped) = node.content, let sequence = wrapped.first(where: { _ in true }),
               case .constructed(let extensions) = sequence.content {
                for ext in extensions {
                    let parsed = try Certificate.Extension(derEncoded: ext)
                    if parsed.oid == [2, 5, 29, 20] {
                        let integer = try DER.parse(parsed.value)
                        if case .primitive(let content) = integer.content, content.count <= 8 {
                            number = content.reduce(0) { $0 << 8 | Int($1) }
                        }
                    }
                }
            }
            self.number = number
        } catch let error as PKIError {
            throw error
        } catch {
            throw .malformed("not a DER CRL: \(error)")
        }
    }

    /// Whether `issuer` (its key) signed this CRL.
    public func isSigned(by issuer: Certificate) -> Bool {
        issuer.publicKey.isValidSignature(signature, for: tbsBytes, signatureAlgorithm: signatureAlgorithm)
    }

    public func revocation(of certificate: Certificate) -> Revoked? {
        revoked[certificate.serial]
    }

    private static func signatureAlgorithm(_ node: ASN1Node) throws -> Certificate.SignatureAlgorithm {
        let bytes = Array(node.encodedBytes)
        for candidate in [Certificate.SignatureAlgorithm.ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512, .sha256WithRSAEncryption,
                          .sha384WithRSAEncryption, .sha512WithRSAEncryption]
        where CertificateRevocationList.algorithmIdentifier(candidate) == bytes || rsaWithoutNull(candidate) == bytes {
            return candidate
        }
        throw PKIError.malformed("CRL signed with an unsupported algorithm")
    }

    private static func rsaWithoutNull(_ algorithm: Certificate.SignatureAlgorithm) -> [UInt8]? {
        switch algorithm {
        case .sha384WithRSAEncryption: DERBytes.sequence(CertificateRevocationList.oid([1, 2, 840, 113_549, 1, 1, 12]), [0x05, 0x00])
        case .sha512WithRSAEncryption: DERBytes.sequence(CertificateRevocationList.oid([1, 2, 840, 113_549, 1, 1, 13]), [0x05, 0x00])
        default: nil
        }
    }

    static func date(_ node: ASN1Node) throws -> Date {
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        if node.identifier == .utcTime {
            let time = try UTCTime(derEncoded: node)
            (components.year, components.month, components.day) = (time.year, time.month, time.day)
            (components.hour, components.minute, components.second) = (time.hours, time.minutes, time.seconds)
        } else {
            let time = try GeneralizedTime(derEncoded: node)
            (components.year, components.month, components.day) = (time.year, time.month, time.day)
            (components.hour, components.minute, components.second) = (time.hours, time.minutes, time.seconds)
        }
        guard let date = Calendar(identifier: .gregorian).date(from: components) else { throw PKIError.malformed("CRL time out of range") }
        return date
    }
}
