import CPKCS11
import Signing

extension PKCS11URI.ObjectType {
    var objectClass: CK_OBJECT_CLASS {
        switch self {
        case .publicKey: CK_OBJECT_CLASS(CKO_PUBLIC_KEY)
        case .privateKey: CK_OBJECT_CLASS(CKO_PRIVATE_KEY)
        case .certificate: CK_OBJECT_CLASS(CKO_CERTIFICATE)
        case .secretKey: CK_OBJECT_CLASS(CKO_SECRET_KEY)
        case .data: CK_OBJECT_CLASS(CKO_DATA)
        }
    }
}

extension Session {
    /// Objects the URI's object attributes select, of `objectClass` when given (it overrides the URI's type).
    func objects(matching uri: PKCS11URI, objectClass: CK_OBJECT_CLASS? = nil) throws(PKCS11Error) -> [ObjectInfo] {
        let template = AttributeTemplate()
        if let objectClass = objectClass ?? uri.type?.objectClass { template.append(CK_ATTRIBUTE_TYPE(CKA_CLASS), ulong: objectClass) }
        if let label = uri.object { template.append(CK_ATTRIBUTE_TYPE(CKA_LABEL), string: label) }
        if let id = uri.id { template.append(CK_ATTRIBUTE_TYPE(CKA_ID), bytes: id) }
        return try find(template, limit: 4096).map { handle throws(PKCS11Error) in
            ObjectInfo(handle: handle, attributes: try attributes(ObjectInfo.attributeTypes, of: handle))
        }
    }

    /// The one private key the URI names; an error that lists the candidates when it names several.
    func privateKey(matching uri: PKCS11URI) throws(PKCS11Error) -> ObjectInfo {
        let keys = try objects(matching: uri, objectClass: CK_OBJECT_CLASS(CKO_PRIVATE_KEY))
        guard keys.count <= 1 else {
            throw .ambiguousObject(uri, candidates: keys.map { "object=\($0.label) id=\(hex($0.id))" })
        }
        guard let key = keys.first else { throw .objectNotFound(uri, what: "private key") }
        return key
    }

    /// The public key of the object the URI names: from its public-key object, else its certificate, else the
    /// private key's public attributes (RSA keeps them there; EC does not).
    func publicKey(matching uri: PKCS11URI) throws(PKCS11Error) -> (PublicKey, id: [UInt8]) {
        var candidates = try objects(matching: uri)
        candidates.removeAll { ![.publicKey, .privateKey, .certificate].contains($0.objectClass) }
        let ids = Set(candidates.map(\.id))
        guard ids.count <= 1 else {
            throw .ambiguousObject(uri, candidates: candidates.map { "\($0.objectClass.rawValue) object=\($0.label) id=\(hex($0.id))" })
        }
        guard let id = ids.first else { throw .objectNotFound(uri, what: "key") }
        var byID = PKCS11URI()
        byID.id = id
        for object in try objects(matching: byID) where object.objectClass == .publicKey {
            if let key = try publicKey(fromKeyObject: object.handle) { return (key, id) }
        }
        for object in try objects(matching: byID) where object.objectClass == .certificate {
            if let der = try attributes([CK_ATTRIBUTE_TYPE(CKA_VALUE)], of: object.handle).bytes(CK_ATTRIBUTE_TYPE(CKA_VALUE)),
               let spki = try? CertificateFields(der: der).subjectPublicKeyInfo,
               let key = try? PublicKey(subjectPublicKeyInfo: spki) {
                return (key, id)
            }
        }
        for object in try objects(matching: byID) where object.objectClass == .privateKey {
            if let key = try publicKey(fromKeyObject: object.handle) { return (key, id) }
        }
        throw .objectNotFound(uri, what: "public key object or certificate")
    }

    private func publicKey(fromKeyObject handle: CK_OBJECT_HANDLE) throws(PKCS11Error) -> PublicKey? {
        let a = try attributes(
            [CK_ATTRIBUTE_TYPE(CKA_KEY_TYPE), CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS), CK_ATTRIBUTE_TYPE(CKA_EC_POINT),
             CK_ATTRIBUTE_TYPE(CKA_MODULUS), CK_ATTRIBUTE_TYPE(CKA_PUBLIC_EXPONENT)],
            of: handle
        )
        do {
            switch a.ulong(CK_ATTRIBUTE_TYPE(CKA_KEY_TYPE)) {
            case CK_KEY_TYPE(CKK_EC):
                guard let params = a.bytes(CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS)), let point = a.bytes(CK_ATTRIBUTE_TYPE(CKA_EC_POINT)) else { return nil }
                guard let curve = Curve(namedCurveDER: params) else {
                    throw PKCS11Error.invalidRequest("the key's curve (CKA_EC_PARAMS \(hex(params))) is not P-256, P-384 or P-521")
                }
                return try PublicKey(ecPoint: unwrapECPoint(point, curve: curve), curve: curve)
            case CK_KEY_TYPE(CKK_RSA):
                guard let n = a.bytes(CK_ATTRIBUTE_TYPE(CKA_MODULUS)), let e = a.bytes(CK_ATTRIBUTE_TYPE(CKA_PUBLIC_EXPONENT)) else { return nil }
                return try PublicKey(rsaModulus: n, publicExponent: e)
            default:
                return nil
            }
        } catch let error as PKCS11Error {
            throw error
        } catch {
            throw .invalidRequest("the token's public key is unusable: \(error)")
        }
    }
}

/// CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11 2.40), but some modules store the bare point.
func unwrapECPoint(_ value: [UInt8], curve: Curve) -> [UInt8] {
    let pointLength = 2 * curve.coordinateSize + 1
    if value.count == pointLength && value.first == 0x04 { return value }
    guard value.first == 0x04, value.count > 2 else { return value }
    let headerLength = value[1] < 0x80 ? 2 : 2 + Int(value[1] & 0x7F)
    return Array(value.dropFirst(headerLength))
}

/// Key ids in lower case, as pkcs11-tool prints them.
func hex(_ bytes: [UInt8]) -> String { bytes.hexString.lowercased() }

extension Token {
    /// Every object the URI selects, with its flags (`gatewayctl token keys`).
    public func objects(matching uri: PKCS11URI) async throws -> [ObjectInfo] {
        try await perform(login: true) { session, _ throws(PKCS11Error) in try session.objects(matching: uri) }
    }

    /// The private key the URI names, ready to sign.
    public func key(_ uri: PKCS11URI) async throws -> TokenKey {
        let (info, publicKey, generation) = try await perform(login: true) { session, generation throws(PKCS11Error) in
            let info = try session.privateKey(matching: uri)
            var byID = uri.tokenPart
            byID.id = info.id
            byID.object = uri.object
            let (publicKey, _) = try session.publicKey(matching: byID)
            return (info, publicKey, generation)
        }
        return TokenKey(token: self, info: info, publicKey: publicKey, handle: info.handle, generation: generation)
    }

    /// The public key of the key or certificate the URI names (`gatewayctl token pubkey`). Logs in only when
    /// the public half is not visible without a login.
    public func publicKey(_ uri: PKCS11URI) async throws -> PublicKey {
        do {
            return try await perform(login: false) { session, _ throws(PKCS11Error) in try session.publicKey(matching: uri).0 }
        } catch PKCS11Error.objectNotFound {
            return try await perform(login: true) { session, _ throws(PKCS11Error) in try session.publicKey(matching: uri).0 }
        }
    }

    /// Destroys every object the URI selects and returns what it destroyed. Refuses a URI that names no
    /// object (no object= and no id=), so a typo cannot empty a token.
    public func delete(_ uri: PKCS11URI) async throws -> [ObjectInfo] {
        guard uri.object != nil || uri.id != nil else {
            throw PKCS11Error.invalidRequest("refusing to delete: \(uri) names no object; add object= or id=")
        }
        return try await perform(login: true) { session, _ throws(PKCS11Error) in
            let objects = try session.objects(matching: uri)
            guard !objects.isEmpty else { throw .objectNotFound(uri, what: "object") }
            for object in objects { try session.destroy(object.handle) }
            return objects
        }
    }
}
