import ConfigFiles
import DaemonRuntime
import Foundation
import Gateway
import PKCS11
import PKI
import Transport
import X509

/// The signed request round trip, measured in the chain bench's last phase: requests sent one at a time through the
/// head-end's control endpoint to a gatewayd polling once a second. The head-end reports its parts (signing the
/// request, the round trip, verifying the answer); gatewayd logs its own (verifying the request with the directory
/// lookup, reading the meter, signing the answer). The directory lookup itself is measured here, cold (an HTTP GET
/// to pkid) and cached (`DirectoryCache`), for the gateway's own certificate.
struct ChainRequests {
    var headEnd: [String: [Double]] = [:]
    var gateway: [String: [Double]] = [:]
    var lookupCold: [Double] = []
    var lookupCached: Double = 0
    var answered = 0
    var count = 0

    static func measure(gateway process: ChildProcess, control: String, gatewayConfig: String, count: Int) async throws -> ChainRequests {
        defer { process.stop() }
        try process.waitForLine(containing: "gatewayd ", timeout: 30)
        try await Task.sleep(for: .seconds(2))  // connected, a few readings delivered
        let configuration = try ConfigFile.load(GatewaySettings.self, path: gatewayConfig)
            .validated { text, key in try TimeoutSetting.parse(text, key: key, allowZero: true) }
        guard let address = HostAndPort(parsing: control) else { throw CLIError("no control address in \"\(control)\"") }
        let obis = configuration.requestPolicy.allowed.values.first?.first { $0 != "*" } ?? "1.0.1.8.1.255"
        var figures = ChainRequests(count: count)
        let http = HTTPSClient()
        for _ in 0..<count {
            let body = try JSONSerialization.data(withJSONObject: ["gateway": configuration.systemTitle.description, "obis": obis])
            let response = try await http.request(.POST, "/requests", at: address, headers: [("Content-Type", "application/json")], body: Array(body))
            guard let outcome = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { continue }
            if outcome["verified"] as? Bool == true, outcome["number"] != nil { figures.answered += 1 }
            for (key, value) in outcome["times"] as? [String: Double] ?? [:] { figures.headEnd[key, default: []].append(value) }
        }
        await http.shutdown()
        try await Task.sleep(for: .milliseconds(300))
        for line in process.standardErrorLines where line.contains(" answered: ") {
            // "... (verify with lookup 0.41 ms, meter 0.35 ms, sign 0.30 ms)"
            guard let open = line.lastIndex(of: "(") else { continue }
            for part in line[line.index(after: open)...].dropLast().split(separator: ",") {
                let words = part.split(separator: " ")
                guard words.count >= 3, let value = Double(words[words.count - 2]) else { continue }
                figures.gateway[words.dropLast(2).joined(separator: " "), default: []].append(value)
            }
        }

        // The directory lookup, cold and cached, against the same pkid.
        let key = try await TokenKey.open(configuration.signingKey, module: configuration.module)
        let serial = CertificateSerial(try Certificate(derEncoded: try await key.token.certificate(key.uri)).serialNumber)
        let client = try DirectoryClient(url: configuration.directoryURL)
        let clock = ContinuousClock()
        for _ in 0..<20 {
            let started = clock.now
            _ = try await client.certificate(serial: serial)
            figures.lookupCold.append(Self.milliseconds(clock.now - started))
        }
        let cache = DirectoryCache(client: client)
        _ = try await cache.certificate(serial: serial)
        let started = clock.now
        for _ in 0..<1000 { _ = try await cache.certificate(serial: serial) }
        figures.lookupCached = Self.milliseconds(clock.now - started) / 1000
        await client.shutdown()
        return figures
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func p(_ values: [Double], _ share: Double) -> String {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return "-" }
        return String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * share + 0.5))])
    }

    var text: String {
        var lines = ["", "signed requests: \(answered) of \(count) answered and verified (ms)       p50     p99"]
        func row(_ name: String, _ values: [Double]?) {
            lines.append(name.padding(toLength: 56, withPad: " ", startingAt: 0) + " \(Self.p(values ?? [], 0.5).leftPadded(7)) \(Self.p(values ?? [], 0.99).leftPadded(7))")
        }
        row("round trip (head-end sends → verified answer back)", headEnd["round_trip_ms"].map { zip($0, headEnd["verify_ms"] ?? []).map { $0 + $1 } })
        row("  head-end: sign the request", headEnd["sign_ms"])
        row("  gateway: verify the request (with directory lookup)", gateway["verify with lookup"])
        row("  gateway: read the meter", gateway["meter"])
        row("  gateway: sign the answer", gateway["sign"])
        row("  head-end: verify the answer", headEnd["verify_ms"])
        row("directory lookup, cold (HTTP GET to pkid)", lookupCold)
        lines.append("directory lookup, cached".padding(toLength: 56, withPad: " ", startingAt: 0) + String(format: " %7.4f", lookupCached))
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
