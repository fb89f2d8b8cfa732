import ArgumentParser
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
import Transport
import X509

@main
struct GatewayD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatewayd",
        abstract: "The gateway: polls the meter, signs each reading on the token, and delivers it to the head-end exactly once.",
        discussion: """
            Keys stay on the token; PINs come from GATEWAY_PIN or the key URIs' pin-source, never from this command \
            line or the configuration file. Every reading is durable in the outbox before it is signed and stays there \
            until the head-end's signed acknowledgement verifies. Logs go to standard error; standard output has a \
            line per delivered reading with its stage times. SIGTERM or SIGINT stops polling, signs what was taken, \
            lets the head-end acknowledge what is signed (5 s at most), and exits 0; whatever is left is sent after \
            the restart. A start that fails exits 1, or 78 when the PIN is wrong, missing or blocked (the systemd unit \
            does not restart on 78: each start would spend one of a card's PIN tries).
            """,
        version: ProductVersion.current
    )

    @Option(help: "Configuration file (YAML, see Config/gateway.yaml).")
    var config: String

    @Option(help: "Outbox database path (overrides outbox.path).")
    var outbox: String?

    @Option(name: .customLong("meter"), help: "The meter's host:port (overrides meter.host and meter.port; for a gateway of one meter).")
    var meter: String?

    @Option(name: .customLong("upstream"), help: "The head-end's host:port (overrides upstream.host and upstream.port).")
    var upstream: String?

    @Option(name: .customLong("poll-interval"), help: "Poll interval, e.g. 1s or 200ms; 0s polls back to back (overrides every meter's poll_interval).")
    var pollInterval: String?

    @Option(name: .customLong("metrics-listen"), help: "Plain HTTP address for Prometheus metrics at GET /metrics (overrides metrics).")
    var metricsListen: String?

    @Option(name: .customLong("stage-times"), help: "Append each delivered reading's and each answered request's stage times to FILE, one JSON line each (for benchmarks).")
    var stageTimes: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (overrides log_level).")
    var logLevel: String?

    func run() async throws {
        do {
            var settings = try ConfigFile.load(GatewaySettings.self, path: config)
            try override(&settings)
            let configuration = try settings.validated { text, key in try TimeoutSetting.parse(text, key: key, allowZero: key.hasSuffix("poll_interval")) }
            try await serve(configuration)
        } catch {
            FileHandle.standardError.write(Data("gatewayd: \(error)\n".utf8))
            Module.finalizeAll()
            // systemd restarts a failed gatewayd (Restart=on-failure) but not one that exits 78 (the unit's
            // RestartPreventExitStatus): a wrong PIN would otherwise spend one of the card's tries at every start.
            if let failure = error as? PKCS11Error, failure.isPINFailure { throw ExitCode(Self.exitWithoutRestart) }
            throw ExitCode(1)
        }
        Module.finalizeAll()
    }

    /// EX_CONFIG from sysexits.h: the configuration (here, the PIN) needs a person before another start.
    static let exitWithoutRestart: Int32 = 78

    private func override(_ settings: inout GatewaySettings) throws {
        if let outbox { settings.outbox = settings.outbox ?? .init(); settings.outbox?.path = outbox }
        if let meter {
            guard let address = HostAndPort(parsing: meter) else { throw ValidationError("--meter \(meter) is not host:port") }
            guard (settings.meters?.count ?? 1) == 1 else { throw ValidationError("--meter names one meter, and \(config) lists \(settings.meters?.count ?? 0); change their addresses under meters: instead") }
            Self.changeMeters(&settings) {
                $0.host = address.host
                $0.port = address.port
            }
        }
        if let upstream {
            guard let address = HostAndPort(parsing: upstream) else { throw ValidationError("--upstream \(upstream) is not host:port") }
            settings.upstream = settings.upstream ?? .init()
            settings.upstream?.host = address.host
            settings.upstream?.port = address.port
        }
        if let pollInterval { Self.changeMeters(&settings) { $0.poll_interval = pollInterval } }
        settings.metrics = metricsListen ?? settings.metrics
        settings.log_level = logLevel ?? settings.log_level
    }

    /// Changes every meter of the file, under `meters:` or `meter:` (made when neither is there).
    private static func changeMeters(_ settings: inout GatewaySettings, _ change: (inout GatewaySettings.Meter) -> Void) {
        if settings.meters != nil {
            for index in settings.meters!.indices { change(&settings.meters![index]) }
        } else {
            var meter = settings.meter ?? .init()
            change(&meter)
            settings.meter = meter
        }
    }

    private func serve(_ configuration: GatewayConfiguration) async throws {
        let logger = DaemonLogging.bootstrap(label: "gatewayd", level: try LogLevel.parse(configuration.logLevel))
        let metricsAddress = try configuration.metrics.map { try ListenAddress(parsing: $0, key: "metrics") }
        let registry = metricsAddress.map { _ in DaemonMetrics.bootstrap() }
        let stageTimes = try stageTimes.map { path throws in try StageTimesFile(path: path, logger: logger) }
        let wiring = try await GatewayWiring.make(configuration, stageTimes: stageTimes, logger: logger)
        var services: [any Service] = []
        if let metricsAddress, let registry {
            let endpoint = try await MetricsEndpoint.listen(at: metricsAddress, registry: registry, limits: HTTPServerLimits(), logger: logger)
            services.append(endpoint)
            say("gatewayd metrics at http://\(metricsAddress.host):\(endpoint.port)/metrics")
        }
        services += wiring.services
        let meters = configuration.meters.map { "\($0.name) at \($0.address)" }.joined(separator: ", ")
        say("gatewayd \(configuration.systemTitle): meter\(configuration.meters.count == 1 ? "" : "s") \(meters), head-end \(configuration.uplink.headEnd) at \(configuration.uplink.host):\(configuration.uplink.port), outbox \(configuration.outboxPath)")
        let signal = try await Daemon.run(services, logger: logger)
        await wiring.shutDownClients()
        do {
            try wiring.outbox.close()
        } catch {
            // The readings are committed; a close that fails leaves the write-ahead log for the next start to fold in.
            logger.error("the outbox \(configuration.outboxPath) did not close cleanly: \(error); the next start recovers it from its log")
        }
        say("gatewayd stopped by \(signal.map { "\($0)" } ?? "its services ending")")
    }
}
