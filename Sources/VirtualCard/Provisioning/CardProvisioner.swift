import Crypto
import Foundation
import SwiftASN1
import X509

/// Sets up a virtual card's state without APDUs: a key in a slot with a self-signed certificate (OpenSC lists
/// a PIV key only when its certificate object exists), or a certificate issued elsewhere for the slot's key.
public struct CardProvisioner: Sendable {
    public let store: CardStateStore

    public init(store: CardStateStore) {
        self.store = store
    }

    public struct Result: Sendable {
        public var slot: PIVKeyReference
        public var algorithm: PIVAlgorithm
        public var certificateDER: [UInt8]
    }

    /// Generates a key for `slot` and a self-signed certificate with `commonName`, creating the card (with
    /// `pin`) if the directory holds none. Replaces what the slot held.
    @discardableResult
    public func provisionKey(slot: PIVKeyReference, algorithm: PIVAlgorithm, commonName: String, pin: String = CardState.defaultPIN) throws -> Result {
        guard slot != .cardManagement else { throw ProvisioningError.unsupportedSlot(slot.name) }
        guard let key = CardKey.generate(algorithm) else { throw ProvisioningError.unsupportedKeyType(algorithm.description) }
        var state = try store.loadOrCreate { () throws(CardStateError) in try CardState(pin: pin) }
        let der = try Self.selfSignedCertificate(for: key, commonName: commonName)
        state[key: slot] = key
        state[object: slot.certificateObject!] = PIVDataObject.certificateContainer(der)
        try store.save(state)
        return Result(slot: slot, algorithm: algorithm, certificateDER: der)
    }

    /// Stores `certificate` (DER or PEM bytes) for `slot`, refusing one whose key is not the slot's key.
    @discardableResult
    public func storeCertificate(_ bytes: [UInt8], path: String, slot: PIVKeyReference) throws -> Result {
        guard slot != .cardManagement else { throw ProvisioningError.unsupportedSlot(slot.name) }
        let certificate: Certificate
        if let parsed = try? Certificate(derEncoded: bytes) {
            certificate = parsed
        } else if let text = String(bytes: bytes, encoding: .utf8), let parsed = try? Certificate(pemEncoded: text) {
            certificate = parsed
        } else {
            throw ProvisioningError.unreadableCertificate(path: path)
        }
        guard var state = try store.load(), let key = state[key: slot] else { throw ProvisioningError.noKeyInSlot(slot: slot.name) }
        let certificateKey = try certificate.publicKey.subjectPublicKeyInfoBytes
        guard certificateKey == (try key.subjectPublicKeyInfo()) else { throw ProvisioningError.certificateKeyMismatch(slot: slot.name) }
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        state[object: slot.certificateObject!] = PIVDataObject.certificateContainer(serializer.serializedBytes)
        try store.save(state)
        return Result(slot: slot, algorithm: key.algorithm, certificateDER: serializer.serializedBytes)
    }

    /// A self-signed certificate for the key, valid ten years from an hour ago, with the usage OpenSC expects of
    /// a signing key.
    static func selfSignedCertificate(for key: CardKey, commonName: String) throws -> [UInt8] {
        let privateKey: Certificate.PrivateKey
        let signatureAlgorithm: Certificate.SignatureAlgorithm
        switch key.algorithm {
        case .eccP256:
            privateKey = Certificate.PrivateKey(try P256.Signing.PrivateKey(rawRepresentation: key.privateScalar))
            signatureAlgorithm = .ecdsaWithSHA256
        case .eccP384:
            privateKey = Certificate.PrivateKey(try P384.Signing.PrivateKey(rawRepresentation: key.privateScalar))
            signatureAlgorithm = .ecdsaWithSHA384
        case .aes128:
            throw ProvisioningError.unsupportedKeyType(key.algorithm.description)
        }
        do {
            let name = try DistinguishedName { CommonName(commonName) }
            let now = Date()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: privateKey.publicKey,
                notValidBefore: now.addingTimeInterval(-3600),
                notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
                issuer: name,
                subject: name,
                signatureAlgorithm: signatureAlgorithm,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, nonRepudiation: true))
                },
                issuerPrivateKey: privateKey
            )
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        } catch {
            throw ProvisioningError.certificateCreation("\(error)")
        }
    }
}

extension Certificate.PublicKey {
    /// The SubjectPublicKeyInfo DER, to compare keys byte for byte.
    var subjectPublicKeyInfoBytes: [UInt8] {
        get throws {
            var serializer = DER.Serializer()
            try serializer.serialize(self)
            return serializer.serializedBytes
        }
    }
}
