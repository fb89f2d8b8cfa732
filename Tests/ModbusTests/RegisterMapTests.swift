import ConfigFiles
import Foundation
@testable import Modbus
import Testing
import TestSupport

@Suite("Register maps and decoding")
struct RegisterMapTests {
    @Test("the shipped PAC3200 map loads and covers REFERENCE §1")
    func shippedMap() throws {
        let map = try RegisterMap.load(path: pac3200MapPath)
        #expect(map.values.count == 37)
        #expect(map.counters.count == 10)
        #expect(map.statusWords.map(\.address) == [203, 205])
        #expect(map.definition(obis: "1.0.32.7.0.255")?.address == 1)
        #expect(map.definition(obis: "1.0.1.8.1.255")?.type == .float64)
        #expect(map.definition(obis: "1.0.146.7.0.255")?.address == 73)
    }

    @Test("a complete PAC3200 snapshot takes three requests, each starting on a value")
    func plan() throws {
        let map = try RegisterMap.load(path: pac3200MapPath)
        let plan = ReadPlan(map)
        #expect(plan.requests.map(\.range) == [
            RegisterRange(start: 1, count: 74), RegisterRange(start: 203, count: 4), RegisterRange(start: 801, count: 40),
        ])
        for request in plan.requests {
            #expect(request.range.count <= 125)
            #expect(request.definitions.first?.address == request.range.start)
        }
        #expect(plan.requests.flatMap(\.definitions).count == map.definitions.count)
    }

    @Test("the request limit splits a long run without splitting a value")
    func splitting() throws {
        let definitions = (0..<100).map {
            RegisterDefinition(name: "v\($0)", address: 1 + 2 * $0, type: .float32, kind: .value, obis: "1.0.\($0).7.0.255")
        } + [RegisterDefinition(name: "e", address: 201, type: .float64, kind: .counter, obis: "1.0.1.8.0.255")]
        let plan = ReadPlan(try RegisterMap(meter: "m", maxRegistersPerRequest: 125, definitions: definitions))
        #expect(plan.requests.map(\.range) == [RegisterRange(start: 1, count: 124), RegisterRange(start: 125, count: 80)])
        let gapped = try RegisterMap(meter: "m", maxGap: 10, definitions: [
            RegisterDefinition(name: "a", address: 0, type: .float32, kind: .value, obis: "1.0.1.7.0.255"),
            RegisterDefinition(name: "b", address: 10, type: .float32, kind: .value, obis: "1.0.2.7.0.255"),
        ])
        #expect(ReadPlan(gapped).requests.map(\.range) == [RegisterRange(start: 0, count: 12)])
    }

    @Test("big-endian, high word first, for every type")
    func decoding() {
        #expect(RegisterType.float32.decode([0x4366, 0x199A]) == Double(Float(230.1)))
        #expect(RegisterType.float64.decode([0x4132, 0xD687, 0xE3D7, 0x0A3D]) == 1234567.89)
        #expect(RegisterType.uint32.decode([0x0400, 0x0001]) == 67_108_865)
        #expect(RegisterType.float32.decode([0x7FC0, 0x0000]).isNaN)
        for type in RegisterType.allCases {
            for value in type == .uint32 ? [0, 1, 65536, 4_294_967_295] : [0.0, -1.5, 230.25, 65535, 1e9] {
                #expect(type.decode(type.encode(value)[...]) == value, "\(type) \(value)")
            }
        }
    }

    @Test("maps with mistakes are refused with the entry named", arguments: [
        ("values: [{name: a, address: 1, type: float32, obis: 1.0.1.7.0.255}, {name: b, address: 2, type: float32, obis: 1.0.2.7.0.255}]",
         "register map: \"b\" overlaps the registers of \"a\"; fix one of their addresses"),
        ("values: [{name: a, address: 1, type: float16, obis: 1.0.1.7.0.255}]",
         "register map: \"a\" has unknown type \"float16\"; use float32, float64 or uint32"),
        ("values: [{name: a, address: 1, type: float32, obis: 1.0.1.7.0.255}, {name: b, address: 3, type: float32, obis: 1.0.1.7.0.255}]",
         "register map: OBIS code 1.0.1.7.0.255 is used by both \"a\" and \"b\"; each value needs its own code"),
        ("values: [{name: a, address: 1, type: float32, obis: 1.0.1.7.0}]",
         "register map: \"a\" has OBIS code \"1.0.1.7.0\", which is not six numbers 0-255 like 1.0.32.7.0.255"),
        ("values: [{name: a, address: 1, type: float32}]",
         "register map: \"a\" has no OBIS code; every value and counter needs one"),
        ("values: [{name: a, address: 70000, type: float32, obis: 1.0.1.7.0.255}]",
         "register map: \"a\" has address 70000, outside the Modbus range 0-65535"),
        ("function_code: 6\nvalues: [{name: a, address: 1, type: float32, obis: 1.0.1.7.0.255}]",
         "register map is not valid: function_code must be 3 (holding registers) or 4 (input registers), not 6"),
        ("values: []", "register map lists no registers"),
    ])
    func invalidMaps(yaml: String, message: String) {
        #expect(throws: RegisterMapError.self) { try RegisterMap(yaml: yaml) }
        do {
            _ = try RegisterMap(yaml: yaml)
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test("values outside their range or NaN are kept and marked invalid")
    func plausibility() {
        let definition = RegisterDefinition(name: "v", address: 1, type: .float32, kind: .value, obis: "1.0.32.7.0.255", minimum: 0, maximum: 1000)
        #expect(MeterValue(definition: definition, registers: RegisterType.float32.encode(230)[...]).isValid)
        let high = MeterValue(definition: definition, registers: RegisterType.float32.encode(5000)[...])
        #expect(high.value == 5000 && !high.isValid)
        let nan = MeterValue(definition: definition, registers: [0x7FC0, 0][...])
        #expect(nan.value.isNaN && nan.problem == "the meter sent NaN (phase not connected?)")
    }

    @Test("back-off doubles up to its ceiling, with bounded jitter")
    func backoff() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2), jitter: 0.2)
        #expect(backoff.delay(afterFailures: 0) == .zero)
        #expect(backoff.delay(afterFailures: 1, random: 0) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 4, random: 0) == .milliseconds(800))
        #expect(backoff.delay(afterFailures: 30, random: 0) == .seconds(2))
        #expect(backoff.delay(afterFailures: 1, random: 1) == .milliseconds(120))
        #expect(backoff.delay(afterFailures: 1, random: -1) == .milliseconds(80))
    }
}

@Suite("The built-in register map")
struct BuiltInMapTests {
    @Test("the executables carry Config/pac3200.yaml byte for byte, and it loads")
    func sameAsRepository() throws {
        #expect(RegisterMap.pac3200YAML == (try String(contentsOfFile: pac3200MapPath, encoding: .utf8)),
                "Config/pac3200.yaml was edited; run Scripts/embed-register-map.sh")
        #expect(try RegisterMap.builtInPAC3200() == (try RegisterMap.load(path: pac3200MapPath)))
    }
}
