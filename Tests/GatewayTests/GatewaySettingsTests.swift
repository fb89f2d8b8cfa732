import ConfigFiles
import DaemonRuntime
import Foundation
import Gateway
import COSEM
import Testing

/// gatewayd's configuration: what a valid file gives, and that every unusable value stops the start with one line
/// naming the key and what to write instead.
@Suite("gatewayd settings")
struct GatewaySettingsTests {
    static let valid = """
        meter: { host: 10.0.0.5, port: 502, poll_interval: 2s }
        identity: { system_title: 00DB1234567890A0, meter_number: "12345678" }
        token:
          signing_key: "pkcs11:token=gateway;object=meter-sign?pin-source=file:/etc/gatewayd/pin"
          tls_key: "pkcs11:token=gateway;object=gateway-tls?pin-source=file:/etc/gatewayd/pin"
        certificates: { trust_anchors: /etc/gatewayd/ca.pem }
        pki: { directory: "http://pkid:8080" }
        upstream: { host: headend.example, head_end_system_title: 48454144454E4401 }
        outbox: { path: /var/lib/gatewayd/outbox.sqlite }
        """

    func validate(_ yaml: String) throws -> GatewayConfiguration {
        try ConfigFile.decode(GatewaySettings.self, yaml: yaml).validated { text, key in try TimeoutSetting.parse(text, key: key, allowZero: key.hasSuffix("poll_interval") || key.hasSuffix("max_wait")) }
    }

    @Test("a minimal file: the rest defaults as Config/gateway.yaml documents")
    func defaults() throws {
        let configuration = try validate(Self.valid)
        #expect(configuration.meters.map(\.pollInterval) == [.seconds(2)])
        #expect(configuration.meters.map(\.identity.meterNumber) == ["12345678"])
        #expect(configuration.meters.map(\.identity.meterIdent) == ["SIEMENS SENTRON PAC3200"])
        #expect(configuration.uplink.port == 4059 && configuration.uplink.window == 16)
        #expect(configuration.uplink.headEnd.description == "48454144454E4401")
        #expect(configuration.outboxLimit == 100_000)
        #expect(configuration.statusFile == "/var/lib/gatewayd/status.json")
        #expect(configuration.renewAt == 0.7)
        #expect(configuration.meters.map(\.registerMap) == [nil])
        #expect(configuration.batchSigning == nil)
        let batched = try validate(Self.valid + "\nsigning: { batch: { max_frames: 16 } }")
        #expect(batched.batchSigning == BatchSigningSettings(maxFrames: 16, maxWait: .milliseconds(200)))
        #expect(try validate(Self.valid + "\nsigning: { batch: { max_wait: 0s } }").batchSigning == BatchSigningSettings(maxFrames: 64, maxWait: .zero))
    }

    /// The valid file with its `meter:` line replaced by `meters`.
    func withMeters(_ meters: String) -> String {
        Self.valid.replacingOccurrences(of: "meter: { host: 10.0.0.5, port: 502, poll_interval: 2s }", with: meters)
    }

    @Test("meters: each meter its address, interval and identity; what a meter leaves out comes from identity: or the defaults")
    func severalMeters() throws {
        let configuration = try validate(withMeters("""
            meters:
              - { host: 10.0.0.5, meter_number: "A1", poll_interval: 2s }
              - { host: 10.0.0.6, port: 5020, unit: 3, meter_number: "A2", location: "Feeder 2", meter_ident: "PAC3200 B", map: /etc/map.yaml }
            """))
        #expect(configuration.meters.map(\.name) == ["A1", "A2"])
        #expect(configuration.meters.map(\.address.description) == ["10.0.0.5:502", "10.0.0.6:5020"])
        #expect(configuration.meters.map(\.unit) == [1, 3])
        #expect(configuration.meters.map(\.pollInterval) == [.seconds(2), .seconds(1)])
        #expect(configuration.meters.map(\.registerMap) == [nil, "/etc/map.yaml"])
        #expect(configuration.meters.map(\.identity.meterIdent) == ["SIEMENS SENTRON PAC3200", "PAC3200 B"])
        #expect(configuration.meters.map(\.identity.locationIdent) == ["", "Feeder 2"])
        // A list of one may keep its number under identity:, as a file with meter: does.
        let one = try validate(withMeters("meters: [{ host: 10.0.0.5 }]"))
        #expect(one.meters.map(\.name) == ["12345678"])
    }

    @Test("meters that cannot be told apart, or meter: beside meters:, are refused with the key and the fix", arguments: [
        ("meters: [{ host: a, meter_number: \"1\" }, { host: b }]", "meters[1].meter_number: missing; write"),
        ("meters: [{ host: a, meter_number: \"1\" }, { host: b, meter_number: \"1\" }]", "meters[1].meter_number: \"1\" is also meters[0]'s"),
        ("meters: [{ host: a, meter_number: \"1\" }, { host: a, port: 502, meter_number: \"2\" }]", "meters[1]: polls a:502 unit 1, as meters[0] does"),
        ("meters: []", "meters: empty; list at least one meter"),
        ("meters: [{ host: a, unit: 300, meter_number: \"1\" }, { host: b, meter_number: \"2\" }]", "meters[0].unit: 300 is not a Modbus unit id"),
        ("meters: [{ host: a, meter_number: \"1\", poll_interval: soon }]", "meters[0].poll_interval: \"soon\" is not a duration"),
        ("meter: { host: a }\nmeters: [{ host: b }]", "meters: meter: and meters: are both set"),
    ])
    func unusableMeters(meters: String, message: String) throws {
        #expect {
            try validate(withMeters(meters))
        } throws: { error in
            "\(error)".hasPrefix(message) && !"\(error)".contains("\n")
        }
    }

    @Test("the shipped example is valid")
    func example() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/gateway.yaml").path
        let configuration = try ConfigFile.load(GatewaySettings.self, path: path).validated { text, key in try TimeoutSetting.parse(text, key: key) }
        #expect(configuration.systemTitle.description == "00DB1234567890A0")
        #expect(configuration.requestPolicy.permits(try SystemTitle(hex: "48454144454E4401"), toRead: "1.0.1.8.1.255"))
        #expect(!configuration.requestPolicy.permits(try SystemTitle(hex: "48454144454E4401"), toRead: "1.0.2.8.1.255"))
    }

    @Test("an unusable value names its key and the fix", arguments: [
        ("identity: { system_title: 00DB12 }", "identity.system_title: \"00DB12\" is not a system title"),
        ("upstream: { host: h, head_end_system_title: 48454144454E4401, window: 0 }", "upstream.window: 0 frames"),
        ("upstream: { host: h, head_end_system_title: 48454144454E4401, signed_bytes: c }", "upstream.signed_bytes: \"c\" is not a convention"),
        ("upstream: { host: h, head_end_system_title: 48454144454E4401, ack_timeout: soon }", "upstream.ack_timeout: \"soon\" is not a duration"),
        ("meter: { host: m, unit: 300 }", "meter.unit: 300 is not a Modbus unit id"),
        ("meter: { host: m, port: 0 }", "meter.port: 0 is not a TCP port"),
        ("token: { signing_key: \"pkcs11:token=gateway;object=k?pin-value=1234\", tls_key: \"pkcs11:object=t\" }", "token.signing_key: a PIN must not be in the configuration"),
        ("token: { signing_key: meter-sign, tls_key: \"pkcs11:object=t\" }", "token.signing_key: \"meter-sign\" is not a PKCS#11 URI"),
        ("pki: { directory: \"http://pkid:8080\", renew_at: 0.7 }", "pki.renew_at: \"0.7\" is not a share of the lifetime"),
        ("outbox: { path: /x, limit: 0 }", "outbox.limit: 0 readings"),
        ("requests: { allow: [{ requester: 4845, obis: [\"*\"] }] }", "requests.allow[0].requester: \"4845\" is not a system title"),
        ("requests: { allow: [{ requester: 48454144454E4401, obis: [1.0.1.8] }] }", "requests.allow[0].obis: \"1.0.1.8\" is not an OBIS code"),
        ("requests: { allow: [{ requester: 48454144454E4401 }] }", "requests.allow[0].obis: missing"),
        ("signing: { batch: { max_frames: 1 } }", "signing.batch.max_frames: 1 frames; write 2 to 1024"),
        ("signing: { batch: { max_wait: 30s } }", "signing.batch.max_wait: 30s is longer than 10 s"),
        ("signing: { batch: { max_wait: soon } }", "signing.batch.max_wait: \"soon\" is not a duration"),
    ])
    func unusable(override: String, message: String) throws {
        // The override replaces the valid file's line for the same top-level key, or is added.
        let key = String(override.prefix { $0 != ":" })
        var lines = Self.valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let index = lines.firstIndex(where: { $0.hasPrefix(key + ":") }) {
            var end = index + 1
            while end < lines.count, lines[end].hasPrefix(" ") { end += 1 }
            lines.replaceSubrange(index..<end, with: [override])
        } else {
            lines.append(override)
        }
        #expect {
            try validate(lines.joined(separator: "\n"))
        } throws: { error in
            "\(error)".hasPrefix(message) && !"\(error)".contains("\n")
        }
    }

    @Test("a missing required key says what to write", arguments: ["meter", "identity", "token", "certificates", "pki", "upstream", "outbox"])
    func missing(section: String) throws {
        let yaml = Self.valid.split(separator: "\n").filter { !$0.hasPrefix(section + ":") && !($0.hasPrefix("  ") && section == "token") }
            .joined(separator: "\n")
        #expect {
            try validate(yaml)
        } throws: { error in
            "\(error)".hasPrefix(section + ".") && "\(error)".contains("missing; write")
        }
    }
}
