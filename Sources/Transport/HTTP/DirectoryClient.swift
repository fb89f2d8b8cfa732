import Foundation
import NIOHTTP1
import NIOSSL
import PKI
import SwiftASN1
import X509

/// Looks certificates up in pkid's Central Directory by serial: how a receiver finds the certificate a signed
/// frame's `certificate_info` names. Plain HTTP is enough (the certificate is public and checked against the
/// trust anchors anyway); HTTPS works when trust roots are given.
public struct DirectoryClient: Sendable {
    public let url: String
    let host: String
    let port: Int
    let tls: TLSConfiguration?

    public init(url: String, trustRoots: [Certificate] = []) throws {
        let secure = url.hasPrefix("https://")
        guard secure || url.hasPrefix("http://") else { throw ESTError.invalidURL(url) }
        let authority = url.dropFirst(secure ? 8 : 7).split(separator: "/").first.map(String.init) ?? ""
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) else {
            throw ESTError.invalidURL(url)
        }
        self.url = url
        self.host = String(authority[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
        var tls: TLSConfiguration?
        if secure {
            tls = TLSConfiguration.makeClientConfiguration()
            tls?.trustRoots = .certificates(try trustRoots.map { cert in
                var serializer = DER.Serializer()
                try serializer.serialize(cert)
                return try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
            })
        }
        self.tls = tls
    }

    /// The certificate with this serial, or an error naming what went wrong.
    public func certificate(serial: CertificateSerial) async throws -> Certificate {
        let response: HTTPSClient.Response
        do {
            response = try await HTTPSClient(host: host, port: port, tls: tls).request(.GET, "/certificates/\(serial)")
        } catch {
            throw ESTError.unreachable(url, reason: "\(error)")
        }
        guard response.status == .ok else {
            let message = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ESTError.refused(status: Int(response.status.code), message: "the Central Directory answered: \(message)")
        }
        do {
            return try Certificate(derEncoded: response.body)
        } catch {
            throw ESTError.malformedAnswer("the Central Directory's answer is not a DER certificate")
        }
    }
}
