import Foundation
import SwiftASN1
import X509

/// Certificates and CRLs as users hand them over: PEM (one or several blocks) or DER, told apart by their first
/// byte. Bytes in, values out; reading the file is the caller's business, and the error names what was expected.
///
/// Errors say what is wrong in a few words and never quote the input: swift-asn1's own descriptions of a damaged
/// PEM carry part of it (and a source file and line), which made a truncated trust anchor a 641-byte dump.
public enum PEMOrDER {
    /// Every certificate in `bytes`: one DER certificate, or each PEM CERTIFICATE block in order.
    public static func certificates(_ bytes: [UInt8]) throws(PKIError) -> [Certificate] {
        if bytes.first == 0x30 {
            do { return [try Certificate(derEncoded: bytes)] } catch { throw .malformed("not a DER certificate (\(reason(error)))") }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let begins = text.components(separatedBy: "-----BEGIN ").count - 1
        let ends = text.components(separatedBy: "-----END ").count - 1
        guard begins > 0 else { throw .malformed("neither PEM nor DER: no -----BEGIN CERTIFICATE----- line") }
        guard begins == ends else { throw .malformed("a PEM block is cut off: \(begins) BEGIN line\(begins == 1 ? "" : "s"), \(ends) END") }
        let certificates: [Certificate]
        do {
            let documents = try PEMDocument.parseMultiple(pemString: text)
            certificates = try documents.filter { $0.discriminator == "CERTIFICATE" }.map { try Certificate(pemDocument: $0) }
        } catch {
            throw .malformed("a PEM CERTIFICATE block is damaged (\(reason(error)))")
        }
        guard !certificates.isEmpty else { throw PKIError.malformed("no PEM CERTIFICATE block") }
        return certificates
    }

    /// A parser's error in a few words without any of the input: swift-asn1's code, or the error's type.
    static func reason(_ error: any Error) -> String {
        if let error = error as? ASN1Error {
            switch error.code {
            case .invalidPEMDocument: return "bad base64, line lengths or markers"
            case .truncatedASN1Field: return "its DER ends early"
            default: return "malformed DER: \(error.code)"
            }
        }
        return "malformed: \(type(of: error))"
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
