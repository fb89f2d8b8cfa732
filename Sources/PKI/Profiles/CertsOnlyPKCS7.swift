import SwiftASN1
import X509

/// EST's certificate container (RFC 7030 §4.1.3): a CMS SignedData with certificates and no signers,
/// ("certs-only" PKCS#7). swift-certificates keeps its CMS types internal, so the few bytes are built here.
public enum CertsOnlyPKCS7 {
    public static func encode(_ certificates: [Certificate]) throws -> [UInt8] {
        let certs = try certificates.map { try derBytes($0) }
        let signedData = DERBytes.sequence(
            DERBytes.tagged(0x02, [0x01]),  // version 1
            [0x31, 0x00],  // digestAlgorithms: empty SET
            DERBytes.sequence(CertificateRevocationList.oid([1, 2, 840, 113_549, 1, 7, 1])),  // encapContentInfo: data, no content
            DERBytes.tagged(0xA0, certs.flatMap { $0 }),  // certificates [0] IMPLICIT
            [0x31, 0x00]  // signerInfos: empty SET
        )
        return DERBytes.sequence(CertificateRevocationList.oid([1, 2, 840, 113_549, 1, 7, 2]), DERBytes.tagged(0xA0, signedData))
    }

    /// The certificates of a certs-only PKCS#7 (DER).
    public static func decode(_ bytes: [UInt8]) throws(PKIError) -> [Certificate] {
        do {
            let contentInfo = try DER.parse(bytes)
            guard contentInfo.identifier == .sequence, case .constructed(let outer) = contentInfo.content else {
                throw PKIError.malformed("not a PKCS#7 ContentInfo")
            }
            let parts = Array(outer)
            guard parts.count == 2, case .constructed(let explicit) = parts[1].content,
                  let signedData = explicit.first(where: { _ in true }), case .constructed(let fields) = signedData.content else {
                throw PKIError.malformed("PKCS#7 without SignedData")
            }
            for field in fields where field.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                guard case .constructed(let certificates) = field.content else { continue }
                return try certificates.map { try Certificate(derEncoded: $0) }
            }
            return []
        } catch let error as PKIError {
            throw error
        } catch {
            throw .malformed("not a certs-only PKCS#7: \(error)")
        }
    }
}
