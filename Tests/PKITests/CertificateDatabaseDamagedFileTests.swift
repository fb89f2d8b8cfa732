import Foundation
import PKI
import PKIStore
import TestSupport
import Testing

/// Issue 17, items 1 and 5: pkid's database is created only where no file exists. An empty or damaged one is refused
/// with one line naming the file and the way to recover, before anything writes to it.
@Suite("CertificateDatabase: an existing empty or damaged file is refused and left untouched")
struct CertificateDatabaseDamagedFileTests {
    @Test("refused in one line naming the file and the recovery; its bytes unchanged, no -wal or -shm made",
          arguments: DamagedDatabase.allCases)
    func refused(_ damage: DamagedDatabase) throws {
        let scratch = try ScratchDirectory("pki-damaged")
        let path = scratch.path("pki.sqlite")
        do { _ = try CertificateDatabase(path: path) }
        try damage.apply(to: path)
        let before = DamagedDatabase.snapshot(path)
        #expect(!before.wal && !before.shm)

        #expect {
            _ = try CertificateDatabase(path: path)
        } throws: { error in
            let line = "\(error)"
            return line.contains(path) && line.contains("backup") && !line.contains("\n")
        }
        #expect(DamagedDatabase.snapshot(path) == before)
    }
}
