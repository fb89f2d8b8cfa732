import Foundation
import GRDB
import PKI
import X509

/// Rewrites the serials of a database written before `CertificateSerial` into its canonical text.
///
/// Until then a serial was a string, and the writers disagreed: the directory's doc promised keys that keep
/// leading zero bytes, lookups upper-cased whatever the caller passed (so `00`-prefixed or odd-length text a user
/// typed became a key that matched nothing), and the RA copied the key into `registration.issuedSerial`. After this
/// migration every stored serial is the canonical text, which is what the store writes from now on and what
/// SQLite's TEXT equality compares.
///
/// Each certificate row is rekeyed from the certificate it holds: its DER is the authority on its serial. A key
/// that names another serial than its certificate, a row whose key and DER are both unreadable, or two rows that
/// turn out to hold one serial stop the migration (GRDB rolls it back) with the row named, rather than guess which
/// row the directory should answer with.
enum CanonicalSerialMigration {
    static let identifier = "canonicalSerials"

    static func migrate(_ db: Database) throws {
        var seen: [CertificateSerial: String] = [:]
        var rekeyed: [(old: String, new: CertificateSerial)] = []
        for row in try Row.fetchAll(db, sql: "SELECT serial, der FROM certificate") {
            let key: String = row["serial"]
            let serial = try serial(key: key, der: row["der"])
            if let other = seen[serial] {
                throw PKIError.malformed("rows keyed \(other) and \(key) both hold the certificate with serial \(serial)")
            }
            seen[serial] = key
            if key != serial.description { rekeyed.append((key, serial)) }
        }
        for (old, new) in rekeyed {
            try db.execute(sql: "UPDATE certificate SET serial = ? WHERE serial = ?", arguments: [new, old])
        }

        for row in try Row.fetchAll(db, sql: "SELECT id, issuedSerial FROM registration WHERE issuedSerial IS NOT NULL") {
            let id: Int64 = row["id"]
            let text: String = row["issuedSerial"]
            guard let serial = CertificateSerial(text) else {
                throw PKIError.malformed("registration \(id) names the issued serial \"\(text)\", which is not a serial")
            }
            if text != serial.description {
                try db.execute(sql: "UPDATE registration SET issuedSerial = ? WHERE id = ?", arguments: [serial, id])
            }
        }
    }

    /// The serial of the certificate in `der`, checked against the text it was keyed by.
    static func serial(key: String, der: Data?) throws -> CertificateSerial {
        let fromKey = CertificateSerial(key)
        var fromCertificate: CertificateSerial?
        if let der {
            do {
                fromCertificate = try Certificate(derEncoded: Array(der)).serial
            } catch {
                fromCertificate = nil  // the key alone then says which serial the row is
            }
        }
        switch (fromKey, fromCertificate) {
        case (let serial?, let certificate?) where serial != certificate:
            throw PKIError.malformed("the row keyed \(key) holds the certificate with serial \(certificate)")
        case (_, let certificate?):
            return certificate
        case (let serial?, nil):
            return serial
        case (nil, nil):
            throw PKIError.malformed("the row keyed \"\(key)\" has neither a serial as key nor a readable certificate")
        }
    }
}
