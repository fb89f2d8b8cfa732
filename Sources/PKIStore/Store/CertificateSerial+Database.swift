import GRDB
import PKI

/// A serial is stored as its canonical text (`CertificateSerial.description`), so SQLite's TEXT equality is the
/// serials' equality and `sqlite3` shows what `gatewayctl ca list` and openssl print. Reading parses as
/// `CertificateSerial(parsing:)` does; the `canonicalSerials` migration left no other form behind.
extension CertificateSerial: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> CertificateSerial? {
        String.fromDatabaseValue(dbValue).flatMap(CertificateSerial.init)
    }
}
