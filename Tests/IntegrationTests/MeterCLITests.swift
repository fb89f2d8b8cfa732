import ConfigFiles
import Foundation
import Modbus
import TestSupport
import Testing

/// The meter tools against independent peers: our client against pymodbus (Debian's python3-pymodbus)
/// serving known values, our simulator against mbpoll, and `gatewayctl meter` as a user runs it.
@Suite("Meter: interoperability and the CLI")
struct MeterCLITests {
    static let knownServer = repositoryRoot.appendingPathComponent("Tests/IntegrationTests/Fixtures/modbus_known_values_server.py").path

    @Test("every value our client decodes equals what pymodbus serves, with function code 3 and 4", arguments: [UInt8(3), 4])
    func againstPymodbus(functionCode: UInt8) async throws {
        let dir = try temporaryDirectory("known")
        defer { try? FileManager.default.removeItem(at: dir) }
        let map = try RegisterMap.load(path: pac3200MapPath)
        // A distinct, exactly representable value for every register of the map.
        var float32: [String: Double] = [:], float64: [String: Double] = [:], uint32: [String: Double] = [:]
        var expected: [Int: Double] = [:]
        for (index, definition) in map.definitions.enumerated() {
            switch definition.type {
            case .float32:
                let value = Double(Float(200 + Double(index) * 0.25))
                float32["\(definition.address)"] = value
                expected[definition.address] = value
            case .float64:
                let value = 1_000_000.125 + Double(index) * 1000.5
                float64["\(definition.address)"] = value
                expected[definition.address] = value
            case .uint32:
                let value = definition.address == 205 ? Double(0x0400_0000) : 0
                uint32["\(definition.address)"] = value
                expected[definition.address] = value
            }
        }
        let valuesFile = dir.appendingPathComponent("values.json")
        try JSONSerialization.data(withJSONObject: ["float32": float32, "float64": float64, "uint32": uint32]).write(to: valuesFile)
        let server = try await BackgroundProcess("/usr/bin/python3", [Self.knownServer, "--port", "0", "--values", valuesFile.path])
        let port = try await server.waitForPort()

        var options = ModbusClient.Options()
        options.functionCode = functionCode
        let client = ModbusClient(endpoint: try ModbusEndpoint(host: "127.0.0.1", port: port), options: options)
        let snapshot = await MeterReader(client: client, map: map).poll()
        await client.close()
        #expect(snapshot.errors.isEmpty, "\(snapshot.errors)")
        #expect(snapshot.values.count == map.definitions.count)
        for value in snapshot.values {
            #expect(value.value == expected[value.definition.address], "\(value.name)")
        }
        #expect(snapshot.status.deviceStatus == 0x0400_0000)
        // The made-up values are outside some plausible ranges (a power factor of 209): marked, not changed.
        #expect(snapshot.status.errorCode == [.voltageOverload, .invalidValue])
        #expect(snapshot[obis: "1.0.33.7.0.255"]?.problem?.hasPrefix("outside the plausible range") == true)
        await server.stop()
    }

    @Test("mbpoll reads from our simulator what gatewayctl meter read reports")
    func simulatorAgainstMbpoll() async throws {
        let simulator = try await BackgroundProcess(gatewayctlPath, [
            "meter", "simulate", "--listen", "127.0.0.1:0", "--map", pac3200MapPath, "--status-bits", "0x04000000",
        ])
        let port = try await simulator.waitForPort()

        let started = ContinuousClock.now
        let read = try await run(gatewayctlPath, ["meter", "read", "--host", "127.0.0.1", "--port", "\(port)", "--map", pac3200MapPath, "--json"])
        #expect(read.status == 0, "\(read.stderr)")
        let document = try ReadingDocument.decode(read.stdout)
        let ours = try #require(document.values.first { $0.obis == "1.0.32.7.0.255" }?.value)

        // Holding registers, float, big-endian words, PDU addressing, one poll.
        let polled = try await run("mbpoll", ["-m", "tcp", "-a", "1", "-r", "1", "-c", "3", "-t", "4:float", "-B", "-0", "-1", "-p", "\(port)", "127.0.0.1"])
        // The simulated voltage moves (PAC3200Physics: at most 0.53 V a second), and on a loaded machine the two
        // reads can be seconds apart: they agree within what it can have moved between them, plus half a volt.
        let apart = ContinuousClock.now - started
        let allowed = 0.5 + 0.53 * (Double(apart.components.seconds) + Double(apart.components.attoseconds) / 1e18)
        #expect(polled.status == 0, "\(polled.output) \(polled.stderr)")
        let voltages = polled.output.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("[") else { return nil }
            return Double(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces))
        }
        #expect(voltages.count == 3)
        #expect(voltages.allSatisfy { $0 > 220 && $0 < 240 }, "\(voltages)")
        #expect(abs(voltages[0] - ours) < allowed, "mbpoll \(voltages[0]) V, gatewayctl \(ours) V, \(apart) apart")

        // Input registers answer the same way, and the status word carries the injected bits.
        let status = try await run("mbpoll", ["-m", "tcp", "-a", "1", "-r", "205", "-c", "1", "-t", "3:int", "-B", "-0", "-1", "-p", "\(port)", "127.0.0.1"])
        #expect(status.output.contains("[205]: \t67108864"), "\(status.output)")
        #expect(document.status.device_status == 0x0400_0000)
        #expect(document.status.conditions == ["voltage overload"])

        #expect(await simulator.stop() == 0)
        #expect(simulator.stdoutLines.last?.hasPrefix("stopped by SIGTERM after ") == true, "\(simulator.stdoutLines)")
    }

    @Test("meter read prints the whole snapshot, three requests, and JSON with the documented fields")
    func readCommand() async throws {
        let simulator = try await BackgroundProcess(gatewayctlPath, ["meter", "simulate", "--listen", "127.0.0.1:0", "--map", pac3200MapPath])
        let port = try await simulator.waitForPort()
        let table = try await run(gatewayctlPath, ["meter", "read", "--host", "127.0.0.1", "--port", "\(port)", "--map", pac3200MapPath])
        #expect(table.status == 0)
        let lines = table.output.split(separator: "\n")
        #expect(lines[1].hasPrefix("OBIS"))
        #expect(lines.filter { $0.hasPrefix("1.0.") }.count == 47)
        #expect(lines.contains { $0.hasPrefix("requests: 3 (registers 1-74: ") })

        let json = try await run(gatewayctlPath, ["meter", "read", "--host", "127.0.0.1", "--port", "\(port)", "--map", pac3200MapPath, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["time", "values", "status", "rtt_ms"]))
        let values = try #require(object["values"] as? [[String: Any]])
        #expect(values.count == 47)
        #expect(Set(values[0].keys).isSuperset(of: ["obis", "name", "value", "unit", "valid"]))
        #expect((object["rtt_ms"] as? [Double])?.count == 3)
        await simulator.stop()
    }

    @Test("meter simulate --meters 3 serves three independent meters, one port each, and meter read answers on each")
    func severalMeters() async throws {
        let simulator = try await BackgroundProcess(gatewayctlPath, [
            "meter", "simulate", "--listen", "127.0.0.1:0", "--meters", "3", "--map", pac3200MapPath,
        ])
        let ports = try await simulator.waitForPorts(count: 3)
        #expect(Set(ports).count == 3, "\(ports)")
        for (index, port) in ports.enumerated() {
            #expect(simulator.stdoutLines[index] == "PAC3200 simulator \(index + 1) of 3 listening on 127.0.0.1:\(port) (49 values from \(pac3200MapPath))",
                    "\(simulator.stdoutLines)")
        }

        var importEnergy: [Double] = []
        for port in ports {
            let read = try await run(gatewayctlPath, ["meter", "read", "--host", "127.0.0.1", "--port", "\(port)", "--map", pac3200MapPath, "--json"])
            #expect(read.status == 0, "\(read.stderr)")
            let document = try ReadingDocument.decode(read.stdout)
            importEnergy.append(try #require(document.values.first { $0.obis == "1.0.1.8.1.255" }?.value))
        }
        // Each meter starts from its own energy counters, a quarter larger per meter, far beyond what a counter
        // grows while the test runs: three different readings, in the order the ports were printed.
        #expect(importEnergy == importEnergy.sorted() && Set(importEnergy).count == 3, "\(importEnergy)")

        #expect(await simulator.stop() == 0)
        // Three reads of three requests each, counted over all the meters.
        #expect(simulator.stdoutLines.last == "stopped by SIGTERM after 9 requests", "\(simulator.stdoutLines)")
    }

    @Test("meter simulate refuses a count of meters out of range, or ports past 65535, in one line naming the fix",
          arguments: [
              (["--meters", "0"], "gatewayctl: --meters 0 is out of range; give 1 to 64 meters, e.g. --meters 3\n"),
              (["--meters", "65"], "gatewayctl: --meters 65 is out of range; give 1 to 64 meters, e.g. --meters 3\n"),
              (["--meters=-2"], "gatewayctl: --meters -2 is out of range; give 1 to 64 meters, e.g. --meters 3\n"),
              (["--meters", "3", "--listen", "127.0.0.1:65534"],
               "gatewayctl: 3 meters from port 65534 would need ports up to 65536; pick a --listen port up to 65533, or port 0\n"),
          ])
    func badMeterCount(arguments: [String], message: String) async throws {
        let refused = try await run(gatewayctlPath, ["meter", "simulate", "--map", pac3200MapPath] + arguments)
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr == message)
    }

    @Test("from any directory, without --map: the simulator and meter read use the built-in map; meter map prints it")
    func builtInMap() async throws {
        // `cd /` first: nothing relative to the repository can be found from there.
        let simulator = try await BackgroundProcess("/bin/sh", ["-c", "cd / && exec '\(gatewayctlPath)' meter simulate --listen 127.0.0.1:0"])
        let port = try await simulator.waitForPort()
        // A lone meter's line, as scripts read it: no meter number, the map it serves named.
        #expect(simulator.stdoutLines.first == "PAC3200 simulator listening on 127.0.0.1:\(port) (49 values from the built-in map)")
        let table = try await run("/bin/sh", ["-c", "cd / && exec '\(gatewayctlPath)' meter read --host 127.0.0.1 --port \(port)"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.output.split(separator: "\n").filter { $0.hasPrefix("1.0.") }.count == 47)

        let printed = try await run(gatewayctlPath, ["meter", "map"])
        #expect(printed.status == 0)
        #expect(printed.output == (try String(contentsOfFile: pac3200MapPath, encoding: .utf8)), "the built-in map differs from Config/pac3200.yaml; run Scripts/embed-register-map.sh")
        await simulator.stop()
    }

    @Test("an unreachable meter, a bad map: one line with cause and fix")
    func failures() async throws {
        // A port nothing listens on: bind one, note it, close it.
        let closed = try await BackgroundProcess(gatewayctlPath, ["meter", "simulate", "--listen", "127.0.0.1:0", "--map", pac3200MapPath])
        let port = try await closed.waitForPort()
        await closed.stop()
        let unreachable = try await run(gatewayctlPath, ["meter", "read", "--host", "127.0.0.1", "--port", "\(port)", "--map", pac3200MapPath])
        #expect(unreachable.status == 1)
        #expect(unreachable.stdout.isEmpty)
        #expect(unreachable.stderr == "gatewayctl: meter unreachable at 127.0.0.1:\(port): Connection refused; check the address and port, that the meter is on, and that Modbus TCP is enabled\n")

        let dir = try temporaryDirectory("map")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yaml").path
        try "values: [{name: x, address: 1, type: float32, obis: 1.0.1.7.0.255}, {name: y, address: 2, type: float32, obis: 1.0.2.7.0.255}]"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try await run(gatewayctlPath, ["meter", "read", "--host", "127.0.0.1", "--map", bad])
        #expect(refused.stderr == "gatewayctl: register map: \"y\" overlaps the registers of \"x\"; fix one of their addresses\n")
    }
}
