import ArgumentParser
import ConfigFiles
import DaemonRuntime
import Foundation
import Logging
import PKCS11
import PKI
import PKIService
import PKIStore
import ServiceLifecycle
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
            Logs go to standard error; standard output has only the lines scripts wait for. SIGTERM or SIGINT
            closes the listeners, lets requests in flight finish, and exits 0.
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

    @Option(name: .customLong("metrics-listen"), help: "Plain HTTP address for Prometheus metrics at GET /metrics (optional).")
    var metricsListen: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. Default info.")
    var logLevel: String?

    @Option(name: .customLong("tls-key"), help: "URI of the TLS server key (on a token).")
    var tlsKey: String?

    @Option(help: "Lifetime of certificates issued through EST. Default 2y.")
    var validity: String?

    @Option(help: "PKCS#11 module (default: SoftHSM, or GATEWAY_PKCS11_MODULE).")
    var module: String?

    @Option(name: .customLong("idle-timeout"), help: "Close a connection silent this long (30s, 500ms, 2m). Default 30s.")
    var idleTimeout: String?

    @Option(name: .customLong("header-timeout"), help: "Close a connection whose request head (TLS handshake included) is not in this long after connecting. Default 10s.")
    var headerTimeout: String?

    @Option(name: .customLong("body-timeout"), help: "Close a connection whose request body is not in this long after its head. Default 10s.")
    var bodyTimeout: String?

    @Option(name: .customLong("max-connections"), help: "Open connections per listener; at the limit the one waiting longest for its request is closed. Default 1000.")
    var maxConnections: Int?

    func run() async throws {
        do {
            var settings = try config.map { try PKIDSettings.load(path: $0) } ?? PKIDSettings()
            settings.override(pki: pki, listen: listen, httpListen: httpListen, metrics: metricsListen, tlsKey: tlsKey,
                              validity: validity, module: module, logLevel: logLevel,
                              limits: .init(idleTimeout: idleTimeout, headerTimeout: headerTimeout, bodyTimeout: bodyTimeout,
                                            maxConnections: maxConnections))
            try await serve(settings.validated())
        } catch {
            FileHandle.standardError.write(Data("pkid: \(error)\n".utf8))
            Module.finalizeAll()
            throw ExitCode(1)
        }
        Module.finalizeAll()
    }

    private func serve(_ settings: PKIDSettings.Validated) async throws {
        // First, before anything is opened or issued: a limit that cannot be held is a configuration error.
        let descriptors = try DescriptorBudget.ensure(maxConnections: settings.limits.maxConnections, listeners: settings.listeners)
        let logger = DaemonLogging.bootstrap(label: "pkid", level: settings.logLevel)
        // Before any counter is made: a counter made earlier would keep counting into nothing.
        let registry = settings.metrics.map { _ in DaemonMetrics.bootstrap() }
        let (pki, listen, validity, limits) = (settings.pki, settings.listen, settings.validity, settings.limits)
        let module = settings.module
        let directory = PKIDirectory(path: pki)
        let configuration = try directory.configuration()
        let authority = try CertificateAuthority(directory: directory, signer: try await openKey(configuration.caKey, module: module))
        let service = PKIService(authority: authority, validity: try Validity(validity))
        let caURI = try PKCS11URI(parsing: configuration.caKey)
        logger.info("CA \(authority.certificate.subject) from \(pki), key \(caURI)")

        let tlsURI = try PKCS11URI(parsing: settings.tlsKey)
        let key = try await openKey(settings.tlsKey, module: module)
        let certificate: Certificate
        let stored: Certificate?
        do {
            stored = try Certificate(derEncoded: try await key.token.certificate(key.uri))
        } catch {
            logger.info("no usable tls certificate on the token for \(tlsURI) (\(error)); this CA issues one")
            stored = nil
        }
        if let stored, ServerCertificate.isUsable(stored, authority: authority) {
            certificate = stored
        } else {
            // None on the token, or one from another CA or about to expire: this CA issues a fresh one.
            certificate = try await ServerCertificate.issue(authority: authority, key: key, host: listen.host)
            try await key.token.importCertificate(try derBytes(certificate), for: tlsURI)
            say("issued this server a tls certificate \(certificate.subject) and stored it on the token")
        }
        logger.info("TLS certificate \(certificate.subject), key \(tlsURI)")
        let tls = try TLSConfigurations.server(chain: [certificate] + authority.chain, key: key, clientCA: [authority.chain.last ?? authority.certificate])

        logger.info("at most \(limits.maxConnections) connections per listener (\(descriptors) descriptors), timeouts: idle \(limits.idleTimeout), head \(limits.headerTimeout), body \(limits.bodyTimeout)")

        // Bound before anything is announced, in the order scripts read them: https first, then http, then metrics.
        let https = try await HTTPServer(name: "https", at: .tcp(host: listen.host, port: listen.port), tls: tls, limits: limits, logger: logger,
                                         router: PKIServiceMetrics.route(of:)) { request, context in
            PKIServiceMetrics.recordEnrollment(request, await service.handle(request, context), logger: logger)
        }
        var services: [any Service] = [https]
        say("pkid listening on https://\(listen.host):\(https.port) (PKI \(pki), CA \(authority.certificate.subject))")
        if let plain = settings.httpListen {
            let http = try await HTTPServer(name: "http", at: .tcp(host: plain.host, port: plain.port), tls: nil, limits: limits, logger: logger,
                                            router: PKIServiceMetrics.route(of:), handler: service.handlePublic)
            services.insert(http, at: 0)
            say("pkid listening on http://\(plain.host):\(http.port) (CRL, OCSP and directory)")
        }
        if let address = settings.metrics, let registry {
            let metrics = try await MetricsEndpoint.listen(at: address, registry: registry, limits: limits, logger: logger)
            // First in the group, so it is the last to stop and the final counts can still be read.
            services.insert(metrics, at: 0)
            say("pkid metrics at http://\(address.host):\(metrics.port)/metrics")
        }
        let signal = try await Daemon.run(services, logger: logger)
        say("pkid stopped by \(signal.map { "\($0)" } ?? "its listeners closing")")
    }

    private func openKey(_ text: String, module: String?) async throws -> TokenKey {
        try await TokenKey.open(text, module: module, maxSessions: 2)
    }
}
