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
}
