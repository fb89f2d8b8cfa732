import Foundation
import Testing
import TestSupport

/// The whole chain as a user runs it, each part a real process on 127.0.0.1: pkid (CA key on the `ca` token), the
/// simulated PAC3200, `headend` (keys on the `headend` token) and `gatewayd` (keys on the `gateway` token), every key
/// enrolled through the RA with a one-time secret, as `make demo` does. The head-end listens on a port chosen once,
/// so it can be killed and restarted where the gateway expects it; `proxy` can be put between them.
final class ChainFixture: @unchecked Sendable {
    static let gatewayTitle = "00DB1234567890A0"
    static let headEndTitle = "48454144454E4401"

    let pki: PKIDFixture
    let gatewayPIN: String
    let headEndPIN: String
    let gatewayPINFile: String
    let headEndPINFile: String
    /// The simulated PAC3200s, one per meter of the gateway, each on its own port (`meter simulate --meters`).
    let simulator: BackgroundProcess
    let meterPorts: [Int]
    var meterPort: Int { meterPorts[0] }
    /// The meters' numbers in gateway.yaml: "12345678" for a gateway of one meter (under `meter:` and `identity:`, as
    /// before several meters), "M1", "M2", ... under `meters:` otherwise.
    var meterNumbers: [String] { meterPorts.count == 1 ? ["12345678"] : meterPorts.indices.map { "M\($0 + 1)" } }
    let headEndPort: Int
    private(set) var headEnd: BackgroundProcess?
    private(set) var gateway: BackgroundProcess?
    private(set) var proxy: TCPProxy?
    /// The virtual PIV card holding the gateway's keys, when the chain runs with one.
    let card: VirtualCardFixture?

    var hsm: SoftHSMFixture { pki.hsm }
    /// What gatewayd and gatewayctl status need: SoftHSM's configuration, and the test's pcscd with a card.
    var gatewayEnvironment: [String: String] { hsm.environment.merging(card?.pcscd.environment ?? [:]) { $1 } }
    var outboxPath: String { hsm.path("gateway/outbox.sqlite") }
    var storePath: String { hsm.path("headend/readings.sqlite") }
    var gatewayConfig: String { hsm.path("gateway.yaml") }
    var headEndConfig: String { hsm.path("headend.yaml") }

    /// - Parameters:
    ///   - proxied: the gateway reaches the head-end through a `TCPProxy`.
    ///   - gatewaySettings: extra YAML lines appended to gateway.yaml (top-level keys).
    ///   - meters: how many meters the gateway polls, each a simulator of its own.
    /// - Parameter headEndKeyType: the head-end's signing key (acknowledgements and requests), as `token keygen --type` takes it.
    /// - Parameter card: the gateway's two keys on a virtual PIV card in this pcscd's first reader (through OpenSC)
    ///   instead of the SoftHSM token `gateway`; gateway.yaml then names the reader, and the certificates are files.
    init(proxied: Bool = false, pollInterval: String = "200ms", outboxLimit: Int = 100_000, ackTimeout: String = "3s",
         headEndKeyType: String = "ec-p256", card pcscd: PCSCDaemon? = nil, meters: Int = 1, gatewaySettings: String = "") async throws {
        let pki = try await PKIDFixture()
        let hsm = pki.hsm
        self.pki = pki
        headEndPIN = try await hsm.createToken("headend")
        headEndPINFile = try hsm.pinFile(headEndPIN)
        if let pcscd {
            gatewayPIN = VirtualCardFixture.defaultPIN
            gatewayPINFile = try hsm.pinFile(gatewayPIN)
            card = try await VirtualCardFixture(pcscd: pcscd, state: hsm.path("card"), hsm: hsm)
        } else {
            gatewayPIN = try await hsm.createToken("gateway")
            gatewayPINFile = try hsm.pinFile(gatewayPIN)
            card = nil
        }
        var keys = [("headend", headEndPIN, Self.headEndTitle, "headend-sign", "sign", headEndKeyType), ("headend", headEndPIN, Self.headEndTitle, "headend-tls", "tls", "ec-p256")]
        if card == nil {
            keys += [("gateway", gatewayPIN, Self.gatewayTitle, "meter-sign", "sign", "ec-p256"), ("gateway", gatewayPIN, Self.gatewayTitle, "gateway-tls", "tls", "ec-p256")]
        }
        for (token, pin, title, key, profile, type) in keys {
            try await Self.enroll(pki, token: token, pin: pin, title: title, key: key, profile: profile, type: type)
        }
        if let card {
            for (uri, profile, file) in [(card.signingKey, "sign", card.signingCertificate), (card.tlsKey, "tls", card.tlsCertificate)] {
                try await card.enroll(pki, uri: uri + "?pin-source=file:\(gatewayPINFile)", title: Self.gatewayTitle, profile: profile, out: file)
            }
        }
        simulator = try await BackgroundProcess(gatewayctlPath, ["meter", "simulate", "--listen", "127.0.0.1:0", "--meters", "\(meters)"])
        meterPorts = try await simulator.waitForPorts(count: meters, timeout: .seconds(20))
        headEndPort = try LoopbackPort.free()
        proxy = proxied ? try TCPProxy(targetPort: headEndPort) : nil
        writeHeadEndConfig()
        writeGatewayConfig(pollInterval: pollInterval, outboxLimit: outboxLimit, ackTimeout: ackTimeout, extra: gatewaySettings)
    }

    /// The daemons, the simulator and the card a test did not stop die with it: a released `BackgroundProcess`
    /// kills its process.
    deinit {
        proxy?.stop()
    }

    static func enroll(_ pki: PKIDFixture, token: String, pin: String, title: String, key: String, profile: String, type: String = "ec-p256") async throws {
        let hsm = pki.hsm
        let uri = "pkcs11:token=\(token);object=\(key)"
        let made = try await hsm.gatewayctl(["token", "keygen", uri, "--type", type], pin: pin)
        guard made.status == 0 else { throw TestSetupError("keygen \(uri): \(made.stderr)") }
        let secret = try await pki.register(title, profile: profile)
        let enrolled = try await hsm.gatewayctl(["enroll", "--url", pki.url, "--ca", pki.pki + "/ca.pem", "--secret-env", "CHAIN_SECRET",
                                           "--key", uri, "--system-title", title, "--profile", profile],
                                          pin: pin, extra: ["CHAIN_SECRET": secret])
        guard enrolled.status == 0 else { throw TestSetupError("enroll \(uri): \(enrolled.stderr)") }
    }

    private func writeHeadEndConfig() {
        _ = headEndConfig(signingKey: "headend-sign", name: "headend.yaml")
    }

    /// A head-end configuration signing its acknowledgements with `signingKey` (a key on the headend token).
    func headEndConfig(signingKey: String, signingCertificate: String? = nil, name: String = "headend-\(UUID().uuidString.prefix(6)).yaml") -> String {
        let certificateLine = signingCertificate.map { "signing_certificate: \($0)\n" } ?? ""
        return hsm.file(name, Data((certificateLine + """
            listen: 127.0.0.1:\(headEndPort)
            system_title: \(Self.headEndTitle)
            signing_key: "pkcs11:token=headend;object=\(signingKey)?pin-source=file:\(headEndPINFile)"
            tls_key: "pkcs11:token=headend;object=headend-tls?pin-source=file:\(headEndPINFile)"
            trust_anchors: \(pki.pki)/ca.pem
            pki_url: \(pki.plainURL)
            directory_ttl: 5m
            crl_refresh: 2s
            store: \(storePath)
            log_level: info

            """).utf8))
    }

    /// gateway.yaml's token and certificates sections: the SoftHSM token, or the card in its reader.
    private var tokenSection: String {
        guard let card else {
            return """
                token:
                  signing_key: "pkcs11:token=gateway;object=meter-sign?pin-source=file:\(gatewayPINFile)"
                  tls_key: "pkcs11:token=gateway;object=gateway-tls?pin-source=file:\(gatewayPINFile)"
                certificates:
                """
        }
        return """
            token:
              module: \(VirtualCardFixture.openSC)
              signing_key: "\(card.signingKey)?pin-source=file:\(gatewayPINFile)"
              tls_key: "\(card.tlsKey)?pin-source=file:\(gatewayPINFile)"
              reader: "\(PCSCDaemon.firstReader)"
            certificates:
              signing: \(card.signingCertificate)
              tls: \(card.tlsCertificate)
            """
    }

    func writeGatewayConfig(pollInterval: String, outboxLimit: Int, ackTimeout: String, extra: String = "") {
        let meterSection = meterPorts.count == 1 ? """
            meter:
              host: 127.0.0.1
              port: \(meterPort)
              poll_interval: \(pollInterval)
            identity:
              system_title: \(Self.gatewayTitle)
              meter_number: "12345678"
              location: Chain test
            """ : """
            meters:
            \(zip(meterNumbers, meterPorts).map { "  - { host: 127.0.0.1, port: \($1), poll_interval: \(pollInterval), meter_number: \"\($0)\" }" }.joined(separator: "\n"))
            identity:
              system_title: \(Self.gatewayTitle)
              location: Chain test
            """
        _ = hsm.file("gateway.yaml", Data("""
            \(meterSection)
            \(tokenSection)
              trust_anchors: \(pki.pki)/ca.pem
            pki:
              directory: \(pki.plainURL)
              crl_refresh: 2s
            upstream:
              host: 127.0.0.1
              port: \(proxy?.port ?? headEndPort)
              head_end_system_title: \(Self.headEndTitle)
              ack_timeout: \(ackTimeout)
              connect_timeout: 2s
              handshake_timeout: 3s
            outbox:
              path: \(outboxPath)
              limit: \(outboxLimit)
            log_level: info
            summary_interval: 5s
            requests:
              allow:
                - { requester: \(Self.headEndTitle), obis: [1.0.1.8.1.255] }
            \(extra)

            """.utf8))
    }

    // MARK: Processes

    @discardableResult
    func startHeadEnd(config: String? = nil) async throws -> BackgroundProcess {
        await headEnd?.stop(signal: SIGKILL)
        let process = try await BackgroundProcess(headendPath, ["--config", config ?? headEndConfig], environment: hsm.environment)
        _ = try await process.waitForLine(containing: "listening on", timeout: 30)
        headEnd = process
        return process
    }

    func stopHeadEnd(signal: Int32 = SIGTERM) async {
        await headEnd?.stop(signal: signal)
        headEnd = nil
    }

    @discardableResult
    func startGateway(extraArguments: [String] = []) async throws -> BackgroundProcess {
        await gateway?.stop(signal: SIGKILL)
        let process = try await BackgroundProcess(gatewaydPath, ["--config", gatewayConfig] + extraArguments, environment: gatewayEnvironment)
        _ = try await process.waitForLine(containing: "gatewayd \(Self.gatewayTitle)", timeout: 30)
        gateway = process
        return process
    }

    func stopGateway(signal: Int32 = SIGTERM) async -> Int32? {
        defer { gateway = nil }
        return await gateway?.stop(signal: signal)
    }

    // MARK: What a user sees

    /// `headend summary --json`'s readings for the gateway: (stored, highest id).
    func headEndReadings() async throws -> [UInt64] {
        let listed = try await run(headendPath, ["readings", "--store", storePath, "--gateway", Self.gatewayTitle, "--json"], environment: hsm.environment)
        guard listed.status == 0, let array = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]] else {
            throw TestSetupError("headend readings failed (\(listed.status)): \(listed.stderr)")
        }
        return array.compactMap { ($0["transaction_id"] as? NSNumber)?.uint64Value }
    }

    /// The head-end's readings of this gateway in transaction order: id, the meter its record names, and when it was
    /// measured (ISO 8601, to the hundredth).
    func headEndReadingsWithMeters() async throws -> [(id: UInt64, meter: String, measuredAt: String)] {
        let listed = try await run(headendPath, ["readings", "--store", storePath, "--gateway", Self.gatewayTitle, "--json"], environment: hsm.environment)
        guard listed.status == 0, let array = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]] else {
            throw TestSetupError("headend readings failed (\(listed.status)): \(listed.stderr)")
        }
        return array.compactMap { reading in
            guard let id = (reading["transaction_id"] as? NSNumber)?.uint64Value else { return nil }
            return (id, reading["meter"] as? String ?? "", reading["measured_at"] as? String ?? "")
        }.sorted { $0.id < $1.id }
    }

    /// `gatewayctl status --json`, item by item.
    func status() async throws -> [String: (ok: Bool, detail: String)] {
        let result = try await run(gatewayctlPath, ["status", "--config", gatewayConfig, "--json"], environment: gatewayEnvironment)
        guard let lines = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] else {
            throw TestSetupError("gatewayctl status printed no JSON (\(result.status)): \(result.stderr)")
        }
        var items: [String: (Bool, String)] = [:]
        for line in lines { items[line["item"] as? String ?? ""] = (line["ok"] as? Bool ?? false, line["detail"] as? String ?? "") }
        return items
    }

    /// The ids the gateway took, from its status file (written every second).
    func lastTaken() throws -> UInt64 {
        let data = try Data(contentsOf: URL(fileURLWithPath: hsm.path("gateway/status.json")))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (object?["lastTaken"] as? NSNumber)?.uint64Value ?? 0
    }

    /// Waits up to `seconds` for `condition`.
    func eventually(_ seconds: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        if try await condition() { return }
        throw TestSetupError("\(what) did not happen within \(seconds) s; gatewayd stderr: \(Self.telling(gateway?.stderr)); headend stderr: \(Self.telling(headEnd?.stderr))")
    }

    /// A daemon's log without its periodic summaries, which would crowd out the lines that tell what happened.
    static func telling(_ log: String?) -> String {
        guard let log else { return "-" }
        return String(log.split(separator: "\n").filter { !$0.contains("] last ") }.joined(separator: "\n").suffix(4000))
    }

    /// `headend request` against the running head-end's control endpoint: exit status and the JSON it printed.
    func request(obis: String) async throws -> (status: Int32, outcome: [String: Any]) {
        let result = try await run(headendPath, ["request", "--socket", try controlSocket(), "--gateway", Self.gatewayTitle, "--obis", obis, "--json"],
                             environment: hsm.environment)
        let outcome = (try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]) ?? ["stderr": result.stderr]
        return (result.status, outcome)
    }

    /// The running head-end's control socket, as it announced it.
    func controlSocket() async throws -> String {
        guard let headEnd else { return "" }
        let line = try await headEnd.waitForLine(containing: "headend control at unix:")
        return line.components(separatedBy: "headend control at unix:").last ?? ""
    }

    /// Waits until the head-end holds every id the gateway took up to now, and checks each is there once.
    func expectEverythingDelivered(within seconds: Double = 60) async throws {
        // The status file is written once a second: wait for one that counts a reading.
        try await eventually(10, "the gateway's status file counting readings taken") { try lastTaken() > 0 }
        let taken = try lastTaken()
        try await eventually(seconds, "every reading up to \(taken) stored at the head-end") {
            Set(try await headEndReadings()).isSuperset(of: 1...taken)
        }
        let held = try await headEndReadings()
        #expect(held.count == Set(held).count, "a reading stored twice: \(held)")
    }

    /// A field of the status file gatewayd writes (`token`, `cardPresent`, `tokenReason`, ...).
    func statusField(_ name: String) throws -> Any? {
        let data = try Data(contentsOf: URL(fileURLWithPath: hsm.path("gateway/status.json")))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?[name]
    }

    /// The gateway's deliveries so far, by its stdout lines.
    var deliveredLines: [String] { gateway?.stdoutLines.filter { $0.hasPrefix("delivered #") } ?? [] }
}
