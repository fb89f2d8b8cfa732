import CPKCS11
import Signing

/// What `gatewayctl token keys` shows of one object: enough to tell keys apart and to see that a private
/// key is sensitive and was never extractable.
public struct ObjectInfo: Sendable, Hashable {
    public enum Class: String, Sendable, Hashable {
        case privateKey = "private", publicKey = "public", certificate = "cert", secretKey = "secret-key", data, other

        init(_ value: CK_OBJECT_CLASS?) {
            switch value {
            case CK_OBJECT_CLASS(CKO_PRIVATE_KEY): self = .privateKey
            case CK_OBJECT_CLASS(CKO_PUBLIC_KEY): self = .publicKey
            case CK_OBJECT_CLASS(CKO_CERTIFICATE): self = .certificate
            case CK_OBJECT_CLASS(CKO_SECRET_KEY): self = .secretKey
            case CK_OBJECT_CLASS(CKO_DATA): self = .data
            default: self = .other
            }
        }
    }

    public var objectClass: Class
    public var label: String
    public var id: [UInt8]
    /// The id as lowercase hex, as pkcs11-tool prints it.
    public var idHex: String { hex(id) }
    /// "EC", "RSA", … for keys; nil for certificates and data.
    public var keyType: String?
    /// Key size in bits (RSA) or curve (EC) when the token tells.
    public var keyAlgorithm: KeyAlgorithm?
    public var sensitive: Bool?
    public var extractable: Bool?
    public var alwaysSensitive: Bool?
    public var neverExtractable: Bool?
    public var alwaysAuthenticate: Bool?
    /// What the key may be used for, of sign, verify, decrypt, encrypt, unwrap, wrap and derive; empty for objects
    /// that are not keys. A key made here for signing or TLS allows only sign (private) or verify (public).
    public var usage: [String] = []
    let handle: CK_OBJECT_HANDLE

    /// The URI that selects exactly this object on its token.
    public func uri(on token: PKCS11URI) -> PKCS11URI {
        var uri = token
        uri.object = label.isEmpty ? nil : label
        uri.id = id
        uri.type = switch objectClass {
        case .privateKey: .privateKey
        case .publicKey: .publicKey
        case .certificate: .certificate
        case .secretKey: .secretKey
        case .data: .data
        case .other: nil
        }
        return uri
    }

    static let attributeTypes: [CK_ATTRIBUTE_TYPE] = [
        CK_ATTRIBUTE_TYPE(CKA_CLASS), CK_ATTRIBUTE_TYPE(CKA_LABEL), CK_ATTRIBUTE_TYPE(CKA_ID),
        CK_ATTRIBUTE_TYPE(CKA_KEY_TYPE), CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE),
        CK_ATTRIBUTE_TYPE(CKA_ALWAYS_SENSITIVE), CK_ATTRIBUTE_TYPE(CKA_NEVER_EXTRACTABLE),
        CK_ATTRIBUTE_TYPE(CKA_ALWAYS_AUTHENTICATE), CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS), CK_ATTRIBUTE_TYPE(CKA_MODULUS_BITS),
        CK_ATTRIBUTE_TYPE(CKA_MODULUS),
    ] + usageAttributes.map(\.0)

    static let usageAttributes: [(CK_ATTRIBUTE_TYPE, String)] = [
        (CK_ATTRIBUTE_TYPE(CKA_SIGN), "sign"), (CK_ATTRIBUTE_TYPE(CKA_VERIFY), "verify"),
        (CK_ATTRIBUTE_TYPE(CKA_DECRYPT), "decrypt"), (CK_ATTRIBUTE_TYPE(CKA_ENCRYPT), "encrypt"),
        (CK_ATTRIBUTE_TYPE(CKA_UNWRAP), "unwrap"), (CK_ATTRIBUTE_TYPE(CKA_WRAP), "wrap"),
        (CK_ATTRIBUTE_TYPE(CKA_DERIVE), "derive"),
    ]

    init(handle: CK_OBJECT_HANDLE, attributes a: AttributeValues) {
        self.handle = handle
        objectClass = Class(a.ulong(CK_ATTRIBUTE_TYPE(CKA_CLASS)))
        label = a.string(CK_ATTRIBUTE_TYPE(CKA_LABEL)) ?? ""
        id = a.bytes(CK_ATTRIBUTE_TYPE(CKA_ID)) ?? []
        let isKey = [.privateKey, .publicKey, .secretKey].contains(objectClass)
        if isKey { usage = Self.usageAttributes.filter { a.bool($0.0) == true }.map(\.1) }
        switch isKey ? a.ulong(CK_ATTRIBUTE_TYPE(CKA_KEY_TYPE)) : nil {
        case CK_KEY_TYPE(CKK_EC)?:
            keyType = "EC"
            keyAlgorithm = a.bytes(CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS)).flatMap { Curve(namedCurveDER: $0) }.map { KeyAlgorithm.ecdsa($0) }
        case CK_KEY_TYPE(CKK_RSA)?:
            keyType = "RSA"
            let bits: Int? = a.ulong(CK_ATTRIBUTE_TYPE(CKA_MODULUS_BITS)).map { Int(clamping: $0) }
                ?? a.bytes(CK_ATTRIBUTE_TYPE(CKA_MODULUS)).map { $0.drop { $0 == 0 }.count * 8 }
            keyAlgorithm = bits.map { KeyAlgorithm.rsa(bits: $0) }
        case let other?:
            keyType = "0x" + String(other, radix: 16)
        case nil:
            keyType = nil
        }
        if objectClass == .privateKey || objectClass == .secretKey {
            sensitive = a.bool(CK_ATTRIBUTE_TYPE(CKA_SENSITIVE))
            extractable = a.bool(CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE))
            alwaysSensitive = a.bool(CK_ATTRIBUTE_TYPE(CKA_ALWAYS_SENSITIVE))
            neverExtractable = a.bool(CK_ATTRIBUTE_TYPE(CKA_NEVER_EXTRACTABLE))
            alwaysAuthenticate = a.bool(CK_ATTRIBUTE_TYPE(CKA_ALWAYS_AUTHENTICATE))
        }
    }
}
