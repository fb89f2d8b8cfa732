import ConfigFiles
import DaemonRuntime
import Foundation
import Gateway
import Logging
import Metering
import Modbus
import PKCS11
import PKI
import ServiceLifecycle
import SmartCard
import Transport
import X509

/// gatewayd's parts, made from the configuration: the one place that opens the token, so the pipeline itself only
/// ever sees `Signer`s.
struct GatewayWiring {
    var outbox: Outbox
    var services: [any Service]
    /// The HTTP clients to pkid, one per purpose, for `shutDownClients()` once the services have stopped.
    var directory: DirectoryCache
    var crl: CRLCache
    var est: ESTClient?

    /// - Parameter stageTimes: where each delivered reading's and answered request's stage times go, if anywhere.
    static func make(_ configuration: GatewayConfiguration, stageTimes: StageTimesFile?, logger: Logger) async throws -> GatewayWiring {
        let anchors = try CertificateFile.trustAnchors(at: configuration.trustAnchors, setting: "certificates.trust_anchors")

        // With a reader, the card may be out at start: then its keys are opened when it comes (`CardKey`).
        var emptyReader = false
        if let reader = configuration.reader { emptyReader = try await readerIsEmpty(reader) }
        let signingKey: CardKey, tlsKey: CardKey, signingCertificate: Certificate, tlsCertificate: Certificate
        if emptyReader, let reader = configuration.reader {
            guard let signingFile = configuration.signingCertificate, let tlsFile = configuration.tlsCertificate else {
                throw WiringError("token.reader: reader \"\(reader)\" is empty and the certificates are to come from the card; give certificates.signing and certificates.tls (files), or insert the card before the start")
            }
            signingCertificate = try CertificateFile.certificate(at: signingFile, setting: "certificates.signing")
            tlsCertificate = try CertificateFile.certificate(at: tlsFile, setting: "certificates.tls")
            signingKey = try CardKey(waitingFor: configuration.signingKey, module: configuration.module, certificate: signingCertificate)
            tlsKey = try CardKey(waitingFor: configuration.tlsKey, module: configuration.module, certificate: tlsCertificate)
        } else {
            let signing = try await TokenKey.open(configuration.signingKey, module: configuration.module, maxSessions: 1)
            let tls = try await TokenKey.open(configuration.tlsKey, module: configuration.module, maxSessions: 1)
            signingCertificate = try await certificate(file: configuration.signingCertificate, key: signing, what: "certificates.signing")
            tlsCertificate = try await certificate(file: configuration.tlsCertificate, key: tls, what: "certificates.tls")
            signingKey = CardKey(signing, uri: configuration.signingKey, module: configuration.module)
            tlsKey = CardKey(tls, uri: configuration.tlsKey, module: configuration.module)
        }
        let recordSigner = try RecordSigner(signer: signingKey, certificate: signingCertificate, originator: configuration.systemTitle,
                                            recipient: configuration.uplink.headEnd, convention: configuration.convention)
        let credentials = try GatewayCredentials(recordSigner: recordSigner, tlsKey: tlsKey, tlsCertificate: tlsCertificate, trustAnchors: anchors)
        let keyNames = [signingKey, tlsKey].map { $0.key.map { "\($0.uri)" } ?? "on the card to come" }
        logger.info("signing key \(keyNames[0]) with certificate \(CertificateSerial(signingCertificate.serialNumber)); TLS key \(keyNames[1]) with certificate \(CertificateSerial(tlsCertificate.serialNumber))")

        let stateDirectory = URL(fileURLWithPath: configuration.outboxPath).deletingLastPathComponent().path
        let outbox = try Outbox(path: configuration.outboxPath, limit: configuration.outboxLimit, maxBytes: configuration.outboxMaxBytes,
                                counterFile: configuration.counterFile)
        let directory = DirectoryCache(client: try DirectoryClient(url: configuration.directoryURL, trustRoots: anchors),
                                       timeToLive: configuration.directoryTTL)
        let crl = try CRLCache(url: configuration.directoryURL, trustRoots: anchors, refreshInterval: configuration.crlRefresh)

        // Each meter its reader and record builder; a map file shared by several meters is read once.
        var maps: [String?: RegisterMap] = [:]
        var meters: [(reader: MeterReader, builder: RecordBuilder)] = []
        for meter in configuration.meters {
            if maps[meter.registerMap] == nil {
                maps[meter.registerMap] = try meter.registerMap.map { path throws in try RegisterMap.load(path: path) } ?? RegisterMap.builtInPAC3200()
            }
            let map = maps[meter.registerMap]!
            var options = ModbusClient.Options()
            options.responseTimeout = meter.responseTimeout
            let client = ModbusClient(endpoint: try ModbusEndpoint(host: meter.host, port: meter.port, unit: meter.unit), options: options)
            meters.append((MeterReader(client: client, map: map), try RecordBuilder(map: map, identity: meter.identity)))
        }

        let status = StatusBoard(path: configuration.statusFile, logger: logger)
        status.update {
            $0.signingCertificateExpires = signingCertificate.notValidAfter
            $0.tlsCertificateExpires = tlsCertificate.notValidAfter
            $0.outboxLimit = configuration.outboxLimit
            $0.meters = configuration.meters.map { .init(number: $0.name, address: "\($0.address) unit \($0.unit)") }
        }
        let timing = TimingBook()
        let signing = Wakeup()
        let gate = TokenGate()
        let validations = ValidationCache()
        // Signed requests read the first meter: a request names an object (OBIS), not a meter.
        let requests = SignedRequestResponder(reader: meters[0].reader, credentials: credentials, directory: directory, policy: configuration.requestPolicy,
                                              outbox: outbox, logger: logger, stageTimes: stageTimes) {
            CertificateValidator(trustAnchors: anchors, crls: await crl.crls(), cache: validations)
        }
        if configuration.requestPolicy.allowed.isEmpty {
            logger.notice("requests.allow is empty: every signed request is answered read-write-denied")
        }
        let uplink = UplinkService(settings: configuration.uplink, outbox: outbox, credentials: credentials, directory: directory,
                                   crl: crl, timing: timing, status: status, logger: logger, requests: requests, gate: gate,
                                   signing: signing) { id, times in
            say(DeliveryLine.text(id: id, times: times))
            stageTimes?.append(StageTimesRecord(delivered: id, times: times))
        }
        let stage = SigningStage(outbox: outbox, credentials: credentials, tokenThread: { body in try await signingKey.withTokenThread(body) },
                                 wake: signing, signed: { uplink.wake() }, timing: timing, status: status, logger: logger, gate: gate)
        let pollers = zip(meters, configuration.meters).map { meter, setting in
            Poller(reader: meter.reader, builder: meter.builder, outbox: outbox, interval: setting.pollInterval, signing: signing,
                   timing: timing, status: status, logger: logger)
        }
        var services: [any Service] = [StatusReporter(status: status, timing: timing, outbox: outbox,
                                                      summaryInterval: configuration.summaryInterval, logger: logger)]
        let est = try configuration.estURL.map { url throws in try ESTClient(url: url, trustRoots: anchors) }
        if let est {
            let keeper = RenewedCertificateKeeper(stateDirectory: stateDirectory, logger: logger)
            services.append(CertificateRenewal(est: est, credentials: credentials, renewAt: configuration.renewAt, status: status,
                                               logger: logger) { certificate, role in
                let file = role == .signing ? configuration.signingCertificate : configuration.tlsCertificate
                let key = role == .signing ? signingKey : tlsKey
                try await keeper.keep(certificate, role: role, in: file.map { .file($0) } ?? key.certificatePlace)
            })
        }
        if let reader = configuration.reader {
            services.append(cardWatch(reader: reader, present: !emptyReader, keys: [signingKey, tlsKey], gate: gate, status: status, logger: logger))
        }
        // Stopped in reverse: the pollers first (no new readings), then signing, then the uplink drains what is in flight.
        services += [uplink, stage] as [any Service]
        services += pollers as [any Service]
        return GatewayWiring(outbox: outbox, services: services, directory: directory, crl: crl, est: est)
    }

    func shutDownClients() async {
        await directory.client.shutdown()
        await crl.shutdown()
        await est?.shutdown()
    }

    /// Whether `reader` is empty now; it must exist (pcscd knows it), card or no card.
    private static func readerIsEmpty(_ reader: String) async throws -> Bool {
        let readers = try await Readers.list()
        guard let state = readers.first(where: { $0.name == reader }) else {
            throw WiringError("token.reader: pcscd has no reader \"\(reader)\" (readers: \(readers.map { "\"\($0.name)\"" }.joined(separator: ", "))); copy the name from gatewayctl token readers")
        }
        return !state.cardPresent
    }

    /// Watches the card in `reader` (in it at start when `present`).
    private static func cardWatch(reader: String, present: Bool, keys: [CardKey], gate: TokenGate, status: StatusBoard, logger: Logger) -> CardWatch {
        logger.info("watching reader \"\(reader)\" for the card (\(present ? "in it" : "not in it yet"))")
        let monitor = CardMonitor.start(reader: reader)
        return CardWatch(reader: reader, presence: CardPresenceFeed.stream(monitor: monitor, reader: reader), gate: gate, status: status,
                         logger: logger, present: present, releaseCard: {
            // Sessions first, then the module itself: only a restart makes OpenSC give pcscd back a transaction the
            // pulled card left open (Module.restart), without which the next card in the reader is never powered.
            let opened = keys.compactMap(\.key)
            for key in opened { await key.token.release() }
            let modules = Dictionary(opened.map { (ObjectIdentifier($0.token.module), $0.token.module) }) { first, _ in first }
            for module in modules.values {
                do {
                    try await module.restart()
                } catch {
                    logger.error("the PKCS#11 module \(module.path) could not be restarted after the card left: \(error); if the next card is not seen, restart gatewayd")
                }
            }
        }) {
            for key in keys { try await key.admit() }
        }
    }

    private static func certificate(file: String?, key: TokenKey, what: String) async throws -> Certificate {
        if let file {
            return try CertificateFile.certificate(at: file, setting: what)
        }
        do {
            return try Certificate(derEncoded: try await key.token.certificate(key.uri))
        } catch {
            throw WiringError("no certificate for \(key.uri) on token \"\(key.token.label)\" (\(error)); enroll the key (gatewayctl enroll) or give \(what): FILE")
        }
    }
}

/// The line printed for each delivered reading.
enum DeliveryLine {
    static func text(id: UInt64, times: StageTimes) -> String {
        let parts = times.named.compactMap { stage, duration in duration.map { "\(stage.rawValue) \($0.milliseconds) ms" } }
        return "delivered #\(id)" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }
}

struct WiringError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
