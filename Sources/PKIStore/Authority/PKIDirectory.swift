import PKI
import Foundation
import SwiftASN1
import X509

/// A PKI on disk, like easy-rsa's or step's: `pki.json` (the CA's key URI, subject, URL), `ca.pem` (the CA
/// certificate), `chain.pem` (it and its issuers up to the root), `pki.sqlite` (the Central Directory, with
/// SQLite's `-wal` and `-shm` files beside it while it is open) and `crl.der` (the current CRL). No private key
/// and no PIN is ever written here: the key stays on its token.
public struct PKIDirectory: Sendable {
    public struct Configuration: Codable, Sendable, Hashable {
        /// PKCS#11 URI of the CA key (without any PIN).
        public var caKey: String
        public var subject: String
        /// Base URL under which pkid publishes the CRL (`/crl`) and OCSP (`/ocsp`); nil for an offline CA.
        public var url: String?
        /// Hours until a CRL's nextUpdate (at most 24, IEC 62351-9).
        public var crlValidityHours: Int
        /// Key types the RA accepts in CSRs.
        public var allowedKeyTypes: [String]
        /// The parent PKI directory of a subordinate CA.
        public var parent: String?
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    var configurationPath: String { file("pki.json") }
    var certificatePath: String { file("ca.pem") }
    var chainPath: String { file("chain.pem") }
    var databasePath: String { file("pki.sqlite") }

    /// The Central Directory's database, for commands that need no CA key (listing, registering devices).
    public func openDatabase() throws -> CertificateDatabase {
        _ = try configuration()
        return try CertificateDatabase(path: databasePath)
    }
    public var crlPath: String { file("crl.der") }

    public var exists: Bool { FileManager.default.fileExists(atPath: configurationPath) }

    public func configuration() throws(PKIError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: configurationPath) else { throw .notAPKIDirectory(path) }
        do {
            return try JSONDecoder().decode(Configuration.self, from: data)
        } catch {
            throw .malformed("\(configurationPath) is not a valid PKI configuration: \(error)")
        }
    }

    func write(_ configuration: Configuration) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(configuration).write(to: URL(fileURLWithPath: configurationPath))
    }

    /// The CA certificate and its chain (CA first, root last).
    public func chain() throws(PKIError) -> [Certificate] {
        guard let text = try? String(contentsOfFile: chainPath, encoding: .utf8) else { throw .notAPKIDirectory(path) }
        do {
            return try PEMDocument.parseMultiple(pemString: text).map { try Certificate(pemDocument: $0) }
        } catch {
            throw .malformed("\(chainPath) holds no valid certificates: \(error)")
        }
    }

    func writeChain(_ chain: [Certificate]) throws {
        let pem = try chain.map { try $0.serializeAsPEM().pemString }.joined(separator: "\n") + "\n"
        try pem.write(toFile: chainPath, atomically: true, encoding: .utf8)
        try (try chain[0].serializeAsPEM().pemString + "\n").write(toFile: certificatePath, atomically: true, encoding: .utf8)
    }
}
