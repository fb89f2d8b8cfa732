import ConfigFiles
import Foundation
import Gateway
import Modbus
import Testing
import TestSupport

/// A misspelled key used to be ignored: `poll_intervall: 5s` started a gateway polling every second. Every key of
/// gateway.yaml must be one gatewayd knows; a stranger is one line naming it, where it is and the key it resembles.
@Suite("configuration files: unknown keys")
struct UnknownKeyTests {
    @Test("a misspelled key in gateway.yaml is refused, naming its path, its line and the nearest known key", arguments: [
        ("meter:\n  host: m\n  poll_intervall: 5s\n", "meter.poll_intervall", 3, "meter.poll_interval"),
        ("requests:\n  max_clok_skew: 1m\n", "requests.max_clok_skew", 2, "requests.max_clock_skew"),
        ("outbx:\n  path: /var/lib/gatewayd/outbox.sqlite\n", "outbx", 1, "outbox"),
        ("upstream:\n  host: h\n  ack_timout: 5s\n", "upstream.ack_timout", 3, "upstream.ack_timeout"),
        ("requests:\n  allow:\n    - requester: 48454144454E4401\n      obis: [\"*\"]\n      obsi: [\"1.0.1.8.1.255\"]\n",
         "requests.allow[0].obsi", 5, "requests.allow[0].obis"),
    ])
    func misspelled(yaml: String, path: String, line: Int, nearest: String) throws {
        let file = try writeFile(yaml)
        let error = try #require(throws: ConfigFileError.self) { try ConfigFile.load(GatewaySettings.self, path: file) }
        let text = "\(error)"
        #expect(text == "\(file): unknown key `\(path)` (line \(line)); did you mean `\(nearest)`?", "\(text)")
        #expect(!text.contains("\n"))
    }

    @Test("a file whose keys are all known decodes as before, nested sections and list entries included")
    func knownKeysPass() throws {
        let settings = try ConfigFile.decode(GatewaySettings.self, yaml: """
            meter: { host: m, poll_interval: 0s }
            requests: { allow: [{ requester: 48454144454E4401, obis: ["*"] }], max_clock_skew: 1m }
            log_level: debug
            """)
        #expect(settings.meter?.poll_interval == "0s")
        #expect(settings.requests?.allow?.first?.obis == ["*"])
    }

    @Test("every shipped example under Config/ that gatewayd or the register maps read has only known keys")
    func shippedExamples() throws {
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config")
        _ = try ConfigFile.load(GatewaySettings.self, path: config.appendingPathComponent("gateway.yaml").path)
        _ = try RegisterMap.load(path: config.appendingPathComponent("pac3200.yaml").path)
        _ = try RegisterMap.builtInPAC3200()
    }

    private let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory("unknown-keys")
    }

    private func writeFile(_ text: String) throws -> String {
        let path = scratch.path("gateway-\(UUID().uuidString.prefix(8)).yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
