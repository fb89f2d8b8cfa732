import COSEM
import Foundation
import Gateway
import HeadEnd
import Logging
import Metering
import Modbus
import NIOCore
import NIOPosix
import NIOSSL
import PKI
import PKIService
import PKIStore
import Signing
import Synchronization
import TestSupport
import Testing
import Transport
import X509

/// gatewayd's uplink (`UplinkService` and `SigningStage`, in this process) against a head-end (`HeadEndServer`, or a
/// listener that replays), over mutual TLS on 127.0.0.1, with pkid's CRL from an in-process pkid: issue 17, items 1
/// and 8, as a gateway meets them.
@Suite("Uplink against the head-end: the ledger query, moving forward, replayed acknowledgements")
struct UplinkLedgerTests {
    let fixture: HeadEndFixture
    let serverKey: SoftwareSigner
    let serverCertificate: Certificate

    init() async throws {
        fixture = try await HeadEndFixture("uplink-ledger")
        serverKey = try SoftwareSigner(generating: .ecdsa(.p256))
        serverCertificate = try await HeadEndFixture.issue(fixture.authority, key: serverKey, subject: "CN=\(HeadEndFixture.headEndTitle)", profile: .tls)
    }

    var serverTLS: TLSConfiguration {
        get throws {
            try TLSConfigurations.serverRequiringClientCertificate(chain: [serverCertificate], key: serverKey, clientCA: [fixture.authority.certificate])
        }
    }

    /// The gateway's side: its outbox, signing stage and uplink, running until `stop()`.
    final class GatewayUnderTest: @unchecked Sendable {
        let outbox: Outbox
        let status = StatusBoard(path: nil)
        let delivered = Mutex<[UInt64]>([])
        let test: TestGateway
        private var tasks: [Task<Void, any Error>] = []
        private var uplink: UplinkService?

        init(outbox: Outbox, test: TestGateway) {
            self.outbox = outbox
            self.test = test
        }

        /// Takes a reading and signs it, as the poller and the signing stage do.
        func take(at time: Date = Date()) async throws {
            let test = self.test
            let reading = try await outbox.take(measuredAt: time) { id throws(RecordError) in
                do { return try test.record(id) } catch let error as RecordError { throw error } catch { throw .malformed("\(error)") }
            }
            try await outbox.attachSignature(transactionID: reading.transactionID,
                                             frame: try await test.signer.sign(try reading.record(), transactionID: reading.transactionID).encoded)
            // As the signing stage does: the uplink reads the outbox when told there are new frames, not on a clock.
            uplink?.wake()
        }

        func start(port: Int, pkid: Int, fixture: HeadEndFixture) throws {
            let credentials = try GatewayCredentials(recordSigner: test.signer, tlsKey: test.tlsKey, tlsCertificate: test.tlsCertificate,
                                                     trustAnchors: [fixture.authority.certificate])
            let crl = try CRLCache(url: "http://127.0.0.1:\(pkid)")
            let anchors = [fixture.authority.certificate]
            let logger = Logger(label: "gateway-under-test")
            let reader = MeterReader(client: ModbusClient(endpoint: try ModbusEndpoint(host: "127.0.0.1", port: 1)), map: try TestGateway.map())
            let requests = SignedRequestResponder(reader: reader, credentials: credentials, directory: fixture.directory,
                                                  policy: RequestPolicy(allowed: [:]), outbox: outbox, logger: logger) {
                CertificateValidator(trustAnchors: anchors, crls: await crl.crls())
            }
            var settings = UplinkSettings(host: "127.0.0.1", port: port, headEnd: HeadEndFixture.headEndTitle)
            settings.retryLaterPause = .milliseconds(200)
            let timing = TimingBook()
            let signing = Wakeup()
            let uplink = UplinkService(settings: settings, outbox: outbox, credentials: credentials, directory: fixture.directory, crl: crl,
                                       timing: timing, status: status, logger: logger, requests: requests, signing: signing) { id, _ in
                self.delivered.withLock { $0.append(id) }
            }
            let stage = SigningStage(outbox: outbox, credentials: credentials, wake: signing, signed: { uplink.wake() }, timing: timing,
                                     status: status, logger: logger)
            self.uplink = uplink
            tasks = [Task { try await uplink.run() }, Task { try await stage.run() }]
        }

        func stop() async {
            for task in tasks { task.cancel() }
            for task in tasks { _ = await task.result }
            tasks = []
        }
    }

    /// pkid's public routes (the CRL the gateway's `CRLCache` fetches) on a port of their own.
    func pkid() async throws -> HTTPServer {
        let service = PKIService(authority: fixture.authority, validity: try Validity("1y"))
        return try await HTTPServer(name: "http", at: .tcp(host: "127.0.0.1", port: 0), tls: nil, handler: service.handlePublic)
    }

    /// Waits for `condition`, checking every 20 ms, at most `seconds` (a bound on a hung test, not a timing claim).
    func eventually(_ seconds: Double = 60, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    @Test("an outbox emptied while the head-end holds readings: ids move above the head-end's, readings it holds differently are renumbered, none lost or deleted as a duplicate")
    func emptiedOutbox() async throws {
        let pkid = try await pkid()
        defer { Task { await pkid.stop() } }
        let test = try await fixture.gateway("00DB1234567890A0")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        for id: UInt64 in 1...5 { _ = try await processor.process(try await test.frame(id), from: test.title) }
        let held = try await store.readings(gateway: test.title)

        // The outbox starts empty again, and takes two readings before the uplink connects: ids 1 and 2.
        let gateway = GatewayUnderTest(outbox: try Outbox(path: fixture.scratch.path("outbox.sqlite"), limit: 100), test: test)
        try await gateway.take()
        try await gateway.take()
        let check = GatewayCertificateCheck(trustAnchors: [fixture.authority.certificate], revocation: FixedRevocationLists([try fixture.crl()]))
        let server = try await HeadEndServer(host: "127.0.0.1", port: 0, tls: try serverTLS, check: check, processor: processor)
        let serving = Task { await server.run() }
        try gateway.start(port: server.port, pkid: pkid.port, fixture: fixture)
        defer { Task { await gateway.stop(); await server.shutdown(drain: .zero); await serving.value } }

        #expect(try await eventually { gateway.delivered.withLock { $0.count } >= 2 }, "\(gateway.status.current.lastError ?? "")")
        try await gateway.take()
        #expect(try await eventually { gateway.delivered.withLock { $0.count } >= 3 })

        #expect(gateway.delivered.withLock { $0 } == [6, 7, 8], "renumbered above the head-end's highest, then the next reading")
        let readings = try await store.readings(gateway: test.title)
        #expect(readings.map(\.transactionID) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(readings.prefix(5)) == held, "what the head-end held is unchanged")
        #expect(try await store.summary().first?.conflicts == 2)
        let depth = try await gateway.outbox.depth()
        #expect(depth.unsigned == 0 && depth.signed == 0)
        #expect(try await gateway.outbox.lastAdvance().map { [$0.from, $0.to] } == [3, 6])
        #expect(gateway.status.current.lastError?.contains("numbered from 3, but head-end \(HeadEndFixture.headEndTitle) holds ids up to 5") == true,
                "\(gateway.status.current.lastError ?? "")")
    }

    @Test("a genuine retry-later acknowledgement replayed on a new connection, and after a restart, is refused")
    func replayedAcknowledgement() async throws {
        let pkid = try await pkid()
        defer { Task { await pkid.stop() } }
        let test = try await fixture.gateway("00DB1234567890A1")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        let replaying = try await ReplayingHeadEnd(tls: try serverTLS, processor: processor, signer: fixture.acknowledgementSigner)
        defer { Task { await replaying.stop() } }

        let path = fixture.scratch.path("outbox.sqlite")
        var gateway = GatewayUnderTest(outbox: try Outbox(path: path, limit: 100), test: test)
        try await gateway.take()
        try gateway.start(port: replaying.port, pkid: pkid.port, fixture: fixture)
        // Connection 1 gets the genuine retry-later; connection 2 gets it again.
        #expect(try await eventually { replaying.replays >= 1 })
        #expect(try await eventually { gateway.status.current.lastError?.contains("acknowledgement rejected: sequence") == true },
                "\(gateway.status.current.lastError ?? "")")
        await gateway.stop()
        try gateway.outbox.close()

        // gatewayd restarted on the same outbox.
        gateway = GatewayUnderTest(outbox: try Outbox(path: path, limit: 100), test: test)
        let before = replaying.replays
        try gateway.start(port: replaying.port, pkid: pkid.port, fixture: fixture)
        #expect(try await eventually { replaying.replays > before })
        #expect(try await eventually { gateway.status.current.lastError?.contains("acknowledgement rejected: sequence") == true },
                "\(gateway.status.current.lastError ?? "")")
        await gateway.stop()
        let signed = try await gateway.outbox.depth().signed
        #expect(gateway.delivered.withLock { $0 }.isEmpty && signed == 1, "the reading stays until a genuine answer")
    }
}

/// A head-end that answers ledger queries as the real one does, but answers the first reading of its first connection
/// with a genuine, signed retry-later refusal, and closes when the reading comes again after the pause; on every later
/// connection it answers the reading with that very acknowledgement again, once (a replay, as a captured frame would
/// be), and then nothing.
final class ReplayingHeadEnd: Sendable {
    private let listener: NIOAsyncChannel<NIOAsyncChannel<WrapperFrame, WrapperFrame>, Never>
    private let task: Task<Void, Never>
    private final class State: Sendable {
        let value = Mutex<(recorded: [UInt8]?, replays: Int)>((nil, 0))
    }
    private let state = State()
    let port: Int

    var replays: Int { state.value.withLock { $0.replays } }

    init(tls: TLSConfiguration, processor: FrameProcessor, signer: AcknowledgementSigner) async throws {
        let context = try NIOSSLContext(configuration: tls)
        listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(NIOSSLServerHandler(context: context))
                    try pipeline.addHandler(ByteToMessageHandler(WrapperFrameDecoder(maxAPDUSize: 8192)))
                    try pipeline.addHandler(MessageToByteHandler(WrapperFrameEncoder()))
                    return try NIOAsyncChannel<WrapperFrame, WrapperFrame>(wrappingChannelSynchronously: channel)
                }
            }
        port = listener.channel.localAddress?.port ?? 0
        let state = self.state
        let gateway = try SystemTitle(hex: "00DB1234567890A1")
        task = Task { [listener] in
            try? await listener.executeThenClose { inbound in
                var connections = 0
                for try await connection in inbound {
                    connections += 1
                    let first = connections == 1
                    try? await connection.executeThenClose { frames, outbound in
                        var replayed = false
                        for try await frame in frames {
                            let apdu = frame.apdu
                            if (try? SignedRequest(decoding: apdu)) != nil {
                                try await outbound.write(try WrapperFrame(source: 1, destination: 1, apdu: try await processor.answer(apdu, from: gateway)))
                                continue
                            }
                            let id = try GeneralSigning(decoding: apdu).transactionID.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                            if let recorded = state.value.withLock({ $0.recorded }) {
                                if first { return }
                                // Once per connection: a gateway that obeyed it would send the reading again after
                                // its pause and get nothing, so only a refusal of this very frame ends the wait.
                                if replayed { continue }
                                replayed = true
                                try await outbound.write(try WrapperFrame(source: 1, destination: 1, apdu: recorded))
                                state.value.withLock { $0.replays += 1 }
                                continue
                            }
                            let refusal = try Refusal(reason: .certificate, disposition: .retryLater, text: "revocation status unavailable")
                            let signed = try await signer.sign(Acknowledgement(transactionID: id, outcome: .refused(refusal)), to: gateway,
                                                               transactionID: try await processor.numbering.next())
                            state.value.withLock { $0.recorded = signed.encoded }
                            try await outbound.write(try WrapperFrame(source: 1, destination: 1, apdu: signed.encoded))
                        }
                    }
                }
            }
        }
    }

    func stop() async {
        try? await listener.channel.close()
        await task.value
    }
}
