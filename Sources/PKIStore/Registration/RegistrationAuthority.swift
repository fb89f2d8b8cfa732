import COSEM
import PKI
import Crypto
import Foundation
import GRDB
import X509

/// The Registration Authority: nothing is issued until it has checked who asks. A device is registered ahead of
/// time (system title, profile, a one-time secret with an expiry); at enrollment the RA checks the secret
/// (known, unused, unexpired), that the CSR's subject is the registered system title, that the CSR's signature
/// verifies (proof of possession) and that the key type is allowed. Only then the CA issues and the directory
/// records the certificate.
public struct RegistrationAuthority: Sendable {
    public let authority: CertificateAuthority
    /// Called at each step of an enrollment; tests hold enrollments here (see `TestHooks`).
    package var pause: @Sendable (EnrollmentStep) async -> Void = { await TestHooks.pause(at: $0.rawValue) }

    public init(authority: CertificateAuthority) {
        self.authority = authority
    }

    /// Why an enrollment was refused; `httpStatus` is what EST answers with.
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        case unknownOrWrongSecret
        case secretUsed
        case secretExpired
        case subjectMismatch(expected: String, got: String)
        case badSignature
        case keyTypeNotAllowed(String)
        case malformedRequest(String)

        public var httpStatus: Int {
            switch self {
            case .unknownOrWrongSecret: 401
            case .secretUsed, .secretExpired: 403
            case .subjectMismatch, .badSignature, .keyTypeNotAllowed, .malformedRequest: 400
            }
        }

        public var description: String {
            switch self {
            case .unknownOrWrongSecret:
                "unknown system title or wrong enrollment secret; check the secret the RA printed at registration"
            case .secretUsed:
                "this enrollment secret was already used; register the device again for a new one"
            case .secretExpired:
                "this enrollment secret has expired; register the device again for a new one"
            case .subjectMismatch(let expected, let got):
                "the CSR's subject CN \(got) is not the registered system title \(expected)"
            case .badSignature:
                "the CSR's signature does not verify (no proof of possession of the key)"
            case .keyTypeNotAllowed(let type):
                "key type \(type) is not allowed by this PKI"
            case .malformedRequest(let reason):
                "malformed request: \(reason)"
            }
        }
    }

    /// Records an expected device and returns its one-time enrollment secret, which is shown once and stored only
    /// as a salted SHA-256.
    public func register(
        systemTitle: SystemTitle, profile: CertificateProfile, meterNumber: String?, validFor: TimeInterval, now: Date = Date()
    ) async throws -> (registration: Registration, secret: String) {
        try await Self.register(in: authority.database, systemTitle: systemTitle, profile: profile, meterNumber: meterNumber, validFor: validFor, now: now)
    }

    /// Registration needs only the database, not the CA key (`gatewayctl ra register` works without the CA token).
    public static func register(
        in database: CertificateDatabase, systemTitle: SystemTitle, profile: CertificateProfile, meterNumber: String?,
        validFor: TimeInterval, now: Date = Date()
    ) async throws -> (registration: Registration, secret: String) {
        guard profile != .ca else { throw PKIError.malformed("devices register for the sign or tls profile") }
        let secret = Self.newSecret()
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        let draft = Registration(
            id: nil, systemTitle: systemTitle.description, profile: profile.rawValue, meterNumber: meterNumber,
            secretSalt: salt, secretHash: Self.hash(secret, salt: salt), createdAt: now,
            expiresAt: now.addingTimeInterval(validFor), usedAt: nil, issuedSerial: nil
        )
        let registration = try await database.database.write { db in
            var inserted = draft
            try inserted.insert(db)
            return inserted
        }
        return (registration, secret)
    }

    /// Checks an enrollment and, if it passes, issues the certificate.
    ///
    /// Nothing changes until the certificate is recorded, and that is one transaction: the secret is used up,
    /// the certificate recorded and the device's earlier certificates of the profile superseded together (with
    /// the CRL that lists them), or none of it happens. The CA signs first, because signing awaits the CA key
    /// on its token and a transaction cannot wait for that. The transaction then uses the secret up only if it
    /// is still unused; of several enrollments racing with one secret exactly one gets there first, and the
    /// certificates the others signed are never recorded nor sent, which is harmless. A crash at any step
    /// leaves either nothing (the secret still works) or everything.
    ///
    /// A device whose answer was lost asks again with the same secret and the same key, and gets the
    /// certificate recorded for it; another key with a used secret is refused.
    public func enroll(
        systemTitle text: String, secret: String, csr: CertificateSigningRequest, profile requested: CertificateProfile? = nil,
        validity: Validity, now: Date = Date()
    ) async throws -> Certificate {
        guard let systemTitle = try? SystemTitle(hex: text) else { throw Refusal.unknownOrWrongSecret }
        let candidates = try await authority.database.database.read { db in
            try Registration.filter(Column("systemTitle") == systemTitle.description).order(Column("createdAt").desc).fetchAll(db)
        }
        guard let registration = candidates.first(where: { Self.hash(secret, salt: $0.secretSalt) == $0.secretHash }),
              let id = registration.id,
              requested.map({ $0.rawValue == registration.profile }) ?? true
        else { throw Refusal.unknownOrWrongSecret }
        let subject = SubjectName.commonName(of: csr.subject) ?? ""
        guard subject.uppercased() == systemTitle.description else {
            throw Refusal.subjectMismatch(expected: systemTitle.description, got: subject.isEmpty ? "(none)" : subject)
        }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else { throw Refusal.badSignature }
        let keyType = try CertificateAuthority.keyType(of: csr.publicKey)
        guard authority.configuration.allowedKeyTypes.contains(keyType.name) else { throw Refusal.keyTypeNotAllowed(keyType.name) }
        guard registration.usedAt == nil else {
            if let recorded = try await recorded(for: id, key: csr.publicKey) { return recorded }
            throw Refusal.secretUsed
        }
        guard registration.expiresAt > now else { throw Refusal.secretExpired }
        await pause(.checked)

        let profile = CertificateProfile(rawValue: registration.profile) ?? .sign
        let certificate = try await authority.sign(csr, profile: profile, validity: validity, alternativeNames: nil, serial: .random(), now: now)
        let issued = try authority.entry(for: certificate, profile: profile, issuedAt: now)
        await pause(.beforeRecord)
        do {
            _ = try await authority.commit(now: now, plan: CertificateAuthority.supersession(by: issued)) { db in
                try db.execute(
                    sql: "UPDATE registration SET usedAt = ?, issuedSerial = ? WHERE id = ? AND usedAt IS NULL",
                    arguments: [now, issued.serial, id]
                )
                guard db.changesCount == 1 else { throw Refusal.secretUsed }
                try issued.insert(db)
            }
        } catch Refusal.secretUsed {
            // Another enrollment with this secret was recorded first; if it was this device's own retry (same
            // key), that certificate is the answer to this request too.
            if let recorded = try await recorded(for: id, key: csr.publicKey) { return recorded }
            throw Refusal.secretUsed
        }
        await pause(.afterRecord)
        return certificate
    }

    /// The certificate recorded for registration `id`, if it is for `key` and not revoked since.
    func recorded(for id: Int64, key: Certificate.PublicKey) async throws -> Certificate? {
        let recorded = try await authority.database.database.read { db -> IssuedCertificate? in
            guard let serial = try CertificateSerial.fetchOne(db, sql: "SELECT issuedSerial FROM registration WHERE id = ?", arguments: [id]) else { return nil }
            return try IssuedCertificate.fetchOne(db, key: serial)
        }
        guard let recorded, !recorded.isRevoked else { return nil }
        let certificate = try Certificate(derEncoded: Array(recorded.der))
        return certificate.publicKey == key ? certificate : nil
    }

    /// 20 random bytes in base32 without padding: 32 characters a person can read out.
    static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        let bytes = (0..<20).map { _ in UInt8.random(in: 0...255) }
        var bits = 0
        var value = 0
        var text = ""
        for byte in bytes {
            value = value << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                text.append(alphabet[(value >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        return text
    }

    static func hash(_ secret: String, salt: Data) -> Data {
        Data(SHA256.hash(data: salt + Data(secret.utf8)))
    }
}
