import DaemonRuntime
import Logging
import PKI
import Prometheus
import Testing
import Transport

/// The `/metrics` endpoint every daemon serves, on its own registry (the process-wide swift-metrics backend is the
/// executables' to install, once).
@Suite("The /metrics endpoint")
struct MetricsEndpointTests {
    @Test("GET /metrics answers Prometheus text that follows the counters; other paths are 404")
    func scrape() async throws {
        let registry = PrometheusCollectorRegistry()
        let counter = registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "frames_verified_total"), labels: [("result", "valid")])
        let endpoint = try await MetricsEndpoint.listen(at: ListenAddress(host: "127.0.0.1", port: 0), registry: registry,
                                                        logger: Logger(label: "test"))
        let client = HTTPSClient(timeouts: .patient)
        let address = HostAndPort(host: "127.0.0.1", port: endpoint.port)

        let first = try await client.request(.GET, "/metrics", at: address)
        #expect(first.status == .ok)
        #expect(first.headers.first(name: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(String(decoding: first.body, as: UTF8.self).contains("frames_verified_total{result=\"valid\"} 0\n"))

        counter.increment(by: Int64(3))
        let second = String(decoding: try await client.request(.GET, "/metrics", at: address).body, as: UTF8.self)
        #expect(second.contains("# TYPE frames_verified_total counter\nframes_verified_total{result=\"valid\"} 3\n"), "\(second)")

        let other = try await client.request(.GET, "/", at: address)
        #expect(other.status == .notFound)
        #expect(String(decoding: other.body, as: UTF8.self) == "no such endpoint: GET /; metrics are at GET /metrics\n")
        await client.shutdown()
        await endpoint.stop()
    }

    @Test("listen addresses and log levels are parsed, and a bad one names its key")
    func settings() throws {
        #expect(try ListenAddress(parsing: "[::1]:9090", key: "metrics") == ListenAddress(host: "::1", port: 9090))
        #expect(try ListenAddress(parsing: "127.0.0.1:0", key: "metrics").description == "127.0.0.1:0")
        #expect(throws: DaemonSettingError.notAnAddress(key: "metrics", value: "9090")) { try ListenAddress(parsing: "9090", key: "metrics") }
        #expect(try LogLevel.parse("DEBUG") == .debug)
        #expect("\(DaemonSettingError.unknownLogLevel(key: "log_level", value: "loud"))"
            == "log_level \"loud\" is not a log level; use one of trace, debug, info, notice, warning, error, critical")
    }
}
