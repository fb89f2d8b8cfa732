import Crypto
import Foundation
import GRDB
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
            try await parent.record(certificate, profile: .ca, now: now)
        }
        _ = try await authority.publishCRL(now: now)
        return authority
    }

    // MARK: Issuing

    /// Issues a certificate for `csr` under `profile` after checking it: the CSR's signature (proof of
    /// possession), an allowed key type, and for device profiles a system title as subject CN. A tls certificate's
    /// subjectAltNames are `alternativeNames` when given, else those the CSR requests. With `supersede`, the
    /// device's other certificates of the profile are revoked as superseded in the same step (re-enrollment);
    /// offline issuing leaves them as they are.
    public func issue(
        _ csr: CertificateSigningRequest, profile: CertificateProfile, validity: Validity,
        alternativeNames: [GeneralName]? = nil, supersede: Bool = false, now: Date = Date()
    ) async throws -> Certificate {
        let certificate = try await sign(csr, profile: profile, validity: validity, alternativeNames: alternativeNames, serial: .random(), now: now)
        try await record(certificate, profile: profile, supersede: supersede, now: now)
        return certificate
    }

    /// Issues with a serial the caller chooses. Production issues only random serials (the public `issue`); tests
    /// use this for the serials randomness rarely draws: a high bit that DER pads with 00, a small first byte, a
    /// short serial. Two certificates with one serial are refused by the directory's key.
    package func issue(
        _ csr: CertificateSigningRequest, profile: CertificateProfile, validity: Validity,
        alternativeNames: [GeneralName]? = nil, serial: Certificate.SerialNumber, now: Date = Date()
    ) async throws -> Certificate {
        let certificate = try await sign(csr, profile: profile, validity: validity, alternativeNames: alternativeNames, serial: serial, now: now)
        try await record(certificate, profile: profile, now: now)
        return certificate
    }

    /// Checks `csr` and signs its certificate, recording nothing: the caller records it, in one transaction with
    /// whatever else the issuing changes (the RA's secret).
    func sign(
        _ csr: CertificateSigningRequest, profile: CertificateProfile, validity: Validity,
        alternativeNames: [GeneralName]?, serial: Certificate.SerialNumber, now: Date
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
        return try await Certificate(
            version: .v3, serialNumber: serial, publicKey: csr.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: notAfter,
            issuer: self.certificate.subject, subject: profile == .ca ? csr.subject : Self.canonicalSubject(csr.subject),
            signatureAlgorithm: key.defaultSignatureAlgorithm,
            extensions: try profile.extensions(
                subjectKey: csr.publicKey, issuerKey: key.publicKey,
                publication: configuration.url.map { CertificateProfile.Publication(baseURL: $0) },
                alternativeNames: alternativeNames ?? Self.requestedNames(csr), pathLength: 0
            ),
            issuerAsyncPrivateKey: Certificate.PrivateKey(key)
        )
    }

    /// `subject` with a CN that is a system title written as the directory, the RA and every lookup write it:
    /// 16 upper-case hex digits. A CSR made with `CN=00db...` would otherwise get a certificate whose CN no
    /// lookup by system title text finds. Other names are left as they are.
    public static func canonicalSubject(_ subject: DistinguishedName) -> DistinguishedName {
        let commonName = ASN1ObjectIdentifier.RDNAttributeType.commonName
        guard let cn = SubjectName.commonName(of: subject), let title = try? SystemTitle(hex: cn), title.description != cn else { return subject }
        return DistinguishedName(subject.map { rdn in
            RelativeDistinguishedName(rdn.map { attribute in
                guard attribute.type == commonName, (try? SystemTitle(hex: String(describing: attribute.value))) != nil else { return attribute }
                return RelativeDistinguishedName.Attribute(type: commonName, utf8String: title.description)
            })
        })
    }

    /// The subjectAltNames a CSR asks for in its extensionRequest attribute.
    static func requestedNames(_ csr: CertificateSigningRequest) -> [GeneralName] {
        guard let request = try? csr.attributes.extensionRequest, let names = try? request.extensions.subjectAlternativeNames else { return [] }
        return Array(names)
    }

    /// The directory's entry for a certificate this CA signed.
    func entry(for certificate: Certificate, profile: CertificateProfile, issuedAt now: Date) throws -> IssuedCertificate {
        let commonName = SubjectName.commonName(of: certificate.subject)
        let systemTitle = commonName.flatMap { try? SystemTitle(hex: $0) }.map(\.description)
        return IssuedCertificate(
            serial: certificate.serial, subject: "\(certificate.subject)", commonName: commonName,
            systemTitle: profile == .ca ? nil : systemTitle, profile: profile.rawValue,
            notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter, issuedAt: now,
            der: Data(try derBytes(certificate)), revokedAt: nil, revocationReason: nil
        )
    }

    /// Records `certificate` in the directory; with `supersede`, together with the revocation of the device's
    /// other certificates of the profile and the CRL that lists them.
    func record(_ certificate: Certificate, profile: CertificateProfile, supersede: Bool = false, now: Date = Date()) async throws {
        let issued = try entry(for: certificate, profile: profile, issuedAt: now)
        _ = try await commit(now: now, plan: supersede ? Self.supersession(by: issued) : Self.nothingToRevoke) { db in try issued.insert(db) }
    }

    /// The certificate that superseded `issued`, if it is for `key` and still good: what a device whose
    /// re-enrollment answer was lost gets when it asks again with its old certificate and its new key.
    public func successor(of issued: IssuedCertificate, key: Certificate.PublicKey) async throws -> Certificate? {
        guard let next = issued.supersededBy, let successor = try await database.certificate(serial: next), !successor.isRevoked else { return nil }
        let certificate = try Certificate(derEncoded: Array(successor.der))
        return certificate.publicKey == key ? certificate : nil
    }

    static func keyType(of key: Certificate.PublicKey) throws -> KeyAlgorithm {
        var serializer = DER.Serializer()
        try serializer.serialize(key)
        return try PublicKey(subjectPublicKeyInfo: serializer.serializedBytes).algorithm
    }

    // MARK: Revocation

    /// Revokes a certificate and publishes the CRL that lists it, as one step (see `commit`): if the CRL cannot
    /// be written, nothing is revoked and the command can be run again.
    public func revoke(serial: CertificateSerial, reason: CRLReason, now: Date = Date()) async throws {
        do {
            _ = try await commit(now: now, plan: { db in
                guard let issued = try IssuedCertificate.fetchOne(db, key: serial) else { throw PKIError.unknownSerial(serial) }
                guard !issued.isRevoked else { throw PKIError.alreadyRevoked(serial) }
                return [PendingRevocation(serial: serial, reason: reason)]
            }, change: { _ in })
        } catch PKIError.alreadyRevoked(let serial) {
            // A directory an older release left may hold a revocation its CRL lacks: publish it now. A CRL that
            // cannot be written is what the operator must fix, so that error, not "already revoked", is thrown.
            _ = try await currentCRL(now: now)
            throw PKIError.alreadyRevoked(serial)
        }
    }

    /// Revokes the certificate whose serial is given as text, in any form `CertificateSerial(parsing:)` reads.
    public func revoke(serial text: String, reason: CRLReason, now: Date = Date()) async throws {
        try await revoke(serial: try CertificateSerial(parsing: text), reason: reason, now: now)
    }

    /// Signs a new CRL (next CRL number, next update `crlValidityHours` ahead), writes it to `crl.der` and
    /// returns it.
    public func publishCRL(now: Date = Date()) async throws -> [UInt8] {
        try await commit(now: now, publish: true, plan: { _ in [] }, change: { _ in }).crl ?? []
    }

    /// The published CRL, signed anew when it is missing, within an hour of its nextUpdate, or lacks a
    /// revocation the directory holds (one an older release recorded without publishing it): the CRL pkid
    /// serves is never older than the database.
    public func currentCRL(now: Date = Date()) async throws -> [UInt8] {
        if let data = FileManager.default.contents(atPath: directory.crlPath),
           let parsed = try? ParsedCRL(derEncoded: Array(data)), let next = parsed.nextUpdate, next.timeIntervalSince(now) > 3600,
           try await database.revoked().allSatisfy({ parsed.revoked[$0.serial] != nil }) {
            return Array(data)
        }
        return try await publishCRL(now: now)
    }
}

extension CertificateAuthority: OCSPAuthority {
    public func revocationState(of serial: CertificateSerial) async throws -> OCSPRevocationState? {
        guard let issued = try await database.certificate(serial: serial) else { return nil }
        guard let revokedAt = issued.revokedAt else { return .good }
        return .revoked(at: revokedAt, reason: CRLReason(rawValue: issued.revocationReason ?? 0) ?? .unspecified)
    }
}
