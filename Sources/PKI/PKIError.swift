/// What the PKI refuses or cannot do, each printed as one line with the cause and the fix.
public enum PKIError: Error, Sendable, Hashable, CustomStringConvertible {
    case synchronousSigning
    case keyNotExportable
    case unsupportedSignatureAlgorithm(String)
    case invalidSubject(String)
    case invalidValidity(String)
    case notAPKIDirectory(String)
    case alreadyInitialised(String)
    case unknownSerial(CertificateSerial)
    /// Text that is not a serial in any form `CertificateSerial(parsing:)` reads, as given.
    case invalidSerial(String)
    case alreadyRevoked(CertificateSerial)
    case csrSignatureInvalid
    case csrRejected(String)
    case malformed(String)
    case store(String)
    /// The CRL could not be written, so the change that needed it (a revocation, an enrollment superseding an
    /// older certificate) was rolled back.
    case crlNotWritten(path: String, reason: String)

    public var description: String {
        switch self {
        case .synchronousSigning:
            "a token key signs asynchronously only; this is a bug in the caller"
        case .keyNotExportable:
            "private keys on a token cannot be exported"
        case .unsupportedSignatureAlgorithm(let algorithm):
            "the key cannot sign with \(algorithm)"
        case .invalidSubject(let reason):
            "invalid subject: \(reason); write it like \"CN=00DB1234567890A0,O=Utility\""
        case .invalidValidity(let text):
            "invalid validity \"\(text)\"; use a number with y, d or h, e.g. 10y, 730d, 24h"
        case .notAPKIDirectory(let path):
            "\(path) is not a PKI directory; create one with `gatewayctl ca init --pki \(path) ...`"
        case .alreadyInitialised(let path):
            "\(path) already holds a CA; use another --pki directory"
        case .unknownSerial(let serial):
            "no certificate with serial \(serial) in this PKI; list them with `gatewayctl ca list`"
        case .invalidSerial(let text):
            "invalid serial \"\(text)\"; give the serial number in hex, as `gatewayctl ca list` prints it"
        case .alreadyRevoked(let serial):
            "certificate \(serial) is already revoked"
        case .csrSignatureInvalid:
            "the CSR's signature does not verify (no proof of possession of the key); create it again on the device"
        case .csrRejected(let reason):
            reason
        case .malformed(let reason):
            reason
        case .store(let reason):
            "certificate database: \(reason)"
        case .crlNotWritten(let path, let reason):
            "cannot write the CRL to \(path): \(reason); nothing was revoked or recorded: try again once the file can be written"
        }
    }
}
