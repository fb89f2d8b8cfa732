import ConfigFiles
import Foundation
import PAC3200Simulator
@testable import Modbus
import Testing
import TestSupport

/// The client against the simulator over loopback TCP (both on libmodbus), faults included.
@Suite("Client and simulator over loopback")
struct SimulatorClientTests {
    func start(_ configure: (inout SimulatorOptions) -> Void = { _ in }) throws -> (PAC3200Simulator, MeterReader) {
        var options = SimulatorOptions(map: try RegisterMap.load(path: pac3200MapPath))
        options.port = 0
        configure(&options)
        let simulator = try PAC3200Simulator(options: options)
        let port = try simulator.start()
        var clientOptions = ModbusClient.Options()
        clientOptions.responseTimeout = .milliseconds(300)
        clientOptions.backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(200))
        let client = ModbusClient(endpoint: try ModbusEndpoint(host: "127.0.0.1", port: port), options: clientOptions)
        return (simulator, MeterReader(client: client, map: options.map))
    }

    @Test("a full snapshot: every value valid, totals equal the sum of the phases, counters grow", arguments: [UInt8(3), 4])
    func fullSnapshot(functionCode: UInt8) async throws {
        var (simulator, reader) = try start()
        defer { simulator.stop() }
        var options = reader.client.options
        options.functionCode = functionCode
        reader = MeterReader(client: ModbusClient(endpoint: reader.client.endpoint, options: options), map: reader.map)

        let first = await reader.poll()
        #expect(first.errors.isEmpty)
        #expect(first.requests.count == 3)
        #expect(first.values.count == 49)
        let invalid = first.values.filter { !$0.isValid }
        #expect(invalid.isEmpty, "\(invalid)")
        func value(_ obis: String, _ snapshot: MeterSnapshot = first) throws -> Double { try #require(snapshot[obis: obis]).value }
        for (total, phases) in [("1.0.16.7.0.255", ["1.0.36.7.0.255", "1.0.56.7.0.255", "1.0.76.7.0.255"]),
                                ("1.0.9.7.0.255", ["1.0.29.7.0.255", "1.0.49.7.0.255", "1.0.69.7.0.255"]),
                                ("1.0.131.7.0.255", ["1.0.151.7.0.255", "1.0.171.7.0.255", "1.0.191.7.0.255"])] {
            let sum = try phases.map { try value($0) }.reduce(0, +)
            #expect(abs(try value(total) - sum) < 0.01 * sum, "\(total)")
        }
        let voltage = try value("1.0.32.7.0.255")
        #expect(voltage > 220 && voltage < 240)
        #expect(abs(try value("1.0.14.7.0.255") - 50) < 0.5)
        // P = U·I·cos φ on each phase (float32 precision).
        let p = try value("1.0.36.7.0.255"), u = voltage, i = try value("1.0.31.7.0.255"), pf = try value("1.0.33.7.0.255")
        #expect(abs(p - u * i * pf) < 0.001 * p)
        #expect(first.status.errorCode == [])

        try await Task.sleep(for: .milliseconds(400))
        let second = await reader.poll()
        #expect(try value("1.0.1.8.1.255", second) > value("1.0.1.8.1.255"))
        #expect(try value("1.0.9.8.1.255", second) > value("1.0.9.8.1.255"))
        #expect(try value("1.0.1.8.2.255", second) == value("1.0.1.8.2.255"))
        await reader.client.close()
    }

    @Test("an exception names the register and the value, marks its values invalid, and the next poll succeeds")
    func exception() async throws {
        let (simulator, reader) = try start { $0.faults.exceptionAt = 805 }
        defer { simulator.stop() }
        let failed = await reader.poll()
        #expect(failed.errors == [.exception(.illegalDataAddress, RegisterRange(start: 801, count: 40), first: "active energy import T1")])
        #expect("\(failed.errors[0])" == "meter answered exception 2 (illegal data address) to a read of registers 801-840 (active energy import T1); check the register map against the meter's firmware")
        #expect(failed.readings.filter { !$0.isValid }.count == 10)
        #expect(failed[obis: "1.0.1.8.1.255"]?.problem == "not read: exception 2 (illegal data address)")
        #expect(failed[obis: "1.0.32.7.0.255"]?.isValid == true)
        #expect(failed.status.errorCode.contains(.exception))

        simulator.faults.exceptionAt = nil
        #expect(await reader.poll().errors.isEmpty)
    }

    @Test("a timeout is reported and the next poll, on a fresh connection, succeeds")
    func timeout() async throws {
        let (simulator, reader) = try start { $0.faults.delay = .milliseconds(600) }
        defer { simulator.stop() }
        let failed = await reader.poll()
        #expect(failed.errors.first == .timeout(endpoint: reader.client.endpoint.description, RegisterRange(start: 1, count: 74), milliseconds: 300))
        #expect(failed.status.errorCode.contains(.timeout))
        simulator.faults.delay = .zero
        try await Task.sleep(for: .milliseconds(700))  // let the simulator finish the late answers
        let next = await reader.poll()
        #expect(next.errors.isEmpty, "\(next.errors)")
    }

    @Test("a dropped connection is reported and the client reconnects by itself")
    func droppedConnection() async throws {
        let (simulator, reader) = try start { $0.faults.dropEvery = 2 }
        defer { simulator.stop() }
        let failed = await reader.poll()
        #expect(failed.errors.count == 1)
        guard case .connectionLost(_, let range, _) = failed.errors.first else {
            Issue.record("expected a lost connection, got \(failed.errors)")
            return
        }
        #expect(range == RegisterRange(start: 203, count: 4))
        simulator.faults.dropEvery = nil
        #expect(await reader.poll().errors.isEmpty)
    }

    @Test("the meter restarting: unreachable while it is down, back by itself once it is up")
    func restart() async throws {
        let (simulator, reader) = try start()
        let port = reader.client.endpoint.port
        #expect(await reader.poll().errors.isEmpty)
        simulator.stop()

        // The first poll may find the old connection reset; the one after meets a closed port.
        let broken = await reader.poll()
        #expect(broken.isEmpty)
        let down = await reader.poll()
        #expect(down.isEmpty)
        #expect(down.status.errorCode.contains(.unreachable))
        #expect(down.values.allSatisfy { !$0.isValid })
        guard case .unreachable = down.errors.first else {
            Issue.record("expected unreachable, got \(down.errors)")
            return
        }
        #expect(down.errors.first?.description.hasPrefix("meter unreachable at 127.0.0.1:\(port): Connection refused") == true)

        var options = SimulatorOptions(map: reader.map)
        options.port = port
        let restarted = try PAC3200Simulator(options: options)
        try restarted.start()
        defer { restarted.stop() }
        var recovered = false
        for _ in 0..<20 where !recovered {
            recovered = await reader.poll().errors.isEmpty
        }
        #expect(recovered)
    }

    @Test("an unconnected phase reads as NaN: kept, marked invalid, the rest valid")
    func nanPhase() async throws {
        let (simulator, reader) = try start { $0.faults.nanPhase = 2 }
        defer { simulator.stop() }
        let snapshot = await reader.poll()
        #expect(snapshot.errors.isEmpty)
        let invalid = snapshot.readings.filter { !$0.isValid }
        #expect(Set(invalid.compactMap(\.obis)).isSuperset(of: ["1.0.52.7.0.255", "1.0.51.7.0.255", "1.0.56.7.0.255", "1.0.53.7.0.255"]))
        #expect(invalid.filter { !$0.value.isNaN }.isEmpty)
        #expect(snapshot[obis: "1.0.32.7.0.255"]?.isValid == true)
        #expect(snapshot[obis: "1.0.1.8.1.255"]?.isValid == true)
        #expect(snapshot.status.errorCode.contains(.invalidValue))
        simulator.faults.nanPhase = nil
        let healed = await reader.poll().readings.filter { !$0.isValid }
        #expect(healed.isEmpty)
    }

    @Test("status bits become error-code bits")
    func statusBits() async throws {
        let (simulator, reader) = try start { $0.faults.statusBits = 0x0400_0800 }
        defer { simulator.stop() }
        let snapshot = await reader.poll()
        #expect(snapshot.status.deviceStatus == 0x0400_0800)
        #expect(snapshot.status.errorCode == [.voltageOverload, .restarted])
        #expect(snapshot.status.errorCode.names == ["voltage overload", "meter restarted"])
    }

    @Test("several clients at once get consistent snapshots")
    func concurrentClients() async throws {
        let (simulator, reader) = try start()
        defer { simulator.stop() }
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let client = ModbusClient(endpoint: reader.client.endpoint, options: reader.client.options)
                    let own = MeterReader(client: client, map: reader.map)
                    var ok = true
                    for _ in 0..<5 {
                        let clean = await own.poll().errors.isEmpty
                        ok = ok && clean
                    }
                    await client.close()
                    return ok
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == [true, true, true, true])
    }
}
