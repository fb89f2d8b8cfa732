import ArgumentParser
import Modbus
import PAC3200Simulator

struct BenchMeter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meter",
        abstract: "Snapshots per second, requests per snapshot and request round trips against a meter.",
        discussion: "Without --host it starts a simulator in this process on a free loopback port. Goal: a complete PAC3200 snapshot in at most 3 requests."
    )

    @Option(help: "Meter host; omit to bench against an in-process simulator.")
    var host: String?

    @Option(help: "Modbus TCP port.")
    var port: Int = 502

    @Option(help: "Modbus unit id.")
    var unit: Int = 1

    @OptionGroup var map: MapOption

    @Option(help: "Seconds to poll.")
    var seconds: Double = 3

    func run() async throws {
        let map = try map.load()
        var simulator: PAC3200Simulator?
        var endpoint = try ModbusEndpoint(host: host ?? "127.0.0.1", port: port, unit: unit)
        if host == nil {
            var options = SimulatorOptions(map: map)
            options.port = 0
            let started = try PAC3200Simulator(options: options)
            endpoint = try ModbusEndpoint(host: "127.0.0.1", port: try started.start(), unit: unit)
            simulator = started
        }
        defer { simulator?.stop() }
        var options = ModbusClient.Options()
        options.functionCode = map.functionCode
        let reader = MeterReader(client: ModbusClient(endpoint: endpoint, options: options), map: map)

        let duration = Duration.milliseconds(Int(seconds * 1000))
        let clock = ContinuousClock()
        let start = clock.now
        var snapshots = 0
        var failed = 0
        var requests = 0
        var roundTrips: [Duration] = []
        var pollTimes: [Duration] = []
        while clock.now - start < duration {
            let began = clock.now
            let snapshot = await reader.poll()
            pollTimes.append(clock.now - began)
            snapshots += 1
            requests += snapshot.requests.count
            if !snapshot.errors.isEmpty { failed += 1 }
            roundTrips += snapshot.requests.compactMap(\.roundTrip)
        }
        let elapsed = clock.now - start
        await reader.client.close()

        let perSnapshot = Double(requests) / Double(max(snapshots, 1))
        print("meter \(endpoint)\(simulator == nil ? "" : " (in-process simulator)"), \(map.definitions.count) registers, \(format(seconds, 1)) s")
        printTable(
            header: ["measure", "value"],
            rows: [
                ["snapshots/s", format(Double(snapshots) / elapsed.seconds, 0)],
                ["requests per snapshot", format(perSnapshot, 2)],
                ["failed snapshots", "\(failed) of \(snapshots)"],
                ["snapshot p50 / p99 ms", "\(format(Stage(latencies: pollTimes, elapsed: elapsed).percentile(0.5), 3)) / \(format(Stage(latencies: pollTimes, elapsed: elapsed).percentile(0.99), 3))"],
                ["request RTT p50 / p90 / p99 / max ms", [0.5, 0.9, 0.99, 1.0].map { format(Stage(latencies: roundTrips, elapsed: elapsed).percentile($0), 3) }.joined(separator: " / ")],
            ]
        )
        print("goal: a complete snapshot in at most 3 requests: \(format(perSnapshot, 0)), \(perSnapshot <= 3 ? "met" : "NOT met")")
    }
}
