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
            let crl = try CertificateList(derEncoded: try DER.parse(bytes))
            let tbs = crl.tbsCertList
            // A signature is whole octets; unused bits would let two encodings carry one signature.
            guard crl.signature.paddingBits == 0 else { throw PKIError.malformed("the CRL's signature has unused bits") }
            tbsBytes = crl.tbsCertListBytes
            signatureAlgorithm = try crl.signatureAlgorithm.signatureAlgorithm()
            signature = crl.signature.bytes
            issuer = tbs.issuer
            thisUpdate = try tbs.thisUpdate.date
            nextUpdate = try tbs.nextUpdate?.date
            var revoked: [CertificateSerial: Revoked] = [:]
            for entry in tbs.revokedCertificates {
                let revocation = Revoked(date: try entry.revocationDate.date, reason: try entry.reason)
                // A negative serial (another CA's) can name no certificate swift-certificates parses.
                if let serial = entry.userCertificate.serial { revoked[serial] = revocation }
            }
            self.revoked = revoked
            number = try tbs.crlExtensions?[oid: CRLNumber.extensionOID].map { try CRLNumber($0) }?.value
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
}
