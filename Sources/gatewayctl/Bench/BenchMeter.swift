import ArgumentParser
import Benchmarks
import Modbus

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
        let endpoint = try host.map { try ModbusEndpoint(host: $0, port: port, unit: unit) }
        print(try await MeterBench(endpoint: endpoint, unit: unit, map: try map.load(), seconds: seconds).run())
    }
}
