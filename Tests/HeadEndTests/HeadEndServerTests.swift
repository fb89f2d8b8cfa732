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
import TestSupport
import Testing
import Transport
import X509

/// The head-end's listener over real TLS on 127.0.0.1: what a gateway sees (acknowledgements, in order, that
/// verify) and what an operator sees (a log line saying why a handshake was refused).
@Suite("HeadEndServer: mutual TLS, wrapper framing, refusals in the handshake")
struct HeadEndServerTests {
    let fixture: HeadEndFixture
    let serverKey: SoftwareSigner
    let serverCertificate: Certificate

    init() async throws {
        fixture = try await HeadEndFixture("headend-server")
        serverKey = try SoftwareSigner(generating: .ecdsa(.p256))
        serverCertificate = try await HeadEndFixture.issue(fixture.authority, key: serverKey, subject: "CN=headend", profile: .tls)
    }

    /// A running server; `stop()` closes it and waits for its accept loop.
    struct Running {
        let server: HeadEndServer
        let task: Task<Void, Never>

        func stop() async {
            await server.shutdown(drain: .zero)
            await task.value
        }
    }

    func start(_ processor: FrameProcessor, revocation: (any RevocationListSource)? = nil, logs: CapturedLogs = CapturedLogs(),
               limits: HeadEndServerLimits = HeadEndServerLimits(handshakeTimeout: .seconds(30))) async throws -> Running {
        let tls = try TLSConfigurations.serverRequiringClientCertificate(chain: [serverCertificate], key: serverKey,
                                                                         clientCA: [fixture.authority.certificate])
        let check = GatewayCertificateCheck(trustAnchors: [fixture.authority.certificate],
                                            revocation: try revocation ?? FixedRevocationLists([fixture.crl()]))
        let server = try await HeadEndServer(host: "127.0.0.1", port: 0, tls: tls, check: check, processor: processor,
                                             limits: limits, logger: logs.logger)
        return Running(server: server, task: Task { await server.run() })
    }

    func connect(_ running: Running, as gateway: TestGateway) async throws -> UplinkTestClient {
        try await UplinkTestClient.connect(port: running.server.port, roots: [fixture.authority.certificate],
                                           chain: [gateway.tlsCertificate], key: gateway.tlsKey)
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
        let pkid = try await HTTPServer(name: "http", host: "127.0.0.1", port: 0, tls: nil) { await service.handlePublic($0) }
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

    /// Waits until the server holds `count` connections (a closed one leaves it when its close completes).
    func waitForConnections(_ running: Running, _ count: Int) async throws {
        for _ in 0..<500 where running.server.openConnections != count { try await Task.sleep(for: .milliseconds(10)) }
        try #require(running.server.openConnections == count)
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

    @Test("past max_connections a new connection is closed at once; the open one still works")
    func connectionLimit() async throws {
        let gateway = try await fixture.gateway("00DB1234567890BB")
        let store = try ReadingStore(path: fixture.storePath)
        let logs = CapturedLogs()
        let running = try await start(try fixture.processor(store: store), logs: logs,
                                      limits: HeadEndServerLimits(handshakeTimeout: .seconds(30), maxConnections: 1))
        let first = try await connect(running, as: gateway)
        try await waitForConnections(running, 1)
        let second = (try? await connect(running, as: gateway).exchange([try await gateway.frame(1)])) ?? []
        #expect(second.isEmpty)
        #expect(await logs.waitFor("connection limit reached") != nil, "\(logs.all)")
        let answers = try await first.exchange([try await gateway.frame(2)])
        await running.stop()
        #expect(answers.count == 1)
        #expect(try await store.readings().map(\.transactionID) == [2])
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
    @Test("the idle timeout runs from the completed handshake: a handshake slower than it is not idleness")
    func idleAfterHandshake() async throws {
        let gateway = try await fixture.gateway("00DB1234567890BE")
        let store = try ReadingStore(path: fixture.storePath)
        let logs = CapturedLogs()
        // The client-certificate check waits 2 s for its CRL: the handshake takes longer than the 1 s idle timeout.
        let running = try await start(try fixture.processor(store: store), revocation: SlowRevocationLists(try fixture.crl(), delay: .seconds(2)),
                                      logs: logs, limits: HeadEndServerLimits(handshakeTimeout: .seconds(30), idleTimeout: .seconds(1)))
        let answers = try await connect(running, as: gateway).exchange([try await gateway.frame(1)])
        await running.stop()
        #expect(answers.count == 1, "\(logs.all)")
        #expect(!logs.all.contains { $0.contains("idle timeout") }, "\(logs.all)")
        #expect(try await store.readings().map(\.transactionID) == [1])
    }
}

/// A CRL source that answers after `delay`: a slow handshake.
struct SlowRevocationLists: RevocationListSource {
    let list: ParsedCRL
    let delay: Duration
    init(_ list: ParsedCRL, delay: Duration) {
        self.list = list
        self.delay = delay
    }
    func crls() async -> [ParsedCRL] {
        try? await Task.sleep(for: delay)
        return [list]
    }
}
