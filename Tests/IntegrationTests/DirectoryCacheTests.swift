import Foundation
import PKI
import Signing
import Synchronization
import Testing
import TestSupport
import Transport
import X509

/// The Central Directory client against a real pkid: typed errors a user can act on, HTTPS with the project's TLS
/// client settings, and the cache a head-end puts in front of it. Each test shuts its clients down, as their owners do.
@Suite("Central Directory client and cache against pkid")
struct DirectoryCacheTests {
    func ca(_ pkid: PKIDProcess) throws -> [Certificate] {
        [try Certificate(pemEncoded: String(contentsOfFile: pkid.pki + "/ca.pem", encoding: .utf8))]
    }

    @Test("a thousand lookups of one serial, half of them at once, ask pkid once")
    func thousandLookupsAskOnce() async throws {
        let pkid = try await PKIDProcess()
        let text = try await pkid.ownSerial()
        let serial = try CertificateSerial(parsing: text)
        let cache = DirectoryCache(client: try DirectoryClient(url: pkid.httpURL), timeToLive: .seconds(300))
        let concurrent = try await withThrowingTaskGroup(of: Certificate.self) { group in
            for _ in 0..<500 { group.addTask { try await cache.certificate(serial: serial) } }
            return try await group.reduce(into: [Certificate]()) { $0.append($1) }
        }
        var sequential: [Certificate] = []
        for _ in 0..<500 { sequential.append(try await cache.certificate(serial: try CertificateSerial(parsing: text.lowercased()))) }
        #expect(Set((concurrent + sequential).map { CertificateSerial($0.serialNumber) }) == [serial])
        let served = PKIDProcess.sample(try await pkid.scrape(), "http_requests_total",
                                        ["listener": "http", "route": "/certificates/{serial}", "status": "200"])
        #expect(served == 1)
        await cache.client.shutdown()
    }

    @Test("an entry expires after its time to live: pkid is asked again then, not before (a clock the test moves)")
    func entriesExpire() async throws {
        let pkid = try await PKIDProcess()
        let serial = try CertificateSerial(parsing: try await pkid.ownSerial())
        let clock = ManualInstant()
        let cache = DirectoryCache(client: try DirectoryClient(url: pkid.httpURL), timeToLive: .seconds(300)) { clock.now }
        func asked() async throws -> Double {
            PKIDProcess.sample(try await pkid.scrape(), "http_requests_total", ["listener": "http", "route": "/certificates/{serial}", "status": "200"])
        }
        let first = try await cache.certificate(serial: serial)
        clock.advance(by: .seconds(299))
        #expect(try await cache.certificate(serial: serial) == first)
        #expect(try await asked() == 1)
        clock.advance(by: .seconds(2))
        #expect(try await cache.certificate(serial: serial) == first)
        #expect(try await asked() == 2, "an entry past its time to live must be looked up again")
        #expect(try await cache.certificate(serial: serial) == first)
        #expect(try await asked() == 2, "the refreshed entry lives another time to live")
        await cache.client.shutdown()
    }

    @Test("a cached certificate outlives a pkid outage, also past its time to live; a serial never seen fails as unreachable (a clock the test moves)")
    func cacheOutlivesOutage() async throws {
        let pkid = try await PKIDProcess()
        let serial = try CertificateSerial(parsing: try await pkid.ownSerial())
        let clock = ManualInstant()
        let cache = DirectoryCache(client: try DirectoryClient(url: pkid.httpURL), timeToLive: .seconds(2)) { clock.now }
        let first = try await cache.certificate(serial: serial)
        #expect(await pkid.process.stop() == 0)
        // Within its time to live the entry is the answer, however long pkid took to stop.
        #expect(try await cache.certificate(serial: serial) == first)
        // Past its time to live the directory is asked again; unreachable, the entry it had is still the answer
        // (the verifier still validates it: chain, expiry, CRL).
        clock.advance(by: .milliseconds(2500))
        #expect(try await cache.certificate(serial: serial) == first)
        let unknown = try CertificateSerial(parsing: "0123456789ABCDEF")
        await #expect(throws: DirectoryError.unreachable(
            directory: pkid.httpURL, reason: .connectionFailed(host: "127.0.0.1", port: pkid.httpPort, reason: "Connection refused")
        )) {
            try await cache.certificate(serial: unknown)
        }
        await cache.client.shutdown()
    }

    @Test("an unknown serial is 'not found' naming the serial and the fix; HTTPS lookups trust pkid's CA")
    func notFoundAndHTTPS() async throws {
        let pkid = try await PKIDProcess()
        let client = try DirectoryClient(url: pkid.httpURL)
        let unknown = try CertificateSerial(parsing: "0123456789abcdef")
        do throws(DirectoryError) {
            _ = try await client.certificate(serial: unknown)
            Issue.record("pkid found a certificate it never issued")
        } catch {
            #expect(error == .notFound(serial: "0123456789ABCDEF", directory: pkid.httpURL))
            #expect(error.description == "the Central Directory at \(pkid.httpURL) has no certificate with serial 0123456789ABCDEF; check that the signer enrolled with this pkid, or give its certificate with --cert")
        }
        let text = try await pkid.ownSerial()
        let serial = try CertificateSerial(parsing: text)
        let secureClient = try DirectoryClient(url: pkid.httpsURL, trustRoots: try ca(pkid))
        let secure = try await secureClient.certificate(serial: serial)
        #expect(CertificateSerial(secure.serialNumber) == serial)
        #expect(secure.subject.description == "CN=pkid")
        await secureClient.shutdown()
        await client.shutdown()
    }
}

/// A clock instant that moves only when the test moves it.
final class ManualInstant: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(by duration: Duration) { instant.withLock { $0 = $0.advanced(by: duration) } }
}
