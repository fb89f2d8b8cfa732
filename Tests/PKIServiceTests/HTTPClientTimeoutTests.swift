import Foundation
import PKI
import Signing
import Testing
import TestSupport
import Transport
import X509

/// Every HTTP client of the project goes through `HTTPSClient` (AsyncHTTPClient), so its two timeouts bound EST,
/// directory, CRL and OCSP requests alike. The servers here are real sockets on 127.0.0.1 that misbehave: one
/// accepts and says nothing, one never accepts.
@Suite("HTTP clients give up in time")
struct HTTPClientTimeoutTests {
    static let quick = HTTPSClient.Timeouts(connect: .seconds(2), read: .milliseconds(500))
    /// For a TLS handshake that stalls: the connect timeout covers it.
    static let quickConnect = HTTPSClient.Timeouts(connect: .milliseconds(500), read: .seconds(5))

    /// Seconds `body` took, and what it threw; timed on a thread of its own, so that tests blocking the
    /// cooperative pool elsewhere in the run do not count.
    func timed<T>(_ body: @Sendable () async throws -> T) async -> (seconds: Double, error: (any Error)?) {
        await withTaskExecutorPreference(DedicatedExecutor.shared) {
            let start = ContinuousClock.now
            do {
                _ = try await body()
                return (Double((ContinuousClock.now - start) / .milliseconds(1)) / 1000, nil)
            } catch {
                return (Double((ContinuousClock.now - start) / .milliseconds(1)) / 1000, error)
            }
        }
    }

    @Test("a server that accepts and never answers fails the request at the read timeout, naming host, port and timeout")
    func readTimeout() async throws {
        let silent = try await SilentListener()
        let client = HTTPSClient(timeouts: Self.quick)
        let result = await timed { try await client.request(.GET, "/crl", at: HostAndPort(host: "127.0.0.1", port: silent.port)) }
        #expect(result.error as? HTTPClientError == .readTimeout(host: "127.0.0.1", port: silent.port, after: .milliseconds(500)))
        #expect("\(result.error.map { "\($0)" } ?? "")" == "127.0.0.1:\(silent.port) accepted the connection but sent nothing for the read timeout of 0.5 s")
        #expect(result.seconds >= 0.45 && result.seconds < 1.5, "took \(result.seconds) s")
        await client.shutdown()
        await silent.close()
    }

    @Test("a TLS handshake that stalls is bounded by the connect timeout: directory and EST clients name it; OCSP's silence is the read timeout")
    func stalledTLS() async throws {
        let silent = try await SilentListener()
        let pki = try await LoopbackPKI("Timeout Root")
        let url = "https://127.0.0.1:\(silent.port)"

        let directoryClient = try DirectoryClient(url: url, trustRoots: [pki.root], timeouts: Self.quickConnect)
        let directory = await timed { try await directoryClient.certificate(serial: try CertificateSerial(parsing: "0A")) }
        let connectTimeout = HTTPClientError.connectTimeout(host: "127.0.0.1", port: silent.port, after: .milliseconds(500))
        #expect(directory.error as? DirectoryError == .unreachable(directory: url, reason: connectTimeout))
        #expect(directory.seconds < 1.5, "took \(directory.seconds) s")
        await directoryClient.shutdown()

        let estClient = try ESTClient(url: url, trustRoots: [pki.root], timeouts: Self.quickConnect)
        let est = await timed { try await estClient.cacerts() }
        #expect("\(est.error.map { "\($0)" } ?? "")" == "pkid at \(url) did not answer: \(connectTimeout); check --url and that pkid runs")
        #expect(est.seconds < 1.5, "took \(est.seconds) s")
        await estClient.shutdown()

        // OCSP through the validator, as a verifier meets it: the responder in the certificate's AIA never answers.
        let ocspPKI = try await LoopbackPKI("OCSP Timeout Root", url: "http://127.0.0.1:\(silent.port)")
        let device = try SoftwareSigner(generating: .ecdsa(.p256))
        let csr = try await CertificateRequests.make(signer: device, subject: try SubjectName.parse("CN=00DB1234567890E0"))
        let certificate = try await ocspPKI.authority.issue(csr, profile: .sign, validity: try Validity("1d"))
        var policy = CertificateValidator.Policy()
        let requester = HTTPOCSPRequester(timeouts: Self.quick)
        policy.revocation = .ocsp(requester)
        let validator = CertificateValidator(trustAnchors: [ocspPKI.root], policy: policy)
        let (verdict, elapsed) = await withTaskExecutorPreference(DedicatedExecutor.shared) {
            let start = ContinuousClock.now
            let verdict = await validator.validate(certificate, profile: .sign)
            return (verdict, ContinuousClock.now - start)
        }
        guard case .invalid(.revocationStatusUnavailable(_, let reason)) = verdict else {
            Issue.record("an OCSP responder that never answers gave \(verdict), not 'revocation status unavailable'")
            return
        }
        let readTimeout = HTTPClientError.readTimeout(host: "127.0.0.1", port: silent.port, after: .milliseconds(500))
        #expect(reason.contains("\(readTimeout)"), "\(reason)")
        #expect(elapsed < .milliseconds(1500), "took \(elapsed)")
        await requester.shutdown()
        await silent.close()
    }

    @Test("a listener that never accepts fails the request at the connect timeout")
    func connectTimeout() async throws {
        let full = try FullListener()
        let client = HTTPSClient(timeouts: Self.quickConnect)
        let result = await timed { try await client.request(.GET, "/", at: HostAndPort(host: "127.0.0.1", port: full.port)) }
        #expect(result.error as? HTTPClientError == .connectTimeout(host: "127.0.0.1", port: full.port, after: .milliseconds(500)))
        #expect("\(result.error.map { "\($0)" } ?? "")" == "no connection to 127.0.0.1:\(full.port) within the connect timeout of 0.5 s")
        #expect(result.seconds >= 0.45 && result.seconds < 1.5, "took \(result.seconds) s")
        await client.shutdown()
    }

    @Test("nothing listening is refused at once, not after a timeout")
    func refused() async throws {
        let silent = try await SilentListener()
        let port = silent.port
        await silent.close()
        // A connect timeout far beyond any stall of a loaded machine: the answer is the refusal itself, not a clock
        // (with half a second, a starved event loop once turned the refusal into a timeout).
        let client = HTTPSClient(timeouts: HTTPSClient.Timeouts(connect: .seconds(30), read: .seconds(30)))
        let result = await timed { try await client.request(.GET, "/", at: HostAndPort(host: "127.0.0.1", port: port)) }
        await client.shutdown()
        // Refused, or reset when the closing listener's kernel socket was still draining its backlog (seen once in a
        // loaded CI run): either way a typed connection failure naming the address, long before the connect timeout.
        let refused = [HTTPClientError.connectionFailed(host: "127.0.0.1", port: port, reason: "Connection refused"),
                       .connectionFailed(host: "127.0.0.1", port: port, reason: "Connection reset by peer")]
        #expect(refused.contains { $0 == result.error as? HTTPClientError }, "\(String(describing: result.error))")
        #expect(result.seconds < 15, "took \(result.seconds) s: a timeout, not a refusal")
    }
}
