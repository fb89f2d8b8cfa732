import ArgumentParser
import ConfigFiles
import DaemonRuntime
import Foundation
import Gateway
import Modbus
import PKCS11
import PKI
import X509

/// `gatewayctl status --config FILE`: the operator's first questions, each answered by looking, not by trusting the
/// daemon alone: the meter is polled once, the token opened with the configured PIN source, the outbox read; the
/// uplink's state and the last error come from the status file gatewayd writes every second.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Meter, token, certificates, outbox and uplink of a gateway, from its configuration (exit 1 when something needs attention).",
        discussion: "Reads the same file as gatewayd --config; it may run while gatewayd runs."
    )

    @Option(help: "gatewayd's configuration file.")
    var config: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let settings = try ConfigFile.load(GatewaySettings.self, path: config)
        let configuration = try settings.validated { text, key in try TimeoutSetting.parse(text, key: key, allowZero: true) }
        var report = StatusReport()

        // Each meter: one read of the first register.
        for meter in configuration.meters {
            let map = try meter.registerMap.map { try RegisterMap.load(path: $0) } ?? RegisterMap.builtInPAC3200()
            var options = ModbusClient.Options()
            options.responseTimeout = meter.responseTimeout
            options.connectTimeout = .seconds(2)
            let client = ModbusClient(endpoint: try ModbusEndpoint(host: meter.host, port: meter.port, unit: meter.unit), options: options)
            let first = ReadPlan(map).requests[0]
            let name = configuration.meters.count == 1 ? "meter" : "meter \(meter.name)"
            do {
                let (_, roundTrip) = try await client.read(first.range, first: first.definitions[0].name)
                report.add(name, ok: true, "\(meter.address) answers (\(roundTrip.milliseconds) ms)")
            } catch {
                report.add(name, ok: false, "\(meter.address): \(error)")
            }
            await client.close()
        }

        // The token and the certificates on it.
        for (role, uri, file) in [("signing", configuration.signingKey, configuration.signingCertificate), ("tls", configuration.tlsKey, configuration.tlsCertificate)] {
            do {
                let key = try await TokenKey.open(uri, module: configuration.module)
                report.add("token (\(role) key)", ok: true, "present and logged in: token \"\(key.token.label)\", key \(key.uri)")
                let certificate: Certificate
                if let file {
                    certificate = try PEMOrDER.certificate(try readFile(file))
                } else {
                    certificate = try Certificate(derEncoded: try await key.token.certificate(key.uri))
                }
                let due = RenewalRule(share: configuration.renewAt).due(certificate)
                let days = Int(certificate.notValidAfter.timeIntervalSinceNow / 86400)
                let expired = certificate.notValidAfter < Date()
                report.add("\(role) certificate", ok: !expired,
                           "serial \(CertificateSerial(certificate.serialNumber)), expires \(Self.format(certificate.notValidAfter)) (\(expired ? "EXPIRED" : "in \(days) days")), renewal due \(Self.format(due))")
            } catch {
                report.add("token (\(role) key)", ok: false, "\(error)")
            }
        }

        // The outbox.
        do {
            let outbox = try Outbox(path: configuration.outboxPath, limit: configuration.outboxLimit, maxBytes: configuration.outboxMaxBytes)
            let depth = try await outbox.depth()
            let refused = try await outbox.refused()
            let delivered = try await outbox.lastDelivered().map { "\($0)" } ?? "none yet"
            let taken = try await outbox.lastTaken().map { "\($0)" } ?? "none yet"
            report.add("outbox", ok: !depth.isFull && refused.isEmpty,
                       "\(depth.unsigned) unsigned + \(depth.signed) signed of \(depth.limit)\(depth.isFull ? " (FULL: new readings are refused)" : ""); last taken \(taken), last delivered \(delivered)"
                       + (refused.isEmpty ? "" : "; \(refused.count) refused by the head-end and set aside (first #\(refused[0].transactionID): \(refused[0].reason))"))
            try outbox.close()
        } catch {
            report.add("outbox", ok: false, "\(error)")
        }

        // What only the daemon knows.
        do {
            let status = try StatusBoard.read(path: configuration.statusFile)
            let liveness = DaemonLiveness.assess(status, path: configuration.statusFile)
            let running = liveness != .notRunning
            switch liveness {
            case .running:
                report.add("gatewayd", ok: true, "running (pid \(status.pid), since \(Self.format(status.startedAt)))")
            case .stale(let since, let cause):
                report.add("gatewayd", ok: false, "running (pid \(status.pid)), status file stale since \(Self.format(since)) (\(cause)); the rows below are as of then: free disk space")
            case .notRunning:
                report.add("gatewayd", ok: false, "not running (status last written \(Self.format(status.updatedAt))); start gatewayd --config \(config)")
            }
            report.add("missed polls", ok: status.missingPollsSince == nil,
                       status.missingPollsSince.map { "\(status.missedPolls) not stored since gatewayd started; none stored since \(Self.format($0)): \(status.missedPollsCause ?? "see the log")" }
                       ?? (status.missedPolls == 0 ? "none" : "\(status.missedPolls) not stored since gatewayd started, none now (the head-end learns the count with the next reading)"))
            if let reader = status.reader {
                report.add("card", ok: status.cardPresent == true,
                           status.cardPresent == true ? "in reader \"\(reader)\"" : "card removed from reader \"\(reader)\": signing stops, readings wait unsigned; insert the gateway's card")
            }
            report.add("signing", ok: status.token == .ready,
                       status.token == .ready ? "ready" : "\(status.token.rawValue)" + (status.tokenReason.map { ": \($0)" } ?? ""))
            report.add("uplink", ok: running && status.uplink == .connected, "\(status.uplink.rawValue) to \(configuration.uplink.host):\(configuration.uplink.port)")
            report.add("last error", ok: true, status.lastError.map { "\($0) (\(Self.format(status.lastErrorAt ?? status.updatedAt)))" } ?? "none")
        } catch {
            report.add("gatewayd", ok: false, "no status file at \(configuration.statusFile): gatewayd has not run with this configuration")
        }

        print(json ? report.json : report.text)
        if !report.allGood { throw ExitCode(1) }
    }

    static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// The answers, in order, as text (one line each) or JSON.
struct StatusReport {
    struct Line: Encodable {
        var item: String
        var ok: Bool
        var detail: String
    }

    var lines: [Line] = []
    var allGood: Bool { lines.allSatisfy(\.ok) }

    mutating func add(_ item: String, ok: Bool, _ detail: String) {
        lines.append(Line(item: item, ok: ok, detail: detail))
    }

    var text: String {
        let width = lines.map(\.item.count).max() ?? 0
        return lines.map { "\($0.ok ? "ok  " : "FAIL") \($0.item.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.detail)" }
            .joined(separator: "\n")
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(lines)) ?? Data(), as: UTF8.self)
    }
}
