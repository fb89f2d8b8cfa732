import Foundation
import NIOSSL
import PKI
import X509

/// Looks certificates up in pkid's Central Directory by serial: how a receiver finds the certificate a signed
/// frame's `certificate_info` names. Plain HTTP is enough (the certificate is public and checked against the
/// trust anchors anyway); HTTPS works when trust roots are given, with the same TLS settings as every other client.
/// A receiver that looks the same serial up again and again puts a `DirectoryCache` in front of this. It owns one
/// HTTP client for its lookups; `shutdown()` when done.
public struct DirectoryClient: Sendable {
    public let url: String
    let server: HostAndPort
    let tls: TLSConfiguration?
    let http: HTTPSClient

    public init(url: String, trustRoots: [Certificate] = [], timeouts: HTTPSClient.Timeouts = .init()) throws(DirectoryError) {
        guard let parsed = ServiceURL(parsing: url) else { throw .invalidURL(url) }
        self.url = url
        self.server = parsed.endpoint
        if parsed.secure {
            do {
                tls = try TLSConfigurations.client(trustRoots: trustRoots)
            } catch {
                throw .malformedAnswer(directory: url, reason: "the trust roots are not usable for TLS: \(error)")
            }
        } else {
            tls = nil
        }
        http = HTTPSClient(timeouts: timeouts)
    }

    public func shutdown() async {
        await http.shutdown()
    }

    /// The certificate with this serial, or an error naming what went wrong.
    public func certificate(serial: CertificateSerial) async throws(DirectoryError) -> Certificate {
        let wanted = serial.description
        let response: HTTPSClient.Response
        do throws(HTTPClientError) {
            response = try await http.request(.GET, "/certificates/\(wanted)", at: server, tls: tls)
        } catch {
            if case .answerTooLarge = error { throw .malformedAnswer(directory: url, reason: error.description) }
            throw .unreachable(directory: url, reason: error)
        }
        let message = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch response.status.code {
        case 200: break
        case 404: throw .notFound(serial: wanted, directory: url)
        default: throw .refused(serial: wanted, directory: url, status: Int(response.status.code), message: message)
        }
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: response.body)
        } catch {
            throw .malformedAnswer(directory: url, reason: "the answer for serial \(wanted) is not a DER certificate")
        }
        // A directory that answers with another certificate is as wrong as one that answers nothing.
        let got = CertificateSerial(certificate.serialNumber)
        guard got == serial else {
            throw .malformedAnswer(directory: url, reason: "asked for serial \(wanted), got a certificate with serial \(got)")
        }
        return certificate
    }
}
