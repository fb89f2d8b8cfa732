import COSEM
import Foundation
import HTTPTypes
import HummingbirdCore
import PKI
import PKIStore
import Signing
import SwiftASN1
import Transport
import X509

/// pkid's endpoints: EST enrollment (RFC 7030) through the Registration Authority, the Central Directory, and
/// the CRL. Every answer that refuses something says why in one line of text.
public struct PKIService: Sendable {
    public let authority: CertificateAuthority
    public let registration: RegistrationAuthority
    /// Lifetime of certificates issued through EST.
    public var validity: Validity

    /// Built once: it reads the CA's identity when made, not on every request.
    private let responder: OCSPResponder

    public init(authority: CertificateAuthority, validity: Validity) {
        self.authority = authority
        self.registration = RegistrationAuthority(authority: authority)
        self.validity = validity
        self.responder = OCSPResponder(authority: authority)
    }

    public func handle(_ request: Request, _ context: HTTPRequestContext) async -> Response {
        let path = request.uri.path
        let segments = path.split(separator: "/").map(String.init)
        do {
            // EST paths: /.well-known/est/[label/]operation, the label choosing the profile.
            if segments.count >= 3, segments[0] == ".well-known", segments[1] == "est", segments.count <= 4 {
                let operation = segments[segments.count - 1]
                let label = segments.count == 4 ? segments[2] : nil
                var profile: CertificateProfile?
                if let label {
                    guard let chosen = CertificateProfile(rawValue: label), chosen != .ca else {
                        return .text(.notFound, "unknown EST label \(label); use sign or tls")
                    }
                    profile = chosen
                }
                switch (request.method, operation) {
                case (.get, "cacerts"): return try pkcs7(authority.chain, contentType: "application/pkcs7-mime")
                case (.post, "simpleenroll"): return try await simpleEnroll(request, context, profile: profile)
                case (.post, "simplereenroll"): return try await simpleReenroll(context)
                default: break
                }
            } else if request.method == .get, segments.first == "certificates", segments.count == 2 {
                return try await certificate(serial: segments[1], request: request)
            } else if request.method == .get, segments == ["certificates"] {
                return try await certificates(request)
            } else if request.method == .get, segments == ["ca"] {
                let pem = try authority.chain.map { try $0.serializeAsPEM().pemString }.joined(separator: "\n") + "\n"
                return Response(status: .ok, contentType: "application/x-pem-file", body: pem.utf8)
            } else if request.method == .get, segments == ["crl"] {
                return Response(status: .ok, contentType: "application/pkix-crl", body: try await currentCRL())
            } else if segments.first == "ocsp" {
                return await ocsp(request, context, segments: segments)
            }
            return .text(.notFound, "no such endpoint: \(request.method) \(path)")
        } catch let refusal as RegistrationAuthority.Refusal {
            let status: HTTPResponse.Status = switch refusal.httpStatus {
            case 401: .unauthorized
            case 403: .forbidden
            default: .badRequest
            }
            return .text(status, refusal.description, headers: status == .unauthorized ? Self.basicChallenge : [:])
        } catch let error as PKIError {
            if case .crlNotWritten = error { return .text(.internalServerError, error.description) }
            return .text(.badRequest, error.description)
        } catch {
            return .text(.internalServerError, "the CA could not complete the request: \(error)")
        }
    }

    /// The endpoints pkid serves over plain HTTP: only public material (CA chain, directory lookups, CRL, OCSP),
    /// never enrollment, whose secrets and CSRs need TLS.
    public func handlePublic(_ request: Request, _ context: HTTPRequestContext) async -> Response {
        guard request.method == .get || request.uri.path == "/ocsp", !request.uri.path.hasPrefix("/.well-known/est") else {
            return .text(.forbidden, "enrollment is served over HTTPS only")
        }
        return await handle(request, context)
    }

    // MARK: EST

    private func simpleEnroll(_ request: Request, _ context: HTTPRequestContext, profile: CertificateProfile?) async throws -> Response {
        guard let (user, secret) = Self.basicCredentials(request.headers) else {
            return .text(.unauthorized, "enrollment needs HTTP Basic authentication: the system title as user, the enrollment secret as password",
                         headers: Self.basicChallenge)
        }
        let csr = try Self.csr(context.body)
        let certificate = try await registration.enroll(systemTitle: user, secret: secret, csr: csr, profile: profile, validity: validity)
        return try pkcs7([certificate], contentType: "application/pkcs7-mime; smime-type=certs-only")
    }

    /// Re-enrollment (RFC 7030 §4.2.2): the TLS client certificate is the authentication; the new certificate keeps
    /// its subject and profile.
    private func simpleReenroll(_ context: HTTPRequestContext) async throws -> Response {
        guard let current = context.clientCertificate else {
            return .text(.unauthorized, "re-enrollment needs the current certificate as TLS client certificate")
        }
        let serial = current.serial
        guard let issued = try await authority.database.certificate(serial: serial) else {
            return .text(.forbidden, "the client certificate was not issued by this CA")
        }
        let csr = try Self.csr(context.body)
        guard !issued.isRevoked else {
            // A device whose renewal answer was lost asks again with its old certificate and its new key.
            if csr.publicKey.isValidSignature(csr.signature, for: csr), let successor = try await authority.successor(of: issued, key: csr.publicKey) {
                return try pkcs7([successor], contentType: "application/pkcs7-mime; smime-type=certs-only")
            }
            return .text(.forbidden, "the client certificate \(serial) is revoked")
        }
        guard issued.notAfter > Date() else { return .text(.forbidden, "the client certificate \(serial) has expired; enroll anew") }
        guard CertificateAuthority.canonicalSubject(csr.subject) == CertificateAuthority.canonicalSubject(current.subject) else {
            return .text(.badRequest, "the CSR's subject \(csr.subject) differs from the current certificate's \(current.subject)")
        }
        // RFC 7030 §4.2.2: the new certificate keeps the current one's subject and subjectAltNames.
        let names = (try? current.extensions.subjectAlternativeNames).map { Array($0) } ?? []
        let certificate = try await authority.issue(
            csr, profile: CertificateProfile(rawValue: issued.profile) ?? .sign, validity: validity, alternativeNames: names, supersede: true
        )
        return try pkcs7([certificate], contentType: "application/pkcs7-mime; smime-type=certs-only")
    }

    private func pkcs7(_ certificates: [Certificate], contentType: String) throws -> Response {
        let base64 = Data(try CertsOnlyPKCS7.encode(certificates)).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return Response(status: .ok, contentType: contentType, body: (base64 + "\n").utf8,
                        headers: [.init("Content-Transfer-Encoding")!: "base64"])
    }

    static func csr(_ body: [UInt8]) throws -> CertificateSigningRequest {
        let text = String(decoding: body, as: UTF8.self)
        let der: [UInt8]
        if text.contains("-----BEGIN") {
            guard let csr = try? CertificateSigningRequest(pemEncoded: text) else { throw RegistrationAuthority.Refusal.malformedRequest("the body is not a PKCS#10 request") }
            return csr
        } else if let decoded = Data(base64Encoded: text.filter { !$0.isWhitespace }) {
            der = Array(decoded)
        } else {
            der = body
        }
        guard let csr = try? CertificateSigningRequest(derEncoded: der) else {
            throw RegistrationAuthority.Refusal.malformedRequest("the body is not a base64 PKCS#10 request")
        }
        return csr
    }

    /// The challenge a 401 carries (RFC 7617).
    static let basicChallenge: HTTPFields = [.wwwAuthenticate: "Basic realm=\"est\""]

    static func basicCredentials(_ headers: HTTPFields) -> (String, String)? {
        guard let value = headers[.authorization], value.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(value.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    // MARK: Central Directory

    /// `/certificates/<serial>`: the serial in any form `CertificateSerial(parsing:)` reads (openssl's, colons,
    /// `0x`, a leading 00); answers name it in the canonical form.
    private func certificate(serial text: String, request: Request) async throws -> Response {
        let serial: CertificateSerial
        do { serial = try CertificateSerial(parsing: text) } catch { return .text(.badRequest, error.description) }
        guard let issued = try await authority.database.certificate(serial: serial) else {
            return .text(.notFound, "no certificate with serial \(serial)")
        }
        let wantsPEM = request.uri.queryParameters["format"] == "pem" || (request.headers[.accept] ?? "").contains("pem")
        if wantsPEM {
            let pem = try Certificate(derEncoded: Array(issued.der)).serializeAsPEM().pemString + "\n"
            return Response(status: .ok, contentType: "application/x-pem-file", body: pem.utf8)
        }
        return Response(status: .ok, contentType: "application/pkix-cert", body: issued.der)
    }

    private func certificates(_ request: Request) async throws -> Response {
        var title: String?
        if let text = request.uri.queryParameters["system-title"].map(String.init) {
            do { title = try SystemTitle(hex: text.uppercased()).description } catch { return .text(.badRequest, error.description) }
        }
        let formatter = ISO8601DateFormatter()
        let all = try await authority.database.certificates(systemTitle: title)
        let current = IssuedCertificate.current(among: all)
        let list = all.map { issued -> [String: String] in
            var entry = ["serial": issued.serial.description, "profile": issued.profile, "subject": issued.subject,
                         "notBefore": formatter.string(from: issued.notBefore), "notAfter": formatter.string(from: issued.notAfter),
                         "status": issued.isRevoked ? "revoked" : "valid", "current": "\(current.contains(issued.serial))"]
            if let title = issued.systemTitle { entry["systemTitle"] = title }
            if let reason = issued.revocationReason { entry["revocationReason"] = "\(CRLReason(rawValue: reason) ?? .unspecified)" }
            if let successor = issued.supersededBy { entry["supersededBy"] = successor.description }
            return entry
        }
        let json = try JSONSerialization.data(withJSONObject: list, options: [.prettyPrinted, .sortedKeys])
        return Response(status: .ok, contentType: "application/json", body: json)
    }

    // MARK: OCSP

    /// RFC 6960: POST with the DER request as body, or GET with it base64 in the path (Appendix A.1), URL-encoded
    /// or not: a raw `+` is base64's `+` (path decoding, not form decoding), and the path is taken whole, so base64's
    /// `/`, even two in a row, survives.
    private func ocsp(_ request: Request, _ context: HTTPRequestContext, segments: [String]) async -> Response {
        let der: [UInt8]
        if request.method == .post, segments.count == 1 {
            der = context.body
        } else if request.method == .get, segments.count >= 2, request.uri.path.hasPrefix("/ocsp/"),
                  let base64 = request.uri.path.dropFirst("/ocsp/".count).removingPercentEncoding,
                  let decoded = Data(base64Encoded: base64) {
            der = Array(decoded)
        } else {
            return .text(.badRequest, "OCSP takes POST /ocsp with a DER request, or GET /ocsp/<base64 request>")
        }
        let response = await responder.respond(to: der)
        return Response(status: .ok, contentType: "application/ocsp-response", body: response)
    }

    // MARK: CRL

    /// The published CRL, re-signed when it is missing, near its nextUpdate or older than the directory.
    func currentCRL(now: Date = Date()) async throws -> [UInt8] {
        try await authority.currentCRL(now: now)
    }
}
