import Modbus
import PAC3200Simulator

/// `gatewayctl bench meter`: snapshots per second, requests per snapshot and request round trips against a meter, or
/// against a simulator in this process on a free loopback port. Goal: a complete PAC3200 snapshot in at most 3 requests.
public struct MeterBench: Sendable {
    /// The meter; nil for the in-process simulator.
    public var endpoint: ModbusEndpoint?
    public var map: RegisterMap
    public var duration: Duration
    public var unit: Int

    public init(endpoint: ModbusEndpoint?, unit: Int, map: RegisterMap, seconds: Double) {
        self.endpoint = endpoint
        self.unit = unit
        self.map = map
        self.duration = .milliseconds(Int(seconds * 1000))
    }

    public func run() async throws -> MeterReport {
        var simulator: PAC3200Simulator?
        var endpoint = self.endpoint
        if endpoint == nil {
            var options = SimulatorOptions(map: map)
            options.port = 0
            let started = try PAC3200Simulator(options: options)
            endpoint = try ModbusEndpoint(host: "127.0.0.1", port: try started.start(), unit: unit)
            simulator = started
        }
        defer { simulator?.stop() }
        guard let endpoint else { throw BenchError("no meter to bench") }
        var options = ModbusClient.Options()
        options.functionCode = map.functionCode
        let reader = MeterReader(client: ModbusClient(endpoint: endpoint, options: options), map: map)

        let clock = ContinuousClock()
        let start = clock.now
        var report = MeterReport(meter: "meter \(endpoint)\(simulator == nil ? "" : " (in-process simulator)"), \(map.definitions.count) registers, \(format(duration.seconds, 1)) s")
        while clock.now - start < duration {
            let began = clock.now
            let snapshot = await reader.poll()
            report.snapshots.record(clock.now - began)
            report.requests += snapshot.requests.count
            if !snapshot.errors.isEmpty { report.failed += 1 }
            for roundTrip in snapshot.requests.compactMap(\.roundTrip) { report.roundTrips.record(roundTrip) }
        }
        report.snapshots.elapsed = clock.now - start
        await reader.client.close()
        return report
    }
}

/// What `MeterBench` measured.
public struct MeterReport: Sendable, CustomStringConvertible {
    public var meter: String
    public var snapshots = LatencySummary()
    public var roundTrips = LatencySummary()
    public var requests = 0
    public var failed = 0

    public var requestsPerSnapshot: Double { Double(requests) / Double(max(snapshots.count, 1)) }

    public var description: String {
        let table = TextTable(
            header: ["measure", "value"],
            rows: [
                ["snapshots/s", format(snapshots.perSecond, 0)],
                ["requests per snapshot", format(requestsPerSnapshot, 2)],
                ["failed snapshots", "\(failed) of \(snapshots.count)"],
                ["snapshot p50 / p99 ms", "\(format(snapshots.milliseconds(at: 0.5), 3)) / \(format(snapshots.milliseconds(at: 0.99), 3))"],
                ["request RTT p50 / p90 / p99 / max ms", [0.5, 0.9, 0.99, 1.0].map { format(roundTrips.milliseconds(at: $0), 3) }.joined(separator: " / ")],
            ]
        )
        return [meter, table.description,
                "goal: a complete snapshot in at most 3 requests: \(format(requestsPerSnapshot, 0)), \(requestsPerSnapshot <= 3 ? "met" : "NOT met")"]
            .joined(separator: "\n")
    }
}
