import Foundation
import SwiftASN1
import NIOHTTP1
import NIOSSL
import PKI
import Signing
import X509

/// What an enrollment client reports: pkid unreachable or the TLS peer not trusted, or pkid's refusal, with
/// pkid's own one-line reason.
public enum ESTError: Error, Sendable, CustomStringConvertible {
    case invalidURL(String)
    case unreachable(String, reason: String)
    case refused(status: Int, message: String)
    case malformedAnswer(String)
    /// pkid (or what listens at the URL) did not connect or answer in time; which timeout ran out is in the error.
    case timedOut(String, HTTPClientError)

    public var description: String {
        switch self {
        case .invalidURL(let url): "\(url) is not an https://host:port URL"
        case .unreachable(let url, let reason): "pkid unreachable at \(url): \(reason); check --url, that pkid runs, and --ca"
        case .refused(let status, let message): "enrollment refused (HTTP \(status)): \(message)"
        case .malformedAnswer(let reason): "pkid's answer is not usable: \(reason)"
        case .timedOut(let url, let error): "pkid at \(url) did not answer: \(error); check --url and that pkid runs"
        }
    }
}

/// An EST (RFC 7030) client: CA certificates, first enrollment with the RA's one-time secret, re-enrollment
/// with the current certificate as TLS client certificate (its key on the token). It owns one HTTP client, for
/// every request to pkid's EST; `shutdown()` when done.
public struct ESTClient: Sendable {
    public let url: String
    let server: HostAndPort
    let trustRoots: [Certificate]
    let http: HTTPSClient

    public init(url: String, trustRoots: [Certificate], timeouts: HTTPSClient.Timeouts = .init()) throws(ESTError) {
        guard let parsed = ServiceURL(parsing: url), parsed.secure else { throw .invalidURL(url) }
        self.url = url
        self.server = parsed.endpoint
        self.trustRoots = trustRoots
        self.http = HTTPSClient(timeouts: timeouts)
    }

    public func shutdown() async {
        await http.shutdown()
    }

    public func cacerts() async throws -> [Certificate] {
        let response = try await send(.GET, "/.well-known/est/cacerts", tls: try TLSConfigurations.client(trustRoots: trustRoots))
        return try Self.certificates(response)
    }

    public func simpleEnroll(_ csr: CertificateSigningRequest, systemTitle: String, secret: String, profile: CertificateProfile) async throws -> Certificate {
        let credentials = Data("\(systemTitle):\(secret)".utf8).base64EncodedString()
        let response = try await send(
            .POST, "/.well-known/est/\(profile.rawValue)/simpleenroll", tls: try TLSConfigurations.client(trustRoots: trustRoots),
            headers: [("Authorization", "Basic \(credentials)"), ("Content-Type", "application/pkcs10")], body: try Self.body(csr)
        )
        return try Self.single(response)
    }

    public func simpleReenroll(_ csr: CertificateSigningRequest, current: Certificate, key: any Signer) async throws -> Certificate {
        let tls = try TLSConfigurations.client(trustRoots: trustRoots, chain: [current], key: key)
        let response = try await send(.POST, "/.well-known/est/simplereenroll", tls: tls, headers: [("Content-Type", "application/pkcs10")], body: try Self.body(csr))
        return try Self.single(response)
    }

    private func send(_ method: HTTPMethod, _ path: String, tls: TLSConfiguration, headers: [(String, String)] = [], body: [UInt8] = []) async throws -> HTTPSClient.Response {
        let response: HTTPSClient.Response
        do throws(HTTPClientError) {
            response = try await http.request(method, path, at: server, tls: tls, headers: headers, body: body)
        } catch {
            switch error {
            case .connectionFailed(_, _, let reason):
                throw ESTError.unreachable(url, reason: reason)
            case .tlsFailed(_, _, let reason):
                throw ESTError.unreachable(url, reason: "TLS handshake failed (\(reason)); is --ca the CA that issued pkid's certificate?")
            case .connectTimeout, .readTimeout:
                throw ESTError.timedOut(url, error)
            case .answerTooLarge:
                throw ESTError.malformedAnswer(error.description)
            default:
                throw ESTError.unreachable(url, reason: error.description)
            }
        }
        guard response.status == .ok else {
            let message = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ESTError.refused(status: Int(response.status.code), message: message)
        }
        return response
    }

    static func body(_ csr: CertificateSigningRequest) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(csr)
        return Array(Data(serializer.serializedBytes).base64EncodedString(options: .lineLength64Characters).utf8)
    }

    static func certificates(_ response: HTTPSClient.Response) throws -> [Certificate] {
        let text = String(decoding: response.body, as: UTF8.self).filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: text) else { throw ESTError.malformedAnswer("not base64") }
        return try CertsOnlyPKCS7.decode(Array(der))
    }

    static func single(_ response: HTTPSClient.Response) throws -> Certificate {
        guard let certificate = try certificates(response).first else { throw ESTError.malformedAnswer("no certificate in the answer") }
        return certificate
    }
}
