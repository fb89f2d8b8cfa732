import ConfigFiles
import DaemonRuntime
import Foundation
import Gateway
import PKCS11
import PKI
import Transport
import X509

/// The signed request round trip, measured in the chain bench's last phase: requests sent one at a time through the
/// head-end's control socket to a gatewayd polling once a second. The head-end's answer reports its parts (signing
/// the request, the round trip, verifying the answer); gatewayd's stage-times file its own (verifying the request
/// with the directory lookup, reading the meter, signing the answer). The directory lookup itself is measured here,
/// cold (an HTTP GET to pkid) and cached (`DirectoryCache`), for the gateway's own certificate.
public struct ChainRequests: Sendable {
    /// The head-end's parts by the names its answer gives them (`sign_ms`, `round_trip_ms`, `verify_ms`).
    public var headEnd: [String: LatencySummary] = [:]
    /// gatewayd's parts by stage name (`verify`, `meter`, `sign`).
    public var gateway: [String: LatencySummary] = [:]
    /// From the head-end sending the request to the answer verified: its round trip and its verification.
    public var roundTrip = LatencySummary()
    public var lookupCold = LatencySummary()
    public var lookupCached = LatencySummary()
    public var answered = 0
    public var count = 0

    /// Between two requests: the control socket admits 5 a second per user by default (`control.rate_limit`), and
    /// what is measured is each request's latency, not how many fit in a second.
    static let spacing = Duration.milliseconds(250)

    /// Sends `count` requests through the control socket at `control` to the gatewayd whose stage times go to
    /// `stageTimes`, then measures the directory lookup.
    static func measure(control: String, stageTimes: String, gatewayConfig: String, count: Int) async throws -> ChainRequests {
        let configuration = try ConfigFile.load(GatewaySettings.self, path: gatewayConfig)
            .validated { text, key in try TimeoutSetting.parse(text, key: key, allowZero: true) }
        let obis = configuration.requestPolicy.allowed.values.first?.first { $0 != "*" } ?? "1.0.1.8.1.255"
        let client = HTTPSClient(timeouts: .init(connect: .seconds(2), read: .seconds(60)))
        var figures = ChainRequests(count: count)
        for _ in 0..<count {
            try await Task.sleep(for: spacing)
            let body = try JSONSerialization.data(withJSONObject: ["gateway": configuration.systemTitle.description, "obis": obis])
            let response = try await client.request(.POST, "/requests", atSocket: control, headers: [("Content-Type", "application/json")], body: Array(body))
            let text = String(decoding: response.body.prefix(300), as: UTF8.self)
            guard response.status.code == 200 else { throw BenchError("the head-end refused a request (\(response.status.code)): \(text)") }
            guard let outcome = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
                throw BenchError("the head-end answered a request with JSON that is not an object: \(text)")
            }
            if outcome["verified"] as? Bool == true, outcome["number"] != nil { figures.answered += 1 }
            let times = outcome["times"] as? [String: Double] ?? [:]
            for (key, value) in times { figures.headEnd[key, default: LatencySummary()].record(.milliseconds(value)) }
            if let sent = times["round_trip_ms"], let verified = times["verify_ms"] { figures.roundTrip.record(.milliseconds(sent + verified)) }
        }
        await client.shutdown()
        // gatewayd writes a request's record before it sends the answer, so every answered one is in the file now.
        for record in try StageTimesLines.records(at: stageTimes) where record.kind == .request {
            for (stage, nanoseconds) in record.nanoseconds { figures.gateway[stage, default: LatencySummary()].record(.nanoseconds(nanoseconds)) }
        }
        try await figures.measureLookups(configuration)
        return figures
    }

    /// The directory lookup of the gateway's own certificate, cold and cached, against the same pkid.
    private mutating func measureLookups(_ configuration: GatewayConfiguration) async throws {
        let key = try await TokenKey.open(configuration.signingKey, module: configuration.module)
        let serial = CertificateSerial(try Certificate(derEncoded: try await key.token.certificate(key.uri)).serialNumber)
        let client = try DirectoryClient(url: configuration.directoryURL)
        let clock = ContinuousClock()
        for _ in 0..<20 {
            let started = clock.now
            _ = try await client.certificate(serial: serial)
            lookupCold.record(clock.now - started)
        }
        let cache = DirectoryCache(client: client)
        _ = try await cache.certificate(serial: serial)
        let started = clock.now
        for _ in 0..<1000 { _ = try await cache.certificate(serial: serial) }
        lookupCached.record((clock.now - started) / 1000, count: 1000)
        await client.shutdown()
    }
}

extension ChainRequests: CustomStringConvertible {
    public var description: String {
        var lines = ["", "signed requests: \(answered) of \(count) answered and verified (ms)       p50     p99"]
        func row(_ name: String, _ values: LatencySummary?) {
            let cells = [0.5, 0.99].map { format(values?.milliseconds(at: $0) ?? .nan, 2).leftPadded(7) }
            lines.append(name.padding(toLength: 56, withPad: " ", startingAt: 0) + " " + cells.joined(separator: " "))
        }
        row("round trip (head-end sends → verified answer back)", roundTrip)
        row("  head-end: sign the request", headEnd["sign_ms"])
        row("  gateway: verify the request (with directory lookup)", gateway["verify"])
        row("  gateway: read the meter", gateway["meter"])
        row("  gateway: sign the answer", gateway["sign"])
        row("  head-end: verify the answer", headEnd["verify_ms"])
        row("directory lookup, cold (HTTP GET to pkid)", lookupCold)
        lines.append("directory lookup, cached".padding(toLength: 56, withPad: " ", startingAt: 0) + " " + format(lookupCached.milliseconds(at: 0.5), 4).leftPadded(7))
        return lines.joined(separator: "\n")
    }
}
