import Foundation
import Gateway
import PKI
import PKIStore
import Signing
import Synchronization
import Testing
import TestSupport
import X509

/// A renewed certificate is never lost: pkid has superseded the old one by the time gatewayd keeps the new one. Where
/// its place refuses it (a read-only directory, a card that writes no objects), it lands in the state directory and a
/// critical line says where and what to set before the next start.
@Suite("Renewed certificate: kept in its place, else in the state directory")
struct RenewedCertificateKeeperTests {
    @Test("a writable certificates.tls file takes the renewed certificate; no fallback, no critical line")
    func intoItsFile() async throws {
        let (scratch, certificate) = try await Self.renewed("renewed-file")
        let logger = RecordingLogHandler.logger("renewed-file")
        let keeper = RenewedCertificateKeeper(stateDirectory: scratch.path("state"), logger: logger)
        let saved = try await keeper.keep(certificate, role: .tls, in: .file(scratch.path("tls.pem")))
        #expect(saved == nil)
        #expect(try Certificate(pemEncoded: String(contentsOfFile: scratch.path("tls.pem"), encoding: .utf8)) == certificate)
        #expect(RecordingLogHandler.lines(of: "renewed-file").isEmpty)
    }

    @Test("a file whose directory is gone: saved as renewed-ROLE-SERIAL.pem in the state directory, one critical line naming it")
    func fileRefused() async throws {
        let (scratch, certificate) = try await Self.renewed("renewed-nodir")
        let keeper = RenewedCertificateKeeper(stateDirectory: scratch.url.path, logger: RecordingLogHandler.logger("renewed-nodir"))
        let saved = try #require(try await keeper.keep(certificate, role: .signing, in: .file(scratch.path("gone/signing.pem"))))
        #expect(saved == keeper.fallbackPath(for: certificate, role: .signing))
        #expect(saved.hasSuffix("renewed-signing-\(CertificateSerial(certificate.serialNumber)).pem"))
        #expect(try Certificate(pemEncoded: String(contentsOfFile: saved, encoding: .utf8)) == certificate)
        let lines = RecordingLogHandler.lines(of: "renewed-nodir")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("critical: the renewed signing certificate could not be stored in \(scratch.path("gone/signing.pem"))") == true)
        #expect(lines.first?.contains("set certificates.signing: \(saved)") == true)
    }

    @Test("a token that refuses the certificate (a PIV card through OpenSC): saved in the state directory, the token named")
    func tokenRefused() async throws {
        let (scratch, certificate) = try await Self.renewed("renewed-card")
        let keeper = RenewedCertificateKeeper(stateDirectory: scratch.url.path, logger: RecordingLogHandler.logger("renewed-card"))
        let place = RenewedCertificateKeeper.Place.token(name: "token \"PIV Card\"") { _ in throw CardWritesNoObjects() }
        let saved = try #require(try await keeper.keep(certificate, role: .tls, in: place))
        #expect(FileManager.default.fileExists(atPath: saved))
        #expect(RecordingLogHandler.lines(of: "renewed-card").first?.contains("stored in token \"PIV Card\" (\(CardWritesNoObjects()))") == true)
    }

    @Test("a token that takes it: nothing saved beside")
    func tokenTakes() async throws {
        let (scratch, certificate) = try await Self.renewed("renewed-token")
        let keeper = RenewedCertificateKeeper(stateDirectory: scratch.url.path, logger: RecordingLogHandler.logger("renewed-token"))
        let imported = Received()
        let saved = try await keeper.keep(certificate, role: .tls, in: .token(name: "token \"gateway\"") { imported.set($0) })
        #expect(saved == nil)
        #expect(imported.bytes == (try derBytes(certificate)))
        #expect(!FileManager.default.fileExists(atPath: keeper.fallbackPath(for: certificate, role: .tls)))
    }

    @Test("the state directory refusing too: the error reaches the renewal, which reports it")
    func nowhere() async throws {
        let (scratch, certificate) = try await Self.renewed("renewed-nowhere")
        let keeper = RenewedCertificateKeeper(stateDirectory: scratch.path("gone"), logger: RecordingLogHandler.logger("renewed-nowhere"))
        await #expect(throws: (any Error).self) {
            try await keeper.keep(certificate, role: .tls, in: .file(scratch.path("gone/tls.pem")))
        }
    }

    /// A certificate as pkid renews one, from a CA of the test's own.
    static func renewed(_ name: String) async throws -> (ScratchDirectory, Certificate) {
        let scratch = try ScratchDirectory(name)
        let authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Renewal Test Root"),
            validity: try Validity("5y"), url: nil
        )
        let csr = try await CertificateRequests.make(signer: try SoftwareSigner(generating: .ecdsa(.p256)),
                                                     subject: try SubjectName.parse("CN=00DB1234567890A0"))
        return (scratch, try await authority.issue(csr, profile: .tls, validity: try Validity("30d")))
    }
}

/// What OpenSC answers a PIV card asked to store an object, as far as this test needs.
private struct CardWritesNoObjects: Error, CustomStringConvertible {
    var description: String { "CKR_FUNCTION_NOT_SUPPORTED from C_CreateObject" }
}

/// The bytes a token was given.
private final class Received: Sendable {
    private let state = Mutex<[UInt8]?>(nil)
    func set(_ bytes: [UInt8]) { state.withLock { $0 = bytes } }
    var bytes: [UInt8]? { state.withLock { $0 } }
}
