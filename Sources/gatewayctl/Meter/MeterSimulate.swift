import ArgumentParser
import DaemonRuntime
import Dispatch
import Foundation
import Transport
import Modbus
import PAC3200Simulator

struct MeterSimulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a simulated PAC3200 over Modbus TCP until SIGINT or SIGTERM.",
        discussion: """
            Prints `PAC3200 simulator listening on HOST:PORT (...)` once it accepts connections (use port 0 for a free \
            port). With --meters N above 1, one line per meter, in order: \
            `PAC3200 simulator I of N listening on HOST:PORT (...)`. On SIGINT or SIGTERM it stops every meter and prints \
            `stopped by SIGTERM after R requests`, R counting all meters.
            """
    )

    @Option(help: "Address and port to listen on (host:port, [v6]:port); with --meters, the first meter's.")
    var listen: String = "127.0.0.1:5020"

    @Option(help: ArgumentHelp(
        "Serve this many independent PAC3200s (1-\(Self.maximumMeters)), one port each.",
        discussion: "One port per meter, not one port with several unit ids: a gateway holds one Modbus TCP connection per meter. With --listen HOST:P the meters take ports P, P+1, ... P+N-1; with port 0 each picks a free port. Each meter has its own physics and starting energy counters, so their readings differ; the fault options apply to all."
    ))
    var meters = 1

    @OptionGroup var map: MapOption

    @Option(name: .customLong("delay-ms"), help: "Wait this long before every answer.")
    var delayMilliseconds: Int = 0

    @Option(name: .customLong("exception-rate"), help: "Share of requests answered with exception 4, 0...1.")
    var exceptionRate: Double = 0

    @Option(name: .customLong("exception-at"), help: "Answer requests covering this register with exception 2.")
    var exceptionAt: Int?

    @Option(name: .customLong("drop-every"), help: "Close the connection on every Nth request.")
    var dropEvery: Int?

    @Option(name: .customLong("nan-phase"), help: "Phase 1, 2 or 3 reads as NaN (not connected).")
    var nanPhase: Int?

    @Option(name: .customLong("status-bits"), help: "Hex bits OR'ed into the device status register 205.")
    var statusBits: String = "0"

    /// Enough for a bench of 50 meters; more would be a fleet, not a desk.
    static let maximumMeters = 64

    func run() async throws {
        guard (1...Self.maximumMeters).contains(meters) else {
            throw CLIError("--meters \(meters) is out of range; give 1 to \(Self.maximumMeters) meters, e.g. --meters 3")
        }
        var options = SimulatorOptions(map: try map.load())
        (options.host, options.port) = try splitHostPort(listen)
        options.faults.delay = .milliseconds(delayMilliseconds)
        guard (0...1).contains(exceptionRate) else { throw CLIError("--exception-rate must be between 0 and 1") }
        options.faults.exceptionRate = exceptionRate
        options.faults.exceptionAt = exceptionAt
        options.faults.dropEvery = dropEvery
        if let nanPhase, !(1...3).contains(nanPhase) { throw CLIError("--nan-phase must be 1, 2 or 3") }
        options.faults.nanPhase = nanPhase
        let bits = statusBits.hasPrefix("0x") || statusBits.hasPrefix("0X") ? String(statusBits.dropFirst(2)) : statusBits
        guard let status = UInt32(bits, radix: 16) else { throw CLIError("--status-bits takes hex, e.g. 0x04000000") }
        options.faults.statusBits = status

        let group = try PAC3200SimulatorGroup(count: meters, options: options)
        let ports = try group.start()
        let source = map.path ?? "the built-in map"
        for (index, port) in ports.enumerated() {
            // A lone meter keeps the line scripts have always read; several say which one each line is.
            let which = meters == 1 ? "" : " \(index + 1) of \(meters)"
            let address = HostAndPort(host: options.host, port: port)
            // Written straight to the file handle so a test or script reading the pipe sees it at once.
            FileHandle.standardOutput.write(Data("PAC3200 simulator\(which) listening on \(address) (\(options.map.definitions.count) values from \(source))\n".utf8))
        }
        // The daemons' signal handling, without a service group: the simulators are blocking servers.
        let signal = await TerminationSignal.next()
        group.stop()
        FileHandle.standardOutput.write(Data("stopped by \(signal.map { "\($0)" } ?? "end of signals") after \(group.requestsServed) requests\n".utf8))
    }
}

/// "host:port" or "[v6]:port".
func splitHostPort(_ text: String) throws -> (String, Int) {
    guard let parsed = HostAndPort(parsing: text) else { throw CLIError("\(text) is not host:port; use e.g. 127.0.0.1:5020") }
    return (parsed.host, parsed.port)
}

