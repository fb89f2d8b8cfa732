import SwiftASN1

/// The parts of an X.509 certificate that PKCS#11 wants beside CKA_VALUE (subject, issuer, serial) and that
/// tell whether a certificate belongs to a key (its SubjectPublicKeyInfo). Read straight from the DER so the
/// token layer needs no certificate library.
struct CertificateFields {
    var subject: [UInt8]
    var issuer: [UInt8]
    /// The serialNumber INTEGER, DER-encoded (what CKA_SERIAL_NUMBER holds).
    var serialNumber: [UInt8]
    var subjectPublicKeyInfo: [UInt8]

    init(der: [UInt8]) throws(PKCS11Error) {
        do {
            let certificate = try DER.parse(der)
            guard case .constructed(let outer) = certificate.content, let tbs = outer.first(where: { _ in true }),
                  case .constructed(let fields) = tbs.content else {
                throw PKCS11Error.invalidRequest("not a DER X.509 certificate")
            }
            var children = Array(fields)
            // version [0] EXPLICIT is optional.
            if let first = children.first, first.identifier.tagClass == .contextSpecific, first.identifier.tagNumber == 0 {
                children.removeFirst()
            }
            guard children.count >= 6 else { throw PKCS11Error.invalidRequest("not a DER X.509 certificate (short TBSCertificate)") }
            serialNumber = Array(children[0].encodedBytes)
            issuer = Array(children[2].encodedBytes)
            subject = Array(children[4].encodedBytes)
            subjectPublicKeyInfo = Array(children[5].encodedBytes)
        } catch let error as PKCS11Error {
            throw error
        } catch {
            throw .invalidRequest("not a DER X.509 certificate (\(error))")
        }
    }
}
