import COSEM
import Foundation
import HeadEnd
import Metering
import PKI
import PKIService
import PKIStore
import SwiftASN1
import TestSupport
import Testing
import Transport
import X509

/// The `headend` executable as users run it: its help, its one-line configuration errors, the query commands
/// against a store the head-end wrote, evidence that `gatewayctl verify` accepts, and the daemon on SoftHSM keys.
@Suite("headend: the executable")
struct HeadEndCommandTests {
    static var headendPath: String { productsDirectory.appendingPathComponent("headend").path }

    @Test("--help names the subcommands and exits 0; --version prints the product version")
    func help() async throws {
        let help = try await run(Self.headendPath, ["--help"])
        #expect(help.status == 0)
        for name in ["serve (default)", "readings", "summary", "export"] {
            #expect(help.output.contains(name), "\(help.output)")
        }
        let version = try await run(Self.headendPath, ["--version"])
        #expect(version.status == 0 && version.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    static let goodConfig = """
        listen: 127.0.0.1:0
        system_title: 48454144454E4401
        signing_key: "pkcs11:token=headend;object=ack"
        tls_key: "pkcs11:token=headend;object=tls"
        trust_anchors: /nonexistent/ca.pem
        pki_url: http://127.0.0.1:1
        store: /nonexistent/readings.sqlite
        """

    @Test("a bad value gives one line naming its key, and exit 1", arguments: [
        ("system_title: 0102", "system_title"),
        ("listen: nowhere", "listen"),
        ("signed_bytes: c", "signed_bytes"),
        ("idle_timeout: soon", "idle_timeout"),
        ("max_connections: 0", "max_connections"),
        ("pki_url: ftp://pkid", "pki_url"),
        ("signing_key: \"pkcs11:token=headend;object=ack;pin-value=1234\"", "signing_key"),
        ("control: { mode: \"0666\" }", "control.mode 0666 lets every user on this host command gateways"),
        ("control: { group: no-such-group-17 }", "control.group no-such-group-17 is not a group"),
        ("control: { rate_limit: 0 }", "control.rate_limit"),
        ("control: { listen: 10.0.0.1:4060 }", "control.listen 10.0.0.1:4060 must be a loopback address"),
    ])
    func badValue(_ line: String, _ key: String) async throws {
        let scratch = try ScratchDirectory("headend-config")
        let key0 = line.split(separator: ":")[0]
        let lines = Self.goodConfig.split(separator: "\n").filter { !$0.hasPrefix(key0 + ":") } + [Substring(line)]
        let path = scratch.path("headend.yaml")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await run(Self.headendPath, ["--config", path])
        #expect(result.status == 1)
        let errorLines = result.stderr.split(separator: "\n")
        #expect(errorLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("headend: \(key)"), "\(result.stderr)")
        #expect(!result.stderr.contains("1234"), "a PIN is never printed")
    }

    @Test("a misspelled key is one line naming it, its line and the nearest known key, and exit 1", arguments: [
        ("idle_timout: 5m", "idle_timout", "idle_timeout"),
        ("trust_anchor: /etc/headend/ca.pem", "trust_anchor", "trust_anchors"),
    ])
    func misspelledKey(_ line: String, _ key: String, _ nearest: String) async throws {
        let scratch = try ScratchDirectory("headend-config")
        let path = scratch.path("headend.yaml")
        try (Self.goodConfig + "\n" + line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await run(Self.headendPath, ["--config", path])
        #expect(result.status == 1)
        #expect(result.stderr == "headend: \(path) is not a usable headend configuration: unknown key `\(key)` (line 8); did you mean `\(nearest)`?\n",
                "\(result.stderr)")
    }

    @Test("the former control: host:port is refused with the way to write it now")
    func formerControlAddress() async throws {
        let scratch = try ScratchDirectory("headend-config")
        let path = scratch.path("headend.yaml")
        try (Self.goodConfig + "\ncontrol: 127.0.0.1:4060\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await run(Self.headendPath, ["--config", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("headend: \(path) is not a usable headend configuration: control: \"127.0.0.1:4060\" is a TCP address, but control is a section now: socket: PATH"),
                "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("the shipped Config/headend.yaml has only known keys")
    func shippedExample() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/headend.yaml").path
        // A listen address that cannot be used stops the daemon right after the file is read, and names that option.
        let result = try await run(Self.headendPath, ["--config", example, "--listen", "nowhere"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("headend: listen \"nowhere\""), "\(result.stderr)")
    }

    @Test("trust anchors: a leaf certificate is refused and a truncated PEM is one short line, each naming the setting and the file, in headend, gatewayd and gatewayctl verify")
    func trustAnchorFiles() async throws {
        let fixture = try await HeadEndFixture("headend-anchors")
        let scratch = try ScratchDirectory("headend-anchors")
        let leaf = try await fixture.gateway("00DB1234567890E0").tlsCertificate
        let leafPath = scratch.path("leaf.pem")
        try leaf.serializeAsPEM().pemString.write(toFile: leafPath, atomically: true, encoding: .utf8)
        let caPEM = try fixture.authority.certificate.serializeAsPEM().pemString
        let cutPath = scratch.path("cut.pem")
        try String(caPEM.prefix(caPEM.count / 2)).write(toFile: cutPath, atomically: true, encoding: .utf8)
        let cases = [
            (leafPath, "trust_anchors \(leafPath) holds CN=00DB1234567890E0, which is not a CA"),
            (cutPath, "trust_anchors \(cutPath) holds no usable certificate: a PEM block is cut off"),
        ]
        for (file, expected) in cases {
            let config = scratch.path("headend-\(file.hasSuffix("leaf.pem") ? "leaf" : "cut").yaml")
            let lines = Self.goodConfig.split(separator: "\n").filter { !$0.hasPrefix("trust_anchors:") } + ["trust_anchors: \(file)"]
            try lines.joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
            let result = try await run(Self.headendPath, ["--config", config])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("headend: " + expected), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.count < 300, "\(result.stderr)")
            #expect(!caPEM.split(separator: "\n").dropFirst().contains { result.stderr.contains($0.prefix(16)) }, "no part of the PEM")

            let verify = try await run(gatewayctlPath, ["verify", "--evidence", scratch.path("none.der"), "--ca", file])
            #expect(verify.status != 0)
            #expect(verify.stderr.hasPrefix("gatewayctl: " + expected.replacingOccurrences(of: "trust_anchors", with: "--ca")), "\(verify.stderr)")
            #expect(verify.stderr.split(separator: "\n").count == 1, "\(verify.stderr)")

            // gatewayd reads its anchors before it opens the token, so nothing else is needed to see the refusal.
            let gatewayConfig = scratch.path("gateway.yaml")
            try """
                meter: { host: 127.0.0.1, port: 1 }
                identity: { system_title: 00DB1234567890E1, meter_number: "1" }
                token: { signing_key: "pkcs11:token=gateway;object=s", tls_key: "pkcs11:token=gateway;object=t" }
                certificates: { trust_anchors: \(file) }
                pki: { directory: "http://127.0.0.1:1" }
                upstream: { host: 127.0.0.1, head_end_system_title: 48454144454E4401 }
                outbox: { path: \(scratch.path("outbox.sqlite")) }
                """.write(toFile: gatewayConfig, atomically: true, encoding: .utf8)
            let gatewayd = try await run(productsDirectory.appendingPathComponent("gatewayd").path, ["--config", gatewayConfig])
            #expect(gatewayd.status == 1)
            #expect(gatewayd.stderr.hasPrefix("gatewayd: certificates." + expected), "\(gatewayd.stderr)")
            #expect(gatewayd.stderr.split(separator: "\n").count == 1, "\(gatewayd.stderr)")
        }
    }

    @Test("readings, summary and export read the store the head-end wrote; the evidence verifies with gatewayctl")
    func queries() async throws {
        let fixture = try await HeadEndFixture("headend-queries")
        let gateway = try await fixture.gateway("00DB1234567890C0")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        for id: UInt64 in [1, 2, 4] { _ = try await processor.process(try await gateway.frame(id), from: gateway.title) }
        var tampered = try await gateway.frame(5)
        tampered[tampered.count - 1] ^= 0x01
        _ = try await processor.process(tampered, from: gateway.title)
        try store.close()

        let readings = try await run(Self.headendPath, ["readings", "--store", fixture.storePath])
        #expect(readings.status == 0, "\(readings.stderr)")
        let lines = readings.output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("00DB1234567890C0 #1 meter 12345678 2026-11-25T12:00:00.250Z verified: ") == true, "\(readings.output)")

        let json = try await run(Self.headendPath, ["readings", "--store", fixture.storePath, "--gateway", "00db1234567890c0", "--json"])
        let array = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
        #expect(array.map { $0["transaction_id"] as? Int } == [1, 2, 4])
        #expect(array.map { $0["meter"] as? String } == ["12345678", "12345678", "12345678"])
        #expect((array.first?["values"] as? [[String: Any]])?.count == 3)
        let none = try await run(Self.headendPath, ["readings", "--store", fixture.storePath, "--since", "2030-01-01T00:00:00Z"])
        #expect(none.status == 0 && none.output.isEmpty)

        let summary = try await run(Self.headendPath, ["summary", "--store", fixture.storePath])
        #expect(summary.output == """
            00DB1234567890C0 readings 3 highest #4 missing 1 refusals 1 conflicts 0
            total: 3 readings verified, 1 rejected, 1 lost (1 gateway)

            """, "\(summary.output)")
        let summaryJSON = try await run(Self.headendPath, ["summary", "--store", fixture.storePath, "--json"])
        let totals = try #require(try JSONSerialization.jsonObject(with: summaryJSON.stdout) as? [String: Any])
        #expect((totals["total"] as? [String: Any])?["readings"] as? Int == 3)

        let evidence = fixture.scratch.path("reading-2.der")
        let export = try await run(Self.headendPath, ["export", "--store", fixture.storePath, "--gateway", "00DB1234567890C0",
                                                "--transaction-id", "2", "--out", evidence])
        #expect(export.status == 0, "\(export.stderr)")
        let ca = fixture.scratch.path("ca.pem")
        try fixture.authority.certificate.serializeAsPEM().pemString.write(toFile: ca, atomically: true, encoding: .utf8)
        let verify = try await run(gatewayctlPath, ["verify", "--evidence", evidence, "--ca", ca, "--crl", fixture.authority.directory.crlPath])
        #expect(verify.status == 0, "\(verify.output) \(verify.stderr)")

        let missing = try await run(Self.headendPath, ["export", "--store", fixture.storePath, "--gateway", "00DB1234567890C0",
                                                 "--transaction-id", "3", "--out", evidence])
        #expect(missing.status == 1 && missing.stderr.contains("no reading #3"))
    }
}
