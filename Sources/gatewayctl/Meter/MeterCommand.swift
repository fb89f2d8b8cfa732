import ArgumentParser
import ConfigFiles
import Modbus

struct MeterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meter",
        abstract: "The meter: read a PAC3200 over Modbus TCP, or simulate one.",
        subcommands: [MeterRead.self, MeterSimulate.self]
    )
}

/// The register map option shared by the meter commands.
struct MapOption: ParsableArguments {
    @Option(name: .customLong("map"), help: "Register map (YAML).")
    var path: String = "Config/pac3200.yaml"

    func load() throws -> RegisterMap {
        try RegisterMap.load(path: path)
    }
}

/// Where the meter is and how to talk to it.
struct MeterConnectionOptions: ParsableArguments {
    @Option(help: "Meter host name or address (IPv4 or IPv6).")
    var host: String

    @Option(help: "Modbus TCP port.")
    var port: Int = 502

    @Option(help: "Modbus unit id.")
    var unit: Int = 1

    @Option(help: "Function code: 3 (holding registers) or 4 (input registers); default: the map's.")
    var function: UInt8?

    @Option(name: .customLong("timeout-ms"), help: "Response timeout in milliseconds.")
    var timeoutMilliseconds: Int = 500

    func reader(map: RegisterMap) throws -> MeterReader {
        var options = ModbusClient.Options()
        options.functionCode = function ?? map.functionCode
        options.responseTimeout = .milliseconds(timeoutMilliseconds)
        let client = ModbusClient(endpoint: try ModbusEndpoint(host: host, port: port, unit: unit), options: options)
        return MeterReader(client: client, map: map)
    }
}
