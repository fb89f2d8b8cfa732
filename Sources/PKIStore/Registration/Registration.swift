import PKI
import Foundation
import GRDB

/// A device the Registration Authority expects: who it is (system title, meter number), which certificate it
/// may get, and the one-time secret it proves itself with, stored only as a salted hash.
public struct Registration: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "registration"

    public var id: Int64?
    public var systemTitle: String
    public var profile: String
    public var meterNumber: String?
    public var secretSalt: Data
    public var secretHash: Data
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?
    /// The certificate the enrollment got, once it got one.
    public var issuedSerial: CertificateSerial?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
