import ConfigFiles
import Foundation
import Gateway
import Logging
import Metering
import Modbus
import PKCS11
import PKI
import ServiceLifecycle
import SwiftASN1
import Transport
import X509

/// gatewayd's parts, made from the configuration: the one place that opens the token, so the pipeline itself only
/// ever sees `Signer`s.
struct GatewayWiring {
    var outbox: Outbox
    var services: [any Service]

    static func make(_ configuration: GatewayConfiguration, logger: Logger) async throws -> GatewayWiring {
        let map = try configuration.registerMap.map { path throws in try RegisterMap.load(path: path) } ?? RegisterMap.builtInPAC3200()
        let anchors = try PEMOrDER.certificates(try readFile(configuration.trustAnchors, key: "certificates.trust_anchors"))

        let signingKey = try await TokenKey.open(configuration.signingKey, module: configuration.module, maxSessions: 1)
        let tlsKey = try await TokenKey.open(configuration.tlsKey, module: configuration.module, maxSessions: 1)
        let signingCertificate = try await certificate(file: configuration.signingCertificate, key: signingKey, what: "certificates.signing")
        let tlsCertificate = try await certificate(file: configuration.tlsCertificate, key: tlsKey, what: "certificates.tls")
        let recordSigner = try RecordSigner(signer: signingKey, certificate: signingCertificate, originator: configuration.systemTitle,
                                            recipient: configuration.uplink.headEnd, convention: configuration.convention)
        let credentials = try GatewayCredentials(recordSigner: recordSigner, tlsKey: tlsKey, tlsCertificate: tlsCertificate, trustAnchors: anchors)
        logger.info("signing key \(signingKey.uri) with certificate \(CertificateSerial(signingCertificate.serialNumber)); TLS key \(tlsKey.uri) with certificate \(CertificateSerial(tlsCertificate.serialNumber))")

        let outbox = try Outbox(path: configuration.outboxPath, limit: configuration.outboxLimit, counterFile: configuration.counterFile)
        let directory = DirectoryCache(client: try DirectoryClient(url: configuration.directoryURL, trustRoots: anchors),
                                       timeToLive: configuration.directoryTTL)
        let crl = try CRLCache(url: configuration.directoryURL, trustRoots: anchors, refreshInterval: configuration.crlRefresh)

        var options = ModbusClient.Options()
        options.responseTimeout = configuration.responseTimeout
        let client = ModbusClient(endpoint: try ModbusEndpoint(host: configuration.meterHost, port: configuration.meterPort, unit: configuration.meterUnit),
                                  options: options)
        let reader = MeterReader(client: client, map: map)
        let builder = try RecordBuilder(map: map, identity: configuration.identity)

        let status = StatusBoard(path: configuration.statusFile, logger: logger)
        status.update {
            $0.signingCertificateExpires = signingCertificate.notValidAfter
            $0.tlsCertificateExpires = tlsCertificate.notValidAfter
            $0.outboxLimit = configuration.outboxLimit
        }
        let timing = TimingBook()
        let signing = Wakeup()
        let validations = ValidationCache()
        let requests = RequestHandler(reader: reader, credentials: credentials, directory: directory, policy: configuration.requestPolicy,
                                      outbox: outbox, logger: logger) {
            CertificateValidator(trustAnchors: anchors, crls: await crl.crls(), cache: validations)
        }
        if configuration.requestPolicy.allowed.isEmpty {
            logger.notice("requests.allow is empty: every signed request is answered read-write-denied")
        }
        let uplink = UplinkService(settings: configuration.uplink, outbox: outbox, credentials: credentials, directory: directory,
                                   crl: crl, timing: timing, status: status, logger: logger, requests: requests) { id, times in
            say(DeliveryLine.text(id: id, times: times))
        }
        let token = signingKey.token
        let stage = SigningStage(outbox: outbox, credentials: credentials, tokenThread: { body in try await token.withTokenThread(body) },
                                 wake: signing, signed: { uplink.wake() }, timing: timing, status: status, logger: logger)
        let poller = Poller(reader: reader, builder: builder, outbox: outbox, interval: configuration.pollInterval, signing: signing,
                            timing: timing, status: status, logger: logger)
        var services: [any Service] = [StatusReporter(status: status, timing: timing, outbox: outbox,
                                                      summaryInterval: configuration.summaryInterval, logger: logger)]
        if let url = configuration.estURL {
            let est = try ESTClient(url: url, trustRoots: anchors)
            services.append(CertificateRenewal(est: est, credentials: credentials, renewAt: configuration.renewAt, status: status,
                                               logger: logger) { certificate, role in
                let key = role == .signing ? signingKey : tlsKey
                try await key.token.importCertificate(try derBytes(certificate), for: key.uri)
            })
        }
        // Stopped in reverse: the poller first (no new readings), then signing, then the uplink drains what is in flight.
        services += [uplink, stage, poller] as [any Service]
        return GatewayWiring(outbox: outbox, services: services)
    }

    private static func certificate(file: String?, key: TokenKey, what: String) async throws -> Certificate {
        if let file {
            return try PEMOrDER.certificate(try readFile(file, key: what))
        }
        do {
            return try Certificate(derEncoded: try await key.token.certificate(key.uri))
        } catch {
            throw WiringError("no certificate for \(key.uri) on token \"\(key.token.label)\" (\(error)); enroll the key (gatewayctl enroll) or give \(what): FILE")
        }
    }

    private static func readFile(_ path: String, key: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WiringError("\(key): \(path) cannot be read; check the path and its permissions")
        }
        return [UInt8](data)
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
