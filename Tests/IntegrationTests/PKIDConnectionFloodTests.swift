import Foundation
import Testing
import TestSupport

/// The denial of service the security review found: pkid kept every connection that said nothing, ran out of
/// descriptors near 20,000 of them, then answered no one on either listener and kept the memory. Here a real pkid
/// under a descriptor limit of 1,024, as a service manager may set it, meets 2,000 such connections.
@Suite("pkid under a flood of idle connections", .serialized)
struct PKIDConnectionFloodTests {
    /// Connections per flood: more than pkid's descriptor limit below, as many as this process may open.
    static func floodSize() throws -> Int {
        let available = Loopback.raiseDescriptorLimit()
        // Leave this process room for its own files, pipes and the other tests running beside this one.
        let count = min(2_000, available - 500)
        try #require(count >= 1_500, "this test process may open only \(available) descriptors (ulimit -n)")
        return count
    }

    /// pkid under `prlimit --nofile=1024`, with a connection limit that fits below it for its three listeners.
    static let descriptorLimit = 1_024
    /// What pkid may keep after the floods (KiB). The defect this guards kept 385 MB; on
    /// Hummingbird pkid was seen keeping 7 to 10 MiB after three floods, most likely the allocator arenas of the event-loop
    /// threads, which malloc_trim does not give back.
    static let keptAfterFlood = 16 * 1024
    static let maxConnections = 300

    /// `GET url` by curl trusting pkid's CA: the status and curl's own measure of the time it took.
    func timedGet(_ pkid: PKIDProcess, _ url: String) async throws -> (code: Int, seconds: Double) {
        let result = try await run("curl", ["-s", "-o", "/dev/null", "--max-time", "5", "-w", "%{http_code} %{time_total}",
                                      "--cacert", pkid.pki + "/ca.pem", url])
        let fields = result.output.split(separator: " ")
        return (Int(fields.first ?? "") ?? 0, Double(fields.last ?? "") ?? 99)
    }

    @Test("2,000 idle connections: GET /ca answers within a second on both listeners, every idle one sees EOF after the 2 s idle timeout, pkid never runs out of descriptors")
    func idleFlood() async throws {
        let count = try Self.floodSize()
        let pkid = try await PKIDProcess(extra: ["--idle-timeout", "2s", "--max-connections", "\(Self.maxConnections)"],
                                   descriptorLimit: Self.descriptorLimit)
        let pid = pkid.process.processIdentifier
        let baseline = Loopback.descriptors(of: pid)
        let start = Date()
        func getCA() async throws -> (https: (code: Int, seconds: Double), http: (code: Int, seconds: Double)) {
            (try await timedGet(pkid, "\(pkid.httpsURL)/ca"), try await timedGet(pkid, "\(pkid.httpURL)/ca"))
        }

        // More connections than pkid has descriptors, then a client that asks; then the rest, and ask again.
        let first = try ConnectionFlood(ports: [pkid.httpsPort, pkid.httpPort], count: Self.descriptorLimit + 100)
        let heldFirst = Loopback.settledDescriptors(of: pid)
        let duringFirst = try await getCA()
        let second = try ConnectionFlood(ports: [pkid.httpsPort, pkid.httpPort], count: count - Self.descriptorLimit - 100)
        let opened = Date().timeIntervalSince(start)
        let held = Loopback.settledDescriptors(of: pid)
        let during = try await getCA()
        let asked = Date().timeIntervalSince(start)
        #expect(first.sockets.count + second.sockets.count == count, "only \(first.sockets.count) + \(second.sockets.count) of \(count) connected")
        for (name, answer) in [("https", duringFirst.https), ("http", duringFirst.http), ("https", during.https), ("http", during.http)] {
            #expect(answer.code == 200 && answer.seconds < 1, "\(name) GET /ca during the flood: \(answer.code) in \(answer.seconds) s")
        }
        #expect(max(heldFirst, held) < Self.descriptorLimit - 32, "pkid held \(heldFirst), then \(held) descriptors (\(baseline) before the flood)")

        // Every idle connection is closed: the oldest to make room, the rest at the idle timeout.
        let closed = first.waitForClose(timeout: 10) + second.waitForClose(timeout: 10)
        let after = Date().timeIntervalSince(start)
        #expect(closed == first.sockets.count + second.sockets.count, "\(closed) of \(count) idle connections closed after \(after) s")
        #expect(!pkid.process.stderr.contains("Too many open files"), "\(pkid.process.stderr.suffix(2_000))")
        #expect(try await timedGet(pkid, "\(pkid.httpsURL)/ca").code == 200)
        // What an operator sees: the drops by reason, and one warning per listener that filled up.
        let metrics = try await pkid.scrape()
        let dropped = ["limit", "idle_timeout"].flatMap { reason in
            ["https", "http"].map { PKIDProcess.sample(metrics, "http_connections_dropped_total", ["listener": $0, "reason": reason]) }
        }
        #expect(dropped.allSatisfy { $0 > 0 } && Int(dropped.reduce(0, +)) == closed, "\(dropped), \(closed) closed")
        #expect(pkid.process.stderr.contains("\(Self.maxConnections) connections open, the listener's limit"), "\(pkid.process.stderr.suffix(2_000))")
        print("idle flood: \(count) connections opened in \(String(format: "%.2f", opened)) s; pkid held \(heldFirst) and \(held) "
              + "descriptors (\(baseline) before); GET /ca took \(duringFirst.https.seconds) and \(during.https.seconds) s (https), "
              + "\(duringFirst.http.seconds) and \(during.http.seconds) s (http), the last at \(String(format: "%.2f", asked)) s; "
              + "\(closed) closed by \(String(format: "%.2f", after)) s")
    }

    @Test("memory comes back after three floods of 2,000 connections, half of them sending 8 KB of an unfinished request head")
    func memoryAfterFlood() async throws {
        let count = try Self.floodSize()
        let pkid = try await PKIDProcess(extra: ["--idle-timeout", "2s", "--max-connections", "\(Self.maxConnections)"],
                                   descriptorLimit: Self.descriptorLimit)
        let pid = pkid.process.processIdentifier
        #expect(try await timedGet(pkid, "\(pkid.httpsURL)/ca").code == 200)
        #expect(try await timedGet(pkid, "\(pkid.httpURL)/ca").code == 200)
        let before = Loopback.residentKiB(of: pid)
        var peak = before
        let head = Array("GET /ca HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Fill: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 8_000)
        for _ in 0..<3 {
            let https = try ConnectionFlood(ports: [pkid.httpsPort], count: count / 2)
            let http = try ConnectionFlood(ports: [pkid.httpPort], count: count / 2)
            for fd in http.sockets { _ = head.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            usleep(300_000)
            peak = max(peak, Loopback.residentKiB(of: pid))
            _ = https.waitForClose(timeout: 10) + http.waitForClose(timeout: 10)
        }
        // The memory goes back once the last flood's connections are closed and the heap is trimmed; on a loaded
        // machine that comes later, so the test waits for it (at most 10 s) rather than reading once after a pause.
        // The defect this guards kept the memory for good, so no wait makes it pass.
        var after = Loopback.residentKiB(of: pid)
        let deadline = Date().addingTimeInterval(10)
        while after - before >= Self.keptAfterFlood, Date() < deadline {
            usleep(100_000)
            after = Loopback.residentKiB(of: pid)
        }
        #expect(try await timedGet(pkid, "\(pkid.httpsURL)/ca").code == 200)
        print("memory flood: VmRSS \(before / 1024) MiB before, \(peak / 1024) MiB at the peak, \(after / 1024) MiB after")
        // The review saw 57 MB grow to 442 MB and stay there.
        #expect(peak - before < 64 * 1024, "the flood grew pkid from \(before / 1024) MiB to \(peak / 1024) MiB")
        #expect(after - before < Self.keptAfterFlood, "pkid kept \((after - before) / 1024) MiB after the flood (\(before / 1024) MiB before)")
    }
}
