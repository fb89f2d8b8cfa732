import SwiftASN1
import X509

/// EST's certificate container (RFC 7030 §4.1.3): a CMS ContentInfo around a SignedData with certificates and no
/// signers ("certs-only" PKCS#7), see `SignedData`.
public enum CertsOnlyPKCS7 {
    public static func encode(_ certificates: [Certificate]) throws -> [UInt8] {
        try derBytes(try ContentInfo(SignedData(certsOnly: certificates)))
    }

    /// The certificates of a certs-only PKCS#7 (DER), in the order it lists them.
    public static func decode(_ bytes: [UInt8]) throws(PKIError) -> [Certificate] {
        do {
            return try ContentInfo(derEncoded: try DER.parse(bytes)).signedData.certificates
        } catch let error as PKIError {
            throw error
        } catch {
            throw .malformed("not a certs-only PKCS#7: \(error)")
        }
    }
}
