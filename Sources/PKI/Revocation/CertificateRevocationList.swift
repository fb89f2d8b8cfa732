import Foundation
import SwiftASN1
import X509

/// Builds X.509 v2 CRLs (RFC 5280 §5), which swift-certificates has no type for: TBSCertList in DER, signed by
/// the CA key, with a CRL number and the authority key identifier, and a reason code per entry.
package enum CertificateRevocationList {
    package struct Entry {
        package var serial: CertificateSerial
        package var date: Date
        package var reason: CRLReason

        package init(serial: CertificateSerial, date: Date, reason: CRLReason) {
            self.serial = serial
            self.date = date
            self.reason = reason
        }
    }

    package static func build(
        issuer: Certificate, key: SignerPrivateKey, number: Int, thisUpdate: Date, nextUpdate: Date, entries: [Entry]
    ) async throws -> [UInt8] {
        let algorithm = algorithmIdentifier(key.defaultSignatureAlgorithm)
        let issuerName = try derBytes(issuer.subject)
        var tbs: [UInt8] = DERBytes.tagged(0x02, [0x01])  // version v2
        tbs += algorithm + issuerName + time(thisUpdate) + time(nextUpdate)
        if !entries.isEmpty {
            tbs += DERBytes.sequence(of: entries.map { entry in
                var content = integer(Array(entry.serial.magnitude)) + time(entry.date)
                if entry.reason != .unspecified {
                    // reasonCode (2.5.29.21): OCTET STRING { ENUMERATED reason }
                    let reason = DERBytes.tagged(0x0A, [UInt8(entry.reason.rawValue)])
                    content += DERBytes.sequence(of: [DERBytes.sequence(oid([2, 5, 29, 21]), DERBytes.tagged(0x04, reason))])
                }
                return DERBytes.sequence(of: [content])
            })
        }
        let authorityKeyID = try derBytes(Certificate.Extension(
            AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuer.publicKey).keyIdentifier), critical: false
        ))
        let crlNumber = DERBytes.sequence(oid([2, 5, 29, 20]), DERBytes.tagged(0x04, integer(bigEndian(number))))
        tbs += DERBytes.tagged(0xA0, DERBytes.sequence(of: [authorityKeyID, crlNumber]))
        let tbsCertList = DERBytes.sequence(of: [tbs])
        let signature = try await key.signatureValue(over: tbsCertList)
        return DERBytes.sequence(of: [tbsCertList, algorithm, DERBytes.tagged(0x03, [0x00] + signature)])
    }

    /// AlgorithmIdentifier for the signature algorithms a CA key here signs with.
    static func algorithmIdentifier(_ algorithm: Certificate.SignatureAlgorithm) -> [UInt8] {
        switch algorithm {
        case .ecdsaWithSHA384: DERBytes.sequence(oid([1, 2, 840, 10045, 4, 3, 3]))
        case .ecdsaWithSHA512: DERBytes.sequence(oid([1, 2, 840, 10045, 4, 3, 4]))
        case .sha256WithRSAEncryption: DERBytes.sequence(oid([1, 2, 840, 113_549, 1, 1, 11]), [0x05, 0x00])
        default: DERBytes.sequence(oid([1, 2, 840, 10045, 4, 3, 2]))
        }
    }

    static func oid(_ components: [UInt]) -> [UInt8] {
        var body: [UInt8] = [UInt8(components[0] * 40 + components[1])]
        for component in components.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(component & 0x7F)]
            var rest = component >> 7
            while rest > 0 {
                chunk.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
                rest >>= 7
            }
            body += chunk
        }
        return DERBytes.tagged(0x06, body)
    }

    /// A DER INTEGER from unsigned big-endian bytes.
    static func integer(_ bytes: [UInt8]) -> [UInt8] {
        var content = Array(bytes.drop { $0 == 0 })
        if content.isEmpty { content = [0] }
        if content[0] & 0x80 != 0 { content.insert(0, at: 0) }
        return DERBytes.tagged(0x02, content)
    }

    static func bigEndian(_ value: Int) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    /// UTCTime until 2049, GeneralizedTime after (RFC 5280 §5.1.2.4).
    static func time(_ date: Date) -> [UInt8] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = c.year ?? 1970
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        let rest = two(c.month) + two(c.day) + two(c.hour) + two(c.minute) + two(c.second) + "Z"
        if year < 2050 { return DERBytes.tagged(0x17, Array((two(year % 100) + rest).utf8)) }
        return DERBytes.tagged(0x18, Array((String(format: "%04d", year) + rest).utf8))
    }
}
