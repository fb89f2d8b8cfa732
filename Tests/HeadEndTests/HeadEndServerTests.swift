import COSEM
import Foundation
import HeadEnd
import Metering
import NIOCore
import NIOPosix
import PKI
import PKIService
import PKIStore
import Signing
import SwiftASN1
import Synchronization
import TestSupport
import Testing
import Transport
import X509

/// The head-end's listener over real TLS on 127.0.0.1: what a gateway sees (acknowledgements, in order, that
/// verify) and what an operator sees (a log line saying why a handshake was refused).
@Suite("HeadEndServer: mutual TLS, wrapper framing, refusals in the handshake")
struct HeadEndServerTests {
    let harness: HeadEndServerHarness
    var fixture: HeadEndFixture { harness.fixture }
    typealias Running = HeadEndServerHarness.Running

    init() async throws {
        harness = try await HeadEndServerHarness("headend-server")
    }

    func start(_ processor: FrameProcessor, revocation: (any RevocationListSource)? = nil, logs: CapturedLogs = CapturedLogs(),
               limits: HeadEndServerLimits = HeadEndServerLimits(handshakeTimeout: .seconds(30)), logInterval: Duration = .seconds(10)) async throws -> Running {
        try await harness.start(processor, revocation: revocation, logs: logs, limits: limits, logInterval: logInterval)
    }

    func connect(_ running: Running, as gateway: TestGateway) async throws -> UplinkTestClient {
        try await harness.connect(running, as: gateway)
    }

    func waitForConnections(_ running: Running, _ count: Int) async throws {
        try await harness.waitForConnections(running, count)
    }

    @Test("pipelined frames are answered in order with signed acknowledgements; a duplicate is stored once; a restart still knows it")
    func readingsOverTLS() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B0")
        let store = try ReadingStore(path: fixture.storePath)
        let running = try await start(try fixture.processor(store: store))
        // A gateway sends a reading again byte for byte (the outbox keeps its signed frame): a duplicate.
        let two = try await gateway.frame(2)
        let frames = [try await gateway.frame(1), two, two, try await gateway.frame(5)]
        let answers = try await connect(running, as: gateway).exchange(frames)
        await running.stop()

        try #require(answers.count == 4)
        #expect(answers.allSatisfy { $0.source == 1 && $0.destination == 16 }, "the wPorts are swapped")
        var headEndIDs: [UInt64] = []
        for (answer, expected) in zip(answers, [(UInt64(1), Acknowledgement.Outcome.accepted), (2, .accepted), (2, .duplicate), (5, .accepted)]) {
            let check = try await fixture.verifyAcknowledgement(answer.apdu, to: gateway, sent: [expected.0])
            #expect(check.passed, "\(check.checks.filter { !$0.passed })")
            #expect(check.acknowledgement == Acknowledgement(transactionID: expected.0, outcome: expected.1))
            headEndIDs.append(try SignedAcknowledgement(decoding: answer.apdu).transactionID)
        }
        #expect(headEndIDs == headEndIDs.sorted() && Set(headEndIDs).count == 4, "acknowledgement ids grow in the order sent")
        #expect(try await store.readings(gateway: gateway.title).map(\.transactionID) == [1, 2, 5])

        // A new server on the same store: the gateway resends 2 (its acknowledgement lost), and it is a duplicate.
        let restarted = try await start(try fixture.processor(store: store))
        let again = try await connect(restarted, as: gateway).exchange([two])
        await restarted.stop()
        let check = try await fixture.verifyAcknowledgement(try #require(again.first).apdu, to: gateway, sent: [2])
        #expect(check.acknowledgement?.outcome == .duplicate)
        #expect(try await store.readings().count == 3)
    }

    @Test("a frame of another gateway over this gateway's connection is refused (originator); a tampered one (signature)")
    func refusalsOverTLS() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B1")
        let other = try await fixture.gateway("00DB1234567890B2")
        let store = try ReadingStore(path: fixture.storePath)
        let running = try await start(try fixture.processor(store: store))
        var tampered = try await gateway.frame(2)
        tampered[tampered.count - 1] ^= 0x01  // the signature's last byte
        let answers = try await connect(running, as: gateway).exchange([try await other.frame(1), tampered])
        await running.stop()

        try #require(answers.count == 2)
        let first = try await fixture.verifyAcknowledgement(answers[0].apdu, to: gateway, sent: [1])
        guard case .refused(let originator) = first.acknowledgement?.outcome else { Issue.record("not refused"); return }
        #expect(originator.reason == .originator && originator.disposition == .final)
        let second = try await fixture.verifyAcknowledgement(answers[1].apdu, to: gateway, sent: [2])
        guard case .refused(let signature) = second.acknowledgement?.outcome else { Issue.record("not refused"); return }
        #expect(signature.reason == .signature && signature.disposition == .final)
        #expect(try await store.readings().isEmpty)
    }

    /// Connects with the given client identity and expects no acknowledgement, and a log line naming the reason.
    func expectRefused(chain: [Certificate], key: (any Signer)?, revocation: (any RevocationListSource)? = nil,
                       because reason: String, frame: [UInt8]) async throws {
        let logs = CapturedLogs()
        let store = try ReadingStore(path: fixture.storePath)
        let running = try await start(try fixture.processor(store: store), revocation: revocation, logs: logs)
        let answers: [WrapperFrame]
        do {
            let client = try await UplinkTestClient.connect(port: running.server.port, roots: [fixture.authority.certificate], chain: chain, key: key)
            answers = try await client.exchange([frame])
        } catch {
            answers = []  // refused during the handshake or on the first read: what a refused client sees
        }
        let line = await logs.waitFor("TLS handshake refused")
        await running.stop()
        #expect(answers.isEmpty, "no acknowledgement for a refused client")
        let logged = try #require(line, "a log line says the handshake was refused; logs: \(logs.all)")
        #expect(logged.lowercased().contains(reason.lowercased()), "\(logged)")
        #expect(try await store.readings().isEmpty)
    }

    @Test("no client certificate: refused in the handshake")
    func noCertificate() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B3")
        try await expectRefused(chain: [], key: nil, because: "certificate", frame: try await gateway.frame(1))
    }

    @Test("a client certificate from another CA: refused, not trusted")
    func otherCA() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B4")
        let other = try await HeadEndFixture("other-ca")
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let certificate = try await HeadEndFixture.issue(other.authority, key: key, subject: "CN=\(gateway.title)", profile: .tls)
        try await expectRefused(chain: [certificate], key: key, because: "not trusted", frame: try await gateway.frame(1))
    }

    @Test("a revoked client certificate: refused, revoked")
    func revoked() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B5")
        try await fixture.authority.revoke(serial: CertificateSerial(gateway.tlsCertificate.serialNumber), reason: .keyCompromise)
        try await expectRefused(chain: [gateway.tlsCertificate], key: gateway.tlsKey, revocation: FixedRevocationLists([try fixture.crl()]),
                                because: "revoked", frame: try await gateway.frame(1))
    }

    @Test("an expired client certificate: refused, expired")
    func expired() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B6")
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let certificate = try await HeadEndFixture.issue(fixture.authority, key: key, subject: "CN=\(gateway.title)", profile: .tls,
                                                         validity: "1d", now: Date().addingTimeInterval(-3 * 86_400))
        try await expectRefused(chain: [certificate], key: key, because: "expired", frame: try await gateway.frame(1))
    }

    @Test("a signing-profile certificate used as a TLS client certificate: refused, not a tls certificate")
    func signProfile() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B7")
        try await expectRefused(chain: [gateway.certificate], key: gateway.key, because: "not a tls certificate", frame: try await gateway.frame(1))
    }

    @Test("pkid down: a gateway whose certificate is cached keeps flowing; an unknown signer gets retry-later and nothing is stored")
    func directoryUnreachable() async throws {
        let known = try await fixture.gateway("00DB1234567890B8")
        let unknown = try await fixture.gateway("00DB1234567890B9")
        let service = PKIService(authority: fixture.authority, validity: try Validity("1y"))
        let pkid = try await HTTPServer(name: "http", at: .tcp(host: "127.0.0.1", port: 0), tls: nil, handler: service.handlePublic)
        let url = "http://127.0.0.1:\(pkid.port)"
        let timeouts = HTTPSClient.Timeouts(connect: .seconds(5), read: .seconds(30))
        // A lifetime so short that every lookup after the first goes to the directory: the cache must fall back.
        let directory = DirectoryCache(client: try DirectoryClient(url: url, timeouts: timeouts), timeToLive: .milliseconds(1))
        let crls = try CRLCache(url: url, timeouts: timeouts)
        await crls.refresh()
        #expect(await crls.lastFailure == nil)

        let store = try ReadingStore(path: fixture.storePath)
        let processor = FrameProcessor(store: store, signer: fixture.acknowledgementSigner, certificates: directory, revocation: crls,
                                       trustAnchors: [fixture.authority.certificate])
        let running = try await start(processor, revocation: crls)
        let before = try await connect(running, as: known).exchange([try await known.frame(1)])
        #expect(try await fixture.verifyAcknowledgement(try #require(before.first).apdu, to: known, sent: [1]).acknowledgement?.outcome == .accepted)

        await pkid.stop()

        let after = try await connect(running, as: known).exchange([try await known.frame(2)])
        let stranger = try await connect(running, as: unknown).exchange([try await unknown.frame(1)])
        await running.stop()
        #expect(try await fixture.verifyAcknowledgement(try #require(after.first).apdu, to: known, sent: [2]).acknowledgement?.outcome == .accepted)
        let refused = try await fixture.verifyAcknowledgement(try #require(stranger.first).apdu, to: unknown, sent: [1])
        guard case .refused(let refusal) = refused.acknowledgement?.outcome else { Issue.record("not refused: \(refused.checks)"); return }
        #expect(refusal.reason == .certificate && refusal.disposition == .retryLater)
        #expect(try await store.readings().map(\.transactionID) == [1, 2])
        #expect(try await store.readings(gateway: unknown.title).isEmpty)
        #expect(try await store.refusals().isEmpty)
    }

    @Test("a frame above the size limit closes the connection unanswered, and nothing is stored")
    func frameSizeLimit() async throws {
        let gateway = try await fixture.gateway("00DB1234567890BA")
        let store = try ReadingStore(path: fixture.storePath)
        let logs = CapturedLogs()
        let running = try await start(try fixture.processor(store: store), logs: logs,
                                      limits: HeadEndServerLimits(handshakeTimeout: .seconds(30), maxFrameSize: 256))
        let frame = try await gateway.frame(1)
        #expect(frame.count > 256)
        let answers = (try? await connect(running, as: gateway).exchange([frame])) ?? []
        let line = await logs.waitFor("closing the connection")
        await running.stop()
        #expect(answers.isEmpty)
        #expect(line?.contains("exceeds the limit of 256") == true, "\(line ?? "no line"): \(logs.all)")
        #expect(try await store.readings().isEmpty)
    }

    @Test("at max_connections an authenticated gateway is never closed for room: the newcomer waits and is served when it leaves")
    func connectionLimit() async throws {
        let gateway = try await fixture.gateway("00DB1234567890BB")
        let store = try ReadingStore(path: fixture.storePath)
        let running = try await start(try fixture.processor(store: store),
                                      limits: HeadEndServerLimits(handshakeTimeout: .seconds(30), maxConnections: 1))
        let first = try await connect(running, as: gateway)
        await waitUntil("the first connection's handshake") { running.server.handshakesCompleted == 1 }
        // The listener is full of an authenticated gateway: the second waits in the accept queue, unanswered.
        let second = Task { try await connect(running, as: gateway).exchange([try await gateway.frame(3)]) }
        let answers = try await first.exchange([try await gateway.frame(2)])
        let later = try await second.value
        await running.stop()
        #expect(answers.count == 1)
        #expect(later.count == 1, "served once the first left")
        #expect(try await store.readings().map(\.transactionID) == [2, 3])
    }

    @Test("a client that connects and never completes the handshake is closed at the handshake timeout, with a log line")
    func handshakeTimeout() async throws {
        let store = try ReadingStore(path: fixture.storePath)
        let logs = CapturedLogs()
        let running = try await start(try fixture.processor(store: store), logs: logs,
                                      limits: HeadEndServerLimits(handshakeTimeout: .milliseconds(200)))
        // Plain TCP, not a byte sent: what a port scanner or a stuck client does.
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: running.server.port).get()
        let line = await logs.waitFor("not completed within")
        try await waitForConnections(running, 0)
        try? await channel.closeFuture.get()
        await running.stop()
        #expect(line?.contains("TLS handshake refused") == true, "\(logs.all)")
    }

    @Test("a gateway connection silent past the idle timeout is closed, with a log line naming the gateway")
    func idleTimeout() async throws {
        let gateway = try await fixture.gateway("00DB1234567890BC")
        let store = try ReadingStore(path: fixture.storePath)
        let logs = CapturedLogs()
        let running = try await start(try fixture.processor(store: store), logs: logs,
                                      // Long enough for a handshake on a loaded machine.
                                      limits: HeadEndServerLimits(handshakeTimeout: .seconds(30), idleTimeout: .seconds(3)))
        let client = try await connect(running, as: gateway)
        // Nothing sent: the server closes, and the client's read ends without an answer.
        let answers = try await client.exchange([])
        let line = await logs.waitFor("idle timeout")
        await running.stop()
        #expect(answers.isEmpty)
        #expect(line?.contains("00DB1234567890BC") == true, "\(logs.all)")
    }
    /// Waits for events, not for wall-clock allowances: gateway G's handshake is held in its certificate check while
    /// gateway R connects after it and stays silent. R being closed for idleness proves that G's handshake has lasted
    /// longer than the idle timeout; only then is G's check let go.
    @Test("the idle timeout runs from the completed handshake: a handshake slower than it is not idleness")
    func idleAfterHandshake() async throws {
        let held = try await fixture.gateway("00DB1234567890BE")
        let reference = try await fixture.gateway("00DB1234567890BF")
        let store = try ReadingStore(path: fixture.storePath)
        let logs = CapturedLogs()
        let gate = GatedRevocationLists(try fixture.crl())
        let running = try await start(try fixture.processor(store: store), revocation: gate, logs: logs,
                                      limits: HeadEndServerLimits(handshakeTimeout: .seconds(60), idleTimeout: .seconds(1)))
        let slow = try await connect(running, as: held)
        await gate.firstCallArrived()
        // R's handshake completes (its check is not held); it says nothing and is closed for idleness after 1 s.
        #expect(try await connect(running, as: reference).exchange([]).isEmpty)
        let referenceIdle = await logs.waitFor("idle timeout")
        #expect(referenceIdle?.contains("\(reference.title)") == true, "\(logs.all)")
        gate.open()
        // G, accepted before R, completes its handshake now, more than the idle timeout after its accept; then it
        // is silent, and only then closed for idleness.
        #expect(try await slow.exchange([]).isEmpty)
        await running.stop()
        let lines = logs.all
        let connected = lines.firstIndex { $0.contains("gateway connected") && $0.contains("\(held.title)") }
        let idle = lines.firstIndex { $0.contains("idle timeout") && $0.contains("\(held.title)") }
        #expect(connected != nil, "G's handshake completed: \(lines)")
        #expect(idle != nil && connected.map { $0 < idle! } == true, "G closed for idleness only after its handshake: \(lines)")
        #expect(!lines.contains { $0.contains("idle timeout") && $0.contains("gateway=?") }, "no connection closed for idleness in its handshake: \(lines)")
    }

    /// Connects with a client identity the head-end must refuse and checks the property, not a log line: the
    /// client sees its handshake refused with a TLS alert, no handshake completed on the server, nothing stored.
    func expectNoConnectionAccepted(chain: [Certificate], key: (any Signer)?, revocation: (any RevocationListSource)? = nil,
                                    frame: [UInt8]) async throws {
        let store = try ReadingStore(path: fixture.storePath)
        let running = try await start(try fixture.processor(store: store), revocation: revocation)
        let client = try await harness.rawClient(running, chain: chain, key: key)
        let (end, received) = await client.run { outbound in
            try await outbound.write(ByteBuffer(bytes: try WrapperFrame(source: 16, destination: 1, apdu: frame).encoded))
        }
        try await waitForConnections(running, 0)
        let completed = running.server.handshakesCompleted
        await running.stop()
        #expect(end.isTLSAlert, "the client's handshake was refused with an alert, not accepted and closed: \(end)")
        #expect(received == 0)
        #expect(completed == 0, "no handshake completed on the head-end")
        #expect(try await store.readings().isEmpty)
    }

    @Test("a client the certificate check refuses (revoked) never completes its handshake: the check's answer is the handshake's")
    func refusedClientHandshakeFails() async throws {
        let gateway = try await fixture.gateway("00DB1234567890C0")
        try await fixture.authority.revoke(serial: CertificateSerial(gateway.tlsCertificate.serialNumber), reason: .keyCompromise)
        try await expectNoConnectionAccepted(chain: [gateway.tlsCertificate], key: gateway.tlsKey,
                                             revocation: FixedRevocationLists([try fixture.crl()]), frame: try await gateway.frame(1))
    }

    @Test("a client without a certificate gets no connection: the certificate is required, not only requested")
    func certificateRequired() async throws {
        let gateway = try await fixture.gateway("00DB1234567890C1")
        try await expectNoConnectionAccepted(chain: [], key: nil, frame: try await gateway.frame(1))
    }

    @Test("an authenticated client that trickles a frame byte by byte is closed at the frame deadline, though never idle")
    func frameDeadline() async throws {
        let gateway = try await fixture.gateway("00DB1234567890C2")
        let store = try ReadingStore(path: fixture.storePath)
        let logs = CapturedLogs()
        let running = try await start(try fixture.processor(store: store), logs: logs,
                                      limits: HeadEndServerLimits(handshakeTimeout: .seconds(30), idleTimeout: .seconds(5), frameTimeout: .seconds(1)))
        let client = try await harness.rawClient(running, chain: [gateway.tlsCertificate], key: gateway.tlsKey)
        // A header announcing 4,000 bytes, then one byte every 100 ms (the review's client sent one every 5 s): the
        // idle timeout never fires, and the frame would take 400 s. The client gives up after 300 bytes (30 s).
        let written = Mutex(0)
        _ = await client.run { outbound in
            try await outbound.write(ByteBuffer(bytes: WrapperHeader(source: 16, destination: 1, length: 4_000).bytes))
            for _ in 0..<300 {
                try await Task.sleep(for: .milliseconds(100))
                try await outbound.write(ByteBuffer(bytes: [0x0F]))
                written.withLock { $0 += 1 }
            }
        }
        let line = await logs.waitFor("did not arrive whole")
        await running.stop()
        #expect(written.withLock { $0 } < 300, "the head-end closed the connection before the client gave up trickling")
        #expect(line?.contains("\(gateway.title)") == true, "\(logs.all)")
        #expect(!logs.all.contains { $0.contains("idle timeout") }, "\(logs.all)")
        #expect(try await store.readings().isEmpty)
    }

    @Test("repeated handshake refusals are logged once and then once per interval with their count")
    func repeatedRefusalsAreCounted() async throws {
        let store = try ReadingStore(path: fixture.storePath)
        let logs = CapturedLogs()
        // An interval longer than the test: the count comes with the server's shutdown, which ends every interval.
        let running = try await start(try fixture.processor(store: store), logs: logs, logInterval: .seconds(3600))
        let refused = 40
        for _ in 0..<refused {
            // Not TLS at all: BoringSSL refuses the first bytes.
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: running.server.port).get()
            try await channel.writeAndFlush(ByteBuffer(string: "GET / HTTP/1.0\r\n\r\n"))
            try await channel.closeFuture.get()
        }
        try await waitForConnections(running, 0)
        await running.stop()
        let lines = logs.all.filter { $0.contains("TLS handshake refused") }
        #expect(lines.count <= 2, "\(lines.count) lines: \(lines.prefix(5))")
        let counted = lines.compactMap { line in line.split(separator: " ").first { $0.hasPrefix("count=") }.flatMap { Int($0.dropFirst(6)) } }
        #expect(counted == [refused], "the summary counts every refusal: \(lines)")
    }

    @Test("a TLS session of a certificate revoked since cannot be resumed: the full handshake is refused", arguments: ["-tls1_2", "-tls1_3"])
    func noResumptionAfterRevocation(version: String) async throws {
        let title = "00DB1234567890C3"
        let scratch = try ScratchDirectory("headend-resumption")
        let key = scratch.path("gateway.key"), csr = scratch.path("gateway.csr"), certificate = scratch.path("gateway.pem")
        let ca = scratch.path("ca.pem"), session = scratch.path("session.pem")
        // The gateway's key as a file, for openssl s_client: a test key, made by openssl itself.
        try await runOff("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key])
        try await runOff("openssl", ["req", "-new", "-key", key, "-subj", "/CN=\(title)", "-outform", "DER", "-out", csr])
        let request = try CertificateSigningRequest(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: csr))))
        let issued = try await fixture.authority.issue(request, profile: .tls, validity: try Validity("1y"))
        try pem(issued).write(toFile: certificate, atomically: true, encoding: .utf8)
        try pem(fixture.authority.certificate).write(toFile: ca, atomically: true, encoding: .utf8)

        let store = try ReadingStore(path: fixture.storePath)
        let logs = CapturedLogs()
        let running = try await start(try fixture.processor(store: store), revocation: PublishedCRL(fixture: fixture), logs: logs,
                                      limits: HeadEndServerLimits(handshakeTimeout: .seconds(30), idleTimeout: .seconds(1)))
        // -ign_eof: read until the head-end closes the silent connection (idle timeout), so a TLS 1.3 ticket sent
        // after the handshake is kept too.
        let client = ["s_client", "-connect", "127.0.0.1:\(running.server.port)", version, "-cert", certificate, "-key", key,
                      "-CAfile", ca, "-ign_eof"]
        let first = try await runOff("openssl", client + ["-sess_out", session], check: false)
        try #require(first.output.contains("New, TLS"), "the first handshake: \(first.output) \(first.stderr)")
        try #require(FileManager.default.fileExists(atPath: session), "openssl kept the session")

        try await fixture.authority.revoke(serial: CertificateSerial(issued.serialNumber), reason: .keyCompromise)
        let second = try await runOff("openssl", client + ["-sess_in", session], check: false)
        let revoked = await logs.waitFor("revoked")
        let completed = running.server.handshakesCompleted
        await running.stop()
        #expect(!second.output.contains("Reused"), "the revoked certificate's session was resumed: \(second.output)")
        #expect(revoked != nil, "the full handshake ran the certificate check: \(logs.all)")
        #expect(completed == 1, "only the first handshake completed")
    }
}

/// Runs a program in `timeout`, so that a stuck one fails the test instead of hanging it. (The wait suspends, so it
/// holds none of the cooperative threads the head-end's checks need.)
@discardableResult
func runOff(_ program: String, _ arguments: [String], check: Bool = true) async throws -> ProcessResult {
    let result = try await run("timeout", ["60", program] + arguments)
    if check, result.status != 0 { throw TestSetupError("\(program) \(arguments.joined(separator: " ")): \(result.stderr)") }
    return result
}

func pem(_ certificate: Certificate) throws -> String {
    var serializer = DER.Serializer()
    try serializer.serialize(certificate)
    return PEMDocument(type: "CERTIFICATE", derBytes: serializer.serializedBytes).pemString + "\n"
}

/// The CA's CRL as published at each handshake: a revocation takes effect at once.
struct PublishedCRL: RevocationListSource {
    let fixture: HeadEndFixture
    func crls() async -> [ParsedCRL] { (try? fixture.crl()).map { [$0] } ?? [] }
}

/// A CRL source whose first call waits until `open()`: a handshake held in its certificate check for as long as
/// the test needs; later calls answer at once.
final class GatedRevocationLists: RevocationListSource, Sendable {
    let list: ParsedCRL
    private let state = Mutex<(calls: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))
    private let gate = AsyncStream<Void>.makeStream()

    init(_ list: ParsedCRL) {
        self.list = list
    }

    func crls() async -> [ParsedCRL] {
        let (first, waiters) = state.withLock { state in
            state.calls += 1
            defer { state.waiters = [] }
            return (state.calls == 1, state.waiters)
        }
        if first {
            for waiter in waiters { waiter.resume() }
            for await _ in gate.stream {}
        }
        return [list]
    }

    /// Returns once the first call is waiting at the gate.
    func firstCallArrived() async {
        await withCheckedContinuation { continuation in
            let arrived = state.withLock { state in
                if state.calls == 0 { state.waiters.append(continuation) }
                return state.calls > 0
            }
            if arrived { continuation.resume() }
        }
    }

    func open() { gate.continuation.finish() }
}
