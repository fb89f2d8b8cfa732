import CPKCS11
import Signing

extension Token {
    /// Generates a key pair on the token. The private half is CKA_SENSITIVE and not CKA_EXTRACTABLE, so it can
    /// never be read out; both halves share a CKA_ID (random unless the URI gives one) and the URI's label.
    /// The keys sign and verify and nothing else: tokens default RSA keys to decrypt and unwrap too, and a key
    /// that decrypts can be made to sign a chosen value through the raw RSA operation (and the other way round).
    public func generateKeyPair(_ uri: PKCS11URI, algorithm: KeyAlgorithm) async throws -> TokenKey {
        guard let label = uri.object, !label.isEmpty else {
            throw PKCS11Error.invalidRequest("keygen needs a label: add object=NAME to the URI")
        }
        guard KeyAlgorithm.supported.contains(algorithm) else { throw SigningError.unsupportedKeyAlgorithm(algorithm) }
        let id = uri.id ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        let mechanism: CK_MECHANISM_TYPE = switch algorithm {
        case .ecdsa: CK_MECHANISM_TYPE(CKM_EC_KEY_PAIR_GEN)
        case .rsa: CK_MECHANISM_TYPE(CKM_RSA_PKCS_KEY_PAIR_GEN)
        }
        guard supports(mechanism) else {
            throw PKCS11Error.invalidRequest("token \"\(self.label)\" cannot generate \(algorithm) keys; choose another --type")
        }
        let tokenLabel = self.label
        try await perform(login: true) { session, _ throws(PKCS11Error) in
            var sameLabel = PKCS11URI()
            sameLabel.object = label
            if !(try session.objects(matching: sameLabel, objectClass: CK_OBJECT_CLASS(CKO_PRIVATE_KEY))).isEmpty {
                throw .keyAlreadyExists(label: label, token: tokenLabel)
            }
            let (publicTemplate, privateTemplate) = keyTemplates(label: label, id: id, algorithm: algorithm)
            _ = try session.generateKeyPair(mechanism: mechanism, publicTemplate: publicTemplate, privateTemplate: privateTemplate)
        }
        var exact = self.uri
        exact.object = label
        exact.id = id
        exact.type = .privateKey
        return try await key(exact)
    }
}

private func keyTemplates(label: String, id: [UInt8], algorithm: KeyAlgorithm) -> (AttributeTemplate, AttributeTemplate) {
    let pub = AttributeTemplate()
    pub.append(CK_ATTRIBUTE_TYPE(CKA_TOKEN), true)
    pub.append(CK_ATTRIBUTE_TYPE(CKA_PRIVATE), false)
    pub.append(CK_ATTRIBUTE_TYPE(CKA_VERIFY), true)
    pub.append(CK_ATTRIBUTE_TYPE(CKA_VERIFY_RECOVER), false)
    pub.append(CK_ATTRIBUTE_TYPE(CKA_ENCRYPT), false)
    pub.append(CK_ATTRIBUTE_TYPE(CKA_WRAP), false)
    pub.append(CK_ATTRIBUTE_TYPE(CKA_DERIVE), false)
    pub.append(CK_ATTRIBUTE_TYPE(CKA_LABEL), string: label)
    pub.append(CK_ATTRIBUTE_TYPE(CKA_ID), bytes: id)
    switch algorithm {
    case .ecdsa(let curve):
        pub.append(CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS), bytes: curve.namedCurveDER)
    case .rsa(let bits):
        pub.append(CK_ATTRIBUTE_TYPE(CKA_MODULUS_BITS), ulong: CK_ULONG(bits))
        pub.append(CK_ATTRIBUTE_TYPE(CKA_PUBLIC_EXPONENT), bytes: [0x01, 0x00, 0x01])
    }

    let priv = AttributeTemplate()
    priv.append(CK_ATTRIBUTE_TYPE(CKA_TOKEN), true)
    priv.append(CK_ATTRIBUTE_TYPE(CKA_PRIVATE), true)
    priv.append(CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), true)
    priv.append(CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE), false)
    priv.append(CK_ATTRIBUTE_TYPE(CKA_SIGN), true)
    priv.append(CK_ATTRIBUTE_TYPE(CKA_SIGN_RECOVER), false)
    priv.append(CK_ATTRIBUTE_TYPE(CKA_DECRYPT), false)
    priv.append(CK_ATTRIBUTE_TYPE(CKA_UNWRAP), false)
    // TLS uses ephemeral ECDHE keys; no use here needs the static key to derive.
    priv.append(CK_ATTRIBUTE_TYPE(CKA_DERIVE), false)
    priv.append(CK_ATTRIBUTE_TYPE(CKA_LABEL), string: label)
    priv.append(CK_ATTRIBUTE_TYPE(CKA_ID), bytes: id)
    return (pub, priv)
}
