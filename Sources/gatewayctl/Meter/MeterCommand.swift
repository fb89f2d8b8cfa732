import ArgumentParser
import ConfigFiles
import Modbus

struct MeterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meter",
        abstract: "The meter: read a PAC3200 over Modbus TCP, or simulate one.",
        subcommands: [MeterRead.self, MeterSimulate.self, MeterMap.self]
    )
}

/// The register map option shared by the meter commands.
struct MapOption: ParsableArguments {
    @Option(name: .customLong("map"), help: "Register map (YAML); default: the built-in PAC3200 map (`gatewayctl meter map` prints it).")
    var path: String?

    func load() throws -> RegisterMap {
        if let path { try RegisterMap.load(path: path) } else { try RegisterMap.builtInPAC3200() }
    }
}

/// Prints the built-in register map, the starting point for a map of another firmware or meter.
struct MeterMap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Print the built-in PAC3200 register map (YAML), to copy and edit for --map."
    )

    func run() throws {
        print(RegisterMap.pac3200YAML, terminator: "")
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
