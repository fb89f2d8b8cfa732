import Foundation
import PKI
import X509

/// Certificate files a setting names (`trust_anchors`, `certificates.tls`, gatewayctl's `--ca`), read the same way
/// by every daemon and command: an error names the setting and the file and says what is wrong in one line, and
/// trust anchors must be CAs.
///
/// Why a CA: a leaf certificate given as a trust anchor was accepted, and then trusted as the root of every chain;
/// the only certificate it makes valid is itself, so the operator meant the CA file and took the wrong one.
public enum CertificateFile {
    /// Every certificate in `path` (PEM blocks or one DER certificate), each with basicConstraints CA=true.
    public static func trustAnchors(at path: String, setting: String) throws(CertificateFileError) -> [Certificate] {
        let certificates = try read(path, setting: setting)
        for certificate in certificates {
            let constraints: BasicConstraints?
            do { constraints = try certificate.extensions.basicConstraints } catch { constraints = nil }
            guard case .isCertificateAuthority = constraints else {
                throw .notACertificateAuthority(setting: setting, path: path, subject: "\(certificate.subject)")
            }
        }
        return certificates
    }

    /// The one certificate in `path`.
    public static func certificate(at path: String, setting: String) throws(CertificateFileError) -> Certificate {
        let certificates = try read(path, setting: setting)
        guard certificates.count == 1 else { throw .notOne(setting: setting, path: path, count: certificates.count) }
        return certificates[0]
    }

    private static func read(_ path: String, setting: String) throws(CertificateFileError) -> [Certificate] {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let reason = !exists ? "no such file" : isDirectory.boolValue ? "a directory" : "not readable by this user"
            throw .unreadable(setting: setting, path: path, reason: reason)
        }
        do {
            return try PEMOrDER.certificates(Array(data))
        } catch {
            throw .notCertificates(setting: setting, path: path, reason: error.description)
        }
    }
}

/// A certificate file that cannot be used, named by the setting that names it.
public enum CertificateFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(setting: String, path: String, reason: String)
    case notCertificates(setting: String, path: String, reason: String)
    case notOne(setting: String, path: String, count: Int)
    case notACertificateAuthority(setting: String, path: String, subject: String)

    public var description: String {
        switch self {
        case .unreadable(let setting, let path, let reason):
            "\(setting) \(path) cannot be read (\(reason)); check the path and its permissions"
        case .notCertificates(let setting, let path, let reason):
            "\(setting) \(path) holds no usable certificate: \(reason); give the PEM or DER file as issued"
        case .notOne(let setting, let path, let count):
            "\(setting) \(path) holds \(count) certificates where one is expected; give the file with only this key's certificate"
        case .notACertificateAuthority(let setting, let path, let subject):
            "\(setting) \(path) holds \(subject), which is not a CA (no basicConstraints CA=true); give the CA's certificate (e.g. the PKI's ca.pem), not a gateway's or head-end's own"
        }
    }
}
