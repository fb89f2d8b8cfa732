import ConfigFiles
import Logging
import PKI
import X509

/// Keeps a renewed certificate where the next start finds it: the configured file, else the token.
///
/// By the time it is kept, pkid has issued it and superseded the old one, so it must never be lost: when its place
/// will not take it (a PIV card through OpenSC writes no objects; a read-only configuration directory) it is saved
/// in the state directory and used from now on, and a critical line says where it is and what to change before the
/// next start.
public struct RenewedCertificateKeeper: Sendable {
    /// Where a certificate in use was read from at start, so where its successor belongs.
    public enum Place: Sendable {
        /// The file the settings name (`certificates.signing`, `certificates.tls`).
        case file(String)
        /// The token the key is on: `name` for the log ("token \"gateway\""), `importing` stores the DER beside the key.
        case token(name: String, importing: @Sendable ([UInt8]) async throws -> Void)
    }

    /// The outbox's directory: the one place gatewayd surely writes to.
    public let stateDirectory: String
    let logger: Logger

    public init(stateDirectory: String, logger: Logger) {
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    /// Stores `certificate` in `place`, or in the state directory when `place` refuses it; returns that fallback's
    /// path when it was used. Throws only when the state directory refuses it too.
    @discardableResult
    public func keep(_ certificate: Certificate, role: CertificateRenewal.Role, in place: Place) async throws -> String? {
        let pem = Array(try certificate.serializeAsPEM().pemString.utf8) + [0x0A]
        do {
            switch place {
            case .file(let path): try AtomicFile.write(pem, to: path)
            case .token(_, let importing): try await importing(try derBytes(certificate))
            }
            return nil
        } catch {
            let saved = fallbackPath(for: certificate, role: role)
            try AtomicFile.write(pem, to: saved)
            logger.critical("the renewed \(role.rawValue) certificate could not be stored in \(place.name) (\(error)); it is in use and saved in \(saved): before gatewayd restarts, set certificates.\(role.rawValue): \(saved) or store it on the card with the card's tool (docs/smartcards.md)")
            return saved
        }
    }

    /// `renewed-ROLE-SERIAL.pem` in the state directory: one file per certificate, so a second renewal never
    /// overwrites the first before someone moved it.
    public func fallbackPath(for certificate: Certificate, role: CertificateRenewal.Role) -> String {
        "\(stateDirectory)/renewed-\(role.rawValue)-\(CertificateSerial(certificate.serialNumber)).pem"
    }
}

extension RenewedCertificateKeeper.Place {
    var name: String {
        switch self {
        case .file(let path): path
        case .token(let name, _): name
        }
    }
}
