import PKI
import Foundation
import GRDB

/// One certificate the CA issued, as the Central Directory keeps it: indexed by serial (its key) and by the
/// subject's system title, with its revocation state.
public struct IssuedCertificate: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "certificate"

    /// The directory's key, stored as the serial's canonical text.
    public var serial: CertificateSerial
    public var subject: String
    public var commonName: String?
    /// The system title when the CN is one (sign and tls profiles for devices).
    public var systemTitle: String?
    public var profile: String
    public var notBefore: Date
    public var notAfter: Date
    public var issuedAt: Date
    public var der: Data
    public var revokedAt: Date?
    /// RFC 5280 CRLReason code.
    public var revocationReason: Int?
    /// The certificate that replaced this one when the device enrolled again (this one is then revoked as
    /// superseded).
    public var supersededBy: CertificateSerial? = nil

    public var isRevoked: Bool { revokedAt != nil }

    /// The certificates among `certificates` that their devices are to use: per system title and profile, the
    /// one issued last that is neither revoked nor expired. A device has at most one current certificate of
    /// each profile; one issued offline (`gatewayctl ca issue`) next to an enrolled one leaves the older valid
    /// but not current. `certificates` in the order they were issued, as `CertificateDatabase.certificates`
    /// returns them.
    public static func current(among certificates: [IssuedCertificate], at now: Date = Date()) -> Set<CertificateSerial> {
        var newest: [String: CertificateSerial] = [:]
        for certificate in certificates where !certificate.isRevoked && certificate.notAfter > now {
            guard let title = certificate.systemTitle else { continue }
            newest[title + "/" + certificate.profile] = certificate.serial
        }
        return Set(newest.values)
    }
}
