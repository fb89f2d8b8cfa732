import ArgumentParser
import ConfigFiles
import Foundation
import PKCS11
import PKI
import PKIService
import PKIStore
import SwiftASN1
import Transport
import X509

@main
struct PKID: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pkid",
        abstract: "The PKI service: EST enrollment through the RA, the Central Directory, and the CRL, over HTTPS.",
        discussion: """
            The CA key and the TLS key live on tokens; PINs come from GATEWAY_PIN or the URIs' pin-source.
            Without a certificate on the token for --tls-key, pkid issues itself a tls certificate from its CA.
            """,
        version: ProductVersion.current
    )

    @Option(help: "Configuration file (YAML, see Config/pkid.yaml); options given here override it.")
    var config: String?

    @Option(help: "PKI directory (gatewayctl ca init).")
    var pki: String?

    @Option(help: "HTTPS address, host:port (port 0 picks a free one). Default 127.0.0.1:8443.")
    var listen: String?

    @Option(name: .customLong("http-listen"), help: "Plain HTTP address for the CRL and the directory (optional).")
    var httpListen: String?

    @Option(name: .customLong("tls-key"), help: "URI of the TLS server key (on a token).")
    var tlsKey: String?

    @Option(help: "Lifetime of certificates issued through EST. Default 2y.")
    var validity: String?

    @Option(help: "PKCS#11 module (default: SoftHSM, or GATEWAY_PKCS11_MODULE).")
    var module: String?

    func run() async throws {
        do {
            var settings = try config.map { try PKIDSettings.load(path: $0) } ?? PKIDSettings()
            settings.override(pki: pki, listen: listen, httpListen: httpListen, tlsKey: tlsKey, validity: validity, module: module)
            try await serve(settings.validated())
        } catch {
            FileHandle.standardError.write(Data("pkid: \(error)\n".utf8))
            Module.finalizeAll()
            throw ExitCode(1)
        }
        Module.finalizeAll()
    }

    private func serve(_ settings: PKIDSettings.Validated) async throws {
        let (pki, listen, httpListen, tlsKey, validity) = (settings.pki, settings.listen, settings.httpListen, settings.tlsKey, settings.validity)
        let module = settings.module
        let directory = PKIDirectory(path: pki)
        let configuration = try directory.configuration()
        let authority = try CertificateAuthority(directory: directory, signer: try await openKey(configuration.caKey, module: module))
        let service = PKIService(authority: authority, validity: try Validity(validity))
        let (host, port) = try hostPort(listen)

        let tlsURI = try PKCS11URI(parsing: tlsKey)
        let key = try await openKey(tlsKey, module: module)
        let certificate: Certificate
        if let der = try? await key.token.certificate(key.uri), let stored = try? Certificate(derEncoded: der),
           stored.issuer == authority.certificate.subject,
           authority.certificate.publicKey.isValidSignature(stored.signature, for: stored),
           stored.notValidAfter > Date().addingTimeInterval(86400) {
            certificate = stored
        } else {
            // None on the token, or one from another CA or about to expire: this CA issues a fresh one.
            certificate = try await issueServerCertificate(authority: authority, key: key, host: host)
            try await key.token.importCertificate(try derBytes(certificate), for: tlsURI)
            say("issued this server a tls certificate \(certificate.subject) and stored it on the token")
        }
        let tls = try TLSConfigurations.server(chain: [certificate] + authority.chain, key: key, clientCA: [authority.chain.last ?? authority.certificate])
        let https = try await HTTPServer(host: host, port: port, tls: tls) { await service.handle($0) }
        say("pkid listening on https://\(host):\(https.port) (PKI \(pki), CA \(authority.certificate.subject))")
        var http: HTTPServer?
        if let httpListen {
            let (plainHost, plainPort) = try hostPort(httpListen)
            http = try await HTTPServer(host: plainHost, port: plainPort, tls: nil) { await service.handlePublic($0) }
            say("pkid listening on http://\(plainHost):\(http?.port ?? 0) (CRL, OCSP and directory)")
        }
        let signal = await waitForTermination()
        await https.stop()
        await http?.stop()
        say("pkid stopped by \(signal)")
    }

    private func openKey(_ text: String, module: String?) async throws -> TokenKey {
        let uri = try PKCS11URI(parsing: text)
        let path = Module.path(for: uri, fallback: module ?? ProcessInfo.processInfo.environment["GATEWAY_PKCS11_MODULE"] ?? Module.softHSMPath)
        let token = try await Token.open(uri, module: try await Module.load(path: path), maxSessions: 2)
        return try await token.key(uri)
    }

    private func issueServerCertificate(authority: CertificateAuthority, key: TokenKey, host: String) async throws -> Certificate {
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=pkid"))
        var addresses: [[UInt8]] = [[127, 0, 0, 1]]
        var names = ["localhost"]
        if let address = ipv4(host), address != [127, 0, 0, 1] { addresses.append(address) } else if ipv4(host) == nil { names.append(host) }
        return try await authority.issue(csr, profile: .tls, validity: try Validity("1y"), alternativeNames: GeneralName.names(dns: names, ip: addresses))
    }
}

func hostPort(_ text: String) throws -> (String, Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
        throw ValidationError("\(text) is not host:port")
    }
    return (String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
}

func ipv4(_ text: String) -> [UInt8]? {
    let parts = text.split(separator: ".")
    guard parts.count == 4 else { return nil }
    let bytes = parts.compactMap { UInt8($0) }
    return bytes.count == 4 ? bytes : nil
}


/// A line on standard output, written at once so scripts and tests reading the pipe see it.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
