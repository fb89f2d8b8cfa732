import ArgumentParser
import DaemonRuntime
import Foundation
import HeadEnd
import Logging
import Metering
import PKCS11
import PKI
import ServiceLifecycle
import Transport
import X509

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the head-end daemon (the default).")

    @Option(help: "Configuration file (YAML, see Config/headend.yaml); options given here override it.")
    var config: String?

    @Option(help: "Address for gateways, host:port (port 0 picks a free one). Default 127.0.0.1:4059.")
    var listen: String?

    @Option(name: .customLong("metrics-listen"), help: "Plain HTTP address for Prometheus metrics at GET /metrics (optional).")
    var metricsListen: String?

    @Option(help: "The reading store (SQLite).")
    var store: String?

    @Option(name: .customLong("pki-url"), help: "pkid's base URL for /certificates/{serial} and /crl.")
    var pkiURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. Default info.")
    var logLevel: String?

    @Option(help: "PKCS#11 module (default: SoftHSM, or GATEWAY_PKCS11_MODULE).")
    var module: String?

    @Option(name: .customLong("control-socket"), help: "The Unix socket headend request talks to (overrides control.socket). Default: control.sock beside the store.")
    var controlSocket: String?

    func run() async throws {
        try await oneLineErrors {
            var settings = try config.map { try HeadEndSettings.load(path: $0) } ?? HeadEndSettings()
            settings.listen = listen ?? settings.listen
            settings.metrics = metricsListen ?? settings.metrics
            settings.store = store ?? settings.store
            settings.pki_url = pkiURL ?? settings.pki_url
            settings.log_level = logLevel ?? settings.log_level
            settings.module = module ?? settings.module
            if let controlSocket {
                settings.control = settings.control ?? .init()
                settings.control?.socket = controlSocket
            }
            try await serve(settings.validated())
        }
    }

    private func serve(_ settings: HeadEndSettings.Validated) async throws {
        let descriptors = try DescriptorBudget.ensure(maxConnections: settings.limits.maxConnections,
                                                      listeners: settings.metrics == nil ? 1 : 2)
        let logger = DaemonLogging.bootstrap(label: "headend", level: settings.logLevel)
        let registry = settings.metrics.map { _ in DaemonMetrics.bootstrap() }

        let anchors = try CertificateFile.trustAnchors(at: settings.trustAnchors, setting: "trust_anchors")

        let signingKey = try await TokenKey.open(settings.signingKey, module: settings.module, maxSessions: 2)
        let signingCertificate = try await certificate(file: settings.signingCertificate, key: signingKey, key: "signing_certificate")
        let acknowledgements: AcknowledgementSigner
        do {
            acknowledgements = try AcknowledgementSigner(signer: signingKey, certificate: signingCertificate,
                                                         originator: settings.systemTitle, convention: settings.convention)
        } catch {
            throw SettingsError("signing_key and its certificate cannot sign acknowledgements: \(error)")
        }
        let tlsKey = try await TokenKey.open(settings.tlsKey, module: settings.module, maxSessions: 2)
        let tlsCertificate = try await certificate(file: settings.tlsCertificate, key: tlsKey, key: "tls_certificate")

        let directory = DirectoryCache(client: try DirectoryClient(url: settings.pkiURL, trustRoots: anchors), timeToLive: settings.directoryTTL)
        let crls = try CRLCache(url: settings.pkiURL, trustRoots: anchors, refreshInterval: settings.crlRefresh)
        await crls.refresh()
        if let failure = await crls.lastFailure { logger.warning("no CRL yet (\(failure)); frames are refused retry-later until one arrives") }

        let store = try ReadingStore(path: settings.store)
        let processor = FrameProcessor(store: store, signer: acknowledgements, certificates: directory, revocation: crls,
                                       trustAnchors: anchors, convention: settings.convention, maxClockSkew: settings.maxClockSkew,
                                       logger: logger) { say($0.line) }
        let tls = try TLSConfigurations.serverRequiringClientCertificate(chain: [tlsCertificate], key: tlsKey, clientCA: anchors)
        let check = GatewayCertificateCheck(trustAnchors: anchors, revocation: crls)
        logger.info("head-end \(settings.systemTitle), store \(settings.store), pkid \(settings.pkiURL), at most \(settings.limits.maxConnections) connections (\(descriptors) descriptors)")

        let server = try await HeadEndServer(host: settings.listen.host, port: settings.listen.port, tls: tls, check: check,
                                             processor: processor, limits: settings.limits, logger: logger)
        var services: [any Service] = [HeadEndService(server, logger: logger)]
        say("headend listening on \(ListenAddress(host: settings.listen.host, port: server.port))")
        let requester = HeadEndRequester(
            signer: try ExchangeSigner(signer: signingKey, certificate: signingCertificate, originator: settings.systemTitle,
                                       convention: settings.convention),
            router: server.router, numbering: processor.numbering, directory: directory, timeout: settings.requestTimeout,
            logger: logger
        ) { [validations = ValidationCache()] in
            CertificateValidator(trustAnchors: anchors, crls: await crls.crls(), cache: validations)
        }
        let endpoint = ControlEndpoint(requester: requester, rateLimit: ControlRateLimit(perSecond: settings.control.rateLimit), logger: logger)
        let control = try await ControlSocket.listen(path: settings.control.socket, group: settings.control.group, mode: settings.control.mode,
                                                     logger: logger, handler: endpoint.handle)
        services.insert(control, at: 0)
        say("headend control at unix:\(settings.control.socket)")
        if let address = settings.control.listen {
            let tcp = try await HTTPServer(name: "control-tcp", at: .tcp(host: address.host, port: address.port), tls: nil, logger: logger,
                                           handler: endpoint.handle)
            services.insert(tcp, at: 0)
            say("headend control at http://\(ListenAddress(host: address.host, port: tcp.port))")
        }
        if let address = settings.metrics, let registry {
            let metrics = try await MetricsEndpoint.listen(at: address, registry: registry, logger: logger)
            services.insert(metrics, at: 0)
            say("headend metrics at http://\(address.host):\(metrics.port)/metrics")
        }
        let signal = try await Daemon.run(services, logger: logger)
        await directory.client.shutdown()
        await crls.shutdown()
        do {
            try store.close()
        } catch {
            logger.error("the reading store did not close cleanly: \(error); the next start recovers it from its log")
        }
        say("headend stopped by \(signal.map { "\($0)" } ?? "its listener closing")")
    }

    /// The certificate of `tokenKey`: from `file` when given, else the one stored on the token under the key's URI.
    private func certificate(file: String?, key tokenKey: TokenKey, key setting: String) async throws -> Certificate {
        if let file {
            return try CertificateFile.certificate(at: file, setting: setting)
        }
        do {
            return try Certificate(derEncoded: try await tokenKey.token.certificate(tokenKey.uri))
        } catch {
            throw SettingsError("no usable certificate for \(tokenKey.uri) on the token (\(error)); import one or give \(setting): FILE")
        }
    }
}
