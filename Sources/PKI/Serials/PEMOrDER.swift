import Foundation
import SwiftASN1
import X509

/// Certificates and CRLs as users hand them over: PEM (one or several blocks) or DER, told apart by their first
/// byte. Bytes in, values out; reading the file is the caller's business, and the error names what was expected.
public enum PEMOrDER {
    /// Every certificate in `bytes`: one DER certificate, or each PEM CERTIFICATE block in order.
    public static func certificates(_ bytes: [UInt8]) throws(PKIError) -> [Certificate] {
        do {
            if bytes.first == 0x30 { return [try Certificate(derEncoded: bytes)] }
            let documents = try PEMDocument.parseMultiple(pemString: String(decoding: bytes, as: UTF8.self))
            let certificates = try documents.filter { $0.discriminator == "CERTIFICATE" }.map { try Certificate(pemDocument: $0) }
            guard !certificates.isEmpty else { throw PKIError.malformed("no PEM CERTIFICATE block") }
            return certificates
        } catch {
            throw .malformed("not a certificate in PEM or DER (\(error))")
        }
    }

    /// The one certificate in `bytes`; several are refused, since a caller asking for one would pick at random.
    public static func certificate(_ bytes: [UInt8]) throws(PKIError) -> Certificate {
        let all = try certificates(bytes)
        guard all.count == 1 else { throw .malformed("\(all.count) certificates where one was expected") }
        return all[0]
    }

    /// A CRL in DER or as a PEM X509 CRL block.
    public static func crl(_ bytes: [UInt8]) throws(PKIError) -> ParsedCRL {
        if bytes.first == 0x30 { return try ParsedCRL(derEncoded: bytes) }
        let document: PEMDocument
        do {
            document = try PEMDocument(pemString: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw .malformed("not a CRL in PEM or DER (\(error))")
        }
        guard document.discriminator == "X509 CRL" else { throw .malformed("a PEM \(document.discriminator), not an X509 CRL") }
        return try ParsedCRL(derEncoded: Array(document.derBytes))
    }
}
