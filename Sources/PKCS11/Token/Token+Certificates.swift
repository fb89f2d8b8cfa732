import CPKCS11
import Signing

extension Token {
    /// Stores an X.509 certificate on the token under the key's CKA_ID, so that TLS libraries and the PKCS#11
    /// tools find key and certificate together. Refuses a certificate whose public key is not the key's.
    @discardableResult
    public func importCertificate(_ der: [UInt8], for uri: PKCS11URI) async throws -> ObjectInfo {
        let fields = try CertificateFields(der: der)
        let certificateKey = try PublicKey(subjectPublicKeyInfo: fields.subjectPublicKeyInfo)
        return try await perform(login: true) { session, _ throws(PKCS11Error) in
            let (key, id) = try session.publicKey(matching: uri)
            guard key == certificateKey else {
                throw .certificateMismatch("the certificate's public key is not the key of \(uri); import it under the key it was issued for")
            }
            var byID = uri.tokenPart
            byID.id = id
            let label = try session.objects(matching: byID).first(where: { !$0.label.isEmpty })?.label ?? uri.object ?? ""
            var existing = byID
            existing.type = .certificate
            for old in try session.objects(matching: existing) { try session.destroy(old.handle) }

            let template = AttributeTemplate()
            template.append(CK_ATTRIBUTE_TYPE(CKA_CLASS), ulong: CK_OBJECT_CLASS(CKO_CERTIFICATE))
            template.append(CK_ATTRIBUTE_TYPE(CKA_CERTIFICATE_TYPE), ulong: CK_CERTIFICATE_TYPE(CKC_X_509))
            template.append(CK_ATTRIBUTE_TYPE(CKA_TOKEN), true)
            template.append(CK_ATTRIBUTE_TYPE(CKA_PRIVATE), false)
            template.append(CK_ATTRIBUTE_TYPE(CKA_LABEL), string: label)
            template.append(CK_ATTRIBUTE_TYPE(CKA_ID), bytes: id)
            template.append(CK_ATTRIBUTE_TYPE(CKA_VALUE), bytes: der)
            template.append(CK_ATTRIBUTE_TYPE(CKA_SUBJECT), bytes: fields.subject)
            template.append(CK_ATTRIBUTE_TYPE(CKA_ISSUER), bytes: fields.issuer)
            template.append(CK_ATTRIBUTE_TYPE(CKA_SERIAL_NUMBER), bytes: fields.serialNumber)
            let handle = try session.createObject(template)
            return ObjectInfo(handle: handle, attributes: try session.attributes(ObjectInfo.attributeTypes, of: handle))
        }
    }

    /// The DER certificate stored for the object the URI names.
    public func certificate(_ uri: PKCS11URI) async throws -> [UInt8] {
        try await perform(login: false) { session, _ throws(PKCS11Error) in
            var query = uri
            query.type = .certificate
            let certificates = try session.objects(matching: query)
            guard certificates.count <= 1 else {
                throw .ambiguousObject(uri, candidates: certificates.map { "object=\($0.label) id=\(hex($0.id))" })
            }
            guard let certificate = certificates.first,
                  let der = try session.attributes([CK_ATTRIBUTE_TYPE(CKA_VALUE)], of: certificate.handle).bytes(CK_ATTRIBUTE_TYPE(CKA_VALUE))
            else { throw .objectNotFound(uri, what: "certificate") }
            return der
        }
    }
}
