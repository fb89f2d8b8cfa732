import Crypto
import Foundation
import Signing
import SwiftASN1
import COSEM
import PKI
import X509

/// A Certificate Authority whose key is any `Signer` (in practice a key on a token): it issues certificates of
/// the project's profiles, records them in the Central Directory, revokes them and publishes CRLs.
public struct CertificateAuthority: Sendable {
    public let directory: PKIDirectory
    public let configuration: PKIDirectory.Configuration
    /// The CA certificate first, its issuers after it, the root last.
    public let chain: [Certificate]
    public let database: CertificateDatabase
    let key: SignerPrivateKey
    public var signingKey: SignerPrivateKey { key }

    public var certificate: Certificate { chain[0] }

    /// Opens an existing PKI directory with the CA key `signer` (which must be the key of the CA certificate).
    public init(directory: PKIDirectory, signer: any Signer) throws {
        self.directory = directory
        configuration = try directory.configuration()
        chain = try directory.chain()
        key = try SignerPrivateKey(signer)
        guard key.publicKey == chain[0].publicKey else {
            throw PKIError.malformed("the key \(configuration.caKey) is not the key of the CA certificate in \(directory.path)")
        }
        database = try CertificateDatabase(path: directory.databasePath)
    }

    /// Creates a CA in `directory`: self-signed (a root) or, with `parent`, signed by the parent CA.
    public static func create(
        directory: PKIDirectory, keyURI: String, signer: any Signer, subject: DistinguishedName, validity: Validity,
        url: String?, parent: CertificateAuthority? = nil, now: Date = Date()
    ) async throws -> CertificateAuthority {
        guard !directory.exists else { throw PKIError.alreadyInitialised(directory.path) }
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = try SignerPrivateKey(signer)
        let issuerKey = parent?.key ?? key
        let issuerName = parent?.certificate.subject ?? subject
        var notAfter = now.addingTimeInterval(validity.seconds)
        if let parent { notAfter = min(notAfter, parent.certificate.notValidAfter) }
        let publication = (parent?.configuration.url).map { CertificateProfile.Publication(baseURL: $0) }
        let certificate = try await Certificate(
            version: .v3, serialNumber: .random(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: notAfter,
            issuer: issuerName, subject: subject, signatureAlgorithm: issuerKey.defaultSignatureAlgorithm,
            extensions: try CertificateProfile.ca.extensions(
                subjectKey: key.publicKey, issuerKey: issuerKey.publicKey, publication: publication,
                pathLength: parent == nil ? nil : 0
            ),
            issuerAsyncPrivateKey: Certificate.PrivateKey(issuerKey)
        )
        let configuration = PKIDirectory.Configuration(
            caKey: keyURI, subject: "\(subject)", url: url, crlValidityHours: 24,
            allowedKeyTypes: ["ec-p256", "ec-p384", "ec-p521", "rsa-2048", "rsa-3072", "rsa-4096"],
            parent: parent?.directory.path
        )
        try directory.write(configuration)
        try directory.writeChain([certificate] + (parent?.chain ?? []))
        let authority = try CertificateAuthority(directory: directory, signer: signer)
        if let parent {
            try await parent.record(certificate, profile: .ca)
        }
        _ = try await authority.publishCRL(now: now)
        return authority
    }

    // MARK: Issuing

    /// Issues a certificate for `csr` under `profile` after checking it: the CSR's signature (proof of
    /// possession), an allowed key type, and for device profiles a system title as subject CN. A tls certificate's
    /// subjectAltNames are `alternativeNames` when given, else those the CSR requests.
    public func issue(
        _ csr: CertificateSigningRequest, profile: CertificateProfile, validity: Validity,
        alternativeNames: [GeneralName]? = nil, now: Date = Date()
    ) async throws -> Certificate {
        try await issue(csr, profile: profile, validity: validity, alternativeNames: alternativeNames, serial: .random(), now: now)
    }

    /// Issues with a serial the caller chooses. Production issues only random serials (the public `issue`); tests
    /// use this for the serials randomness rarely draws: a high bit that DER pads with 00, a small first byte, a
    /// short serial. Two certificates with one serial are refused by the directory's key.
    package func issue(
        _ csr: CertificateSigningRequest, profile: CertificateProfile, validity: Validity,
        alternativeNames: [GeneralName]? = nil, serial: Certificate.SerialNumber, now: Date = Date()
    ) async throws -> Certificate {
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else { throw PKIError.csrSignatureInvalid }
        let keyType = try Self.keyType(of: csr.publicKey)
        guard configuration.allowedKeyTypes.contains(keyType.name) else {
            throw PKIError.csrRejected("key type \(keyType.name) is not allowed by this PKI (allowed: \(configuration.allowedKeyTypes.joined(separator: ", ")))")
        }
        if profile != .ca {
            guard let cn = SubjectName.commonName(of: csr.subject) else {
                throw PKIError.csrRejected("the CSR's subject has no CN; a device certificate's CN is its system title (16 hex digits)")
            }
            if profile == .sign { _ = try SystemTitle(hex: cn) }
        }
        let notAfter = min(now.addingTimeInterval(validity.seconds), certificate.notValidAfter)
        let certificate = try await Certificate(
            version: .v3, serialNumber: serial, publicKey: csr.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: notAfter,
            issuer: self.certificate.subject, subject: csr.subject, signatureAlgorithm: key.defaultSignatureAlgorithm,
            extensions: try profile.extensions(
                subjectKey: csr.publicKey, issuerKey: key.publicKey,
                publication: configuration.url.map { CertificateProfile.Publication(baseURL: $0) },
                alternativeNames: alternativeNames ?? Self.requestedNames(csr), pathLength: 0
            ),
            issuerAsyncPrivateKey: Certificate.PrivateKey(key)
        )
        try await record(certificate, profile: profile, now: now)
        return certificate
    }

    /// The subjectAltNames a CSR asks for in its extensionRequest attribute.
    static func requestedNames(_ csr: CertificateSigningRequest) -> [GeneralName] {
        guard let request = try? csr.attributes.extensionRequest, let names = try? request.extensions.subjectAlternativeNames else { return [] }
        return Array(names)
    }

    func record(_ certificate: Certificate, profile: CertificateProfile, now: Date = Date()) async throws {
        let commonName = SubjectName.commonName(of: certificate.subject)
        let systemTitle = commonName.flatMap { try? SystemTitle(hex: $0) }.map(\.description)
        try await database.insert(IssuedCertificate(
            serial: certificate.serial, subject: "\(certificate.subject)", commonName: commonName,
            systemTitle: profile == .ca ? nil : systemTitle, profile: profile.rawValue,
            notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter, issuedAt: now,
            der: Data(try derBytes(certificate)), revokedAt: nil, revocationReason: nil
        ))
    }

    static func keyType(of key: Certificate.PublicKey) throws -> KeyAlgorithm {
        var serializer = DER.Serializer()
        try serializer.serialize(key)
        return try PublicKey(subjectPublicKeyInfo: serializer.serializedBytes).algorithm
    }

    // MARK: Revocation

    /// Revokes a certificate and publishes a new CRL at once.
    public func revoke(serial: CertificateSerial, reason: CRLReason, now: Date = Date()) async throws {
        guard try await database.certificate(serial: serial) != nil else { throw PKIError.unknownSerial(serial) }
        guard try await database.revoke(serial: serial, at: now, reason: reason.rawValue) else { throw PKIError.alreadyRevoked(serial) }
        _ = try await publishCRL(now: now)
    }

    /// Revokes the certificate whose serial is given as text, in any form `CertificateSerial(parsing:)` reads.
    public func revoke(serial text: String, reason: CRLReason, now: Date = Date()) async throws {
        try await revoke(serial: try CertificateSerial(parsing: text), reason: reason, now: now)
    }

    /// Signs a new CRL (next CRL number, next update `crlValidityHours` ahead), writes it to `crl.der` and
    /// returns it.
    public func publishCRL(now: Date = Date()) async throws -> [UInt8] {
        let entries = try await database.revoked().compactMap { revoked -> CertificateRevocationList.Entry? in
            guard let date = revoked.revokedAt else { return nil }
            return .init(serial: revoked.serial, date: date, reason: CRLReason(rawValue: revoked.revocationReason ?? 0) ?? .unspecified)
        }
        let crl = try await CertificateRevocationList.build(
            issuer: certificate, key: key, number: try await database.nextCRLNumber(), thisUpdate: now,
            nextUpdate: now.addingTimeInterval(TimeInterval(min(configuration.crlValidityHours, 24) * 3600)), entries: entries
        )
        try TestHooks.failure(at: "crl-write")
        try Data(crl).write(to: URL(fileURLWithPath: directory.crlPath), options: .atomic)
        return crl
    }
}

extension CertificateAuthority: OCSPAuthority {
    public func revocationState(of serial: CertificateSerial) async throws -> OCSPRevocationState? {
        guard let issued = try await database.certificate(serial: serial) else { return nil }
        guard let revokedAt = issued.revokedAt else { return .good }
        return .revoked(at: revokedAt, reason: CRLReason(rawValue: issued.revocationReason ?? 0) ?? .unspecified)
    }
}
