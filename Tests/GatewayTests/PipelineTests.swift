import COSEM
import ConfigFiles
import Foundation
import Gateway
import Logging
import Metering
import Modbus
import PAC3200Simulator
import PKI
import PKIStore
import Signing
import Synchronization
import Testing
import TestSupport
import X509

/// A token that holds every signature until the test lets it go: the slowest card there is. With it a test shows
/// that polling does not wait for the token without timing anything.
final class HeldSigner: Signer {
    let key: SoftwareSigner
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>], started: Int)>((true, [], 0))
    init(_ key: SoftwareSigner) { self.key = key }
    var publicKey: PublicKey { key.publicKey }
    var signaturesStarted: Int { state.withLock { $0.started } }

    /// From now on every signature waits for `release()` (open until then, so its certificate can be requested).
    func hold() {
        state.withLock {
            $0.open = false
            $0.started = 0
        }
    }

    func release() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func sign(_ message: [UInt8], scheme: SignatureScheme) async throws -> Signature {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                state.started += 1
                if !state.open { state.waiting.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
        return try await key.sign(message, scheme: scheme)
    }
}

/// A signer whose token can be "pulled": while `failing`, every signature fails as a removed card's does.
final class PullableSigner: Signer {
    let key: SoftwareSigner
    let failing = Mutex(false)
    init(_ key: SoftwareSigner) { self.key = key }
    var publicKey: PublicKey { key.publicKey }
    func sign(_ message: [UInt8], scheme: SignatureScheme) async throws -> Signature {
        if failing.withLock({ $0 }) { throw PulledCard() }
        return try await key.sign(message, scheme: scheme)
    }
    struct PulledCard: Error, CustomStringConvertible { var description: String { "the token was removed (CKR_DEVICE_REMOVED)" } }
}

/// The poller and the signing stage against the simulator over loopback and a real outbox, with a software CA's
/// certificate for the signing key.
struct PipelineFixture {
    static let gateway = try! SystemTitle(hex: "00DB1234567890A0")
    static let headEnd = try! SystemTitle(hex: "48454144454E4401")
    let scratch: ScratchDirectory
    let authority: CertificateAuthority
    let simulator: PAC3200Simulator
    let reader: MeterReader
    let builder: RecordBuilder
    let outbox: Outbox
    let status: StatusBoard
    let timing = TimingBook()
    let logger = Logger(label: "pipeline-test")

    init() async throws {
        scratch = try ScratchDirectory("pipeline")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Pipeline Test Root"),
            validity: try Validity("5y"), url: nil
        )
        let map = try RegisterMap.builtInPAC3200()
        var options = SimulatorOptions(map: map)
        options.port = 0
        simulator = try PAC3200Simulator(options: options)
        let port = try simulator.start()
        reader = MeterReader(client: ModbusClient(endpoint: try ModbusEndpoint(host: "127.0.0.1", port: port)), map: map)
        builder = try RecordBuilder(map: map, identity: .init(meterIdent: "PAC3200", meterNumber: "12345678", locationIdent: "Test"))
        outbox = try Outbox(path: scratch.path("outbox.sqlite"), limit: 10_000)
        status = StatusBoard(path: nil)
    }

    func credentials(signer: any Signer) async throws -> GatewayCredentials {
        let csr = try await CertificateRequests.make(signer: signer, subject: try SubjectName.parse("CN=\(Self.gateway)"))
        let certificate = try await authority.issue(csr, profile: .sign, validity: try Validity("1y"))
        let tlsKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let tlsCSR = try await CertificateRequests.make(signer: tlsKey, subject: try SubjectName.parse("CN=\(Self.gateway)"))
        let tls = try await authority.issue(tlsCSR, profile: .tls, validity: try Validity("1y"))
        return try GatewayCredentials(
            recordSigner: try RecordSigner(signer: signer, certificate: certificate, originator: Self.gateway, recipient: Self.headEnd),
            tlsKey: tlsKey, tlsCertificate: tls, trustAnchors: [authority.certificate]
        )
    }

    func poller(interval: Duration, signing: Wakeup) -> Poller {
        Poller(reader: reader, builder: builder, outbox: outbox, interval: interval, signing: signing, timing: timing, status: status, logger: logger)
    }

    func signingStage(_ credentials: GatewayCredentials, wake: Wakeup, signed: @escaping @Sendable () -> Void = {}) -> SigningStage {
        SigningStage(outbox: outbox, credentials: credentials, wake: wake, signed: signed, timing: timing, status: status, logger: logger)
    }

    /// Waits up to `seconds` for `condition`.
    func eventually(_ seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}

@Suite("The gateway pipeline: poll, outbox, sign")
struct PipelineTests {
    @Test("a token that does not answer never delays the next poll: readings are taken and durable while the first signature waits")
    func slowTokenDoesNotDelayPolls() async throws {
        let fixture = try await PipelineFixture()
        defer { fixture.simulator.stop() }
        let held = HeldSigner(try SoftwareSigner(generating: .ecdsa(.p256)))
        let credentials = try await fixture.credentials(signer: held)
        held.hold()
        let wake = Wakeup()
        let poller = fixture.poller(interval: .seconds(3600), signing: wake)
        try await withThrowingTaskGroup(of: Void.self) { group throws in
            group.addTask { try await fixture.signingStage(credentials, wake: wake).run() }
            await poller.pollOnce()
            #expect(try await fixture.eventually { held.signaturesStarted == 1 })
            // The signing stage is stuck in the first signature; polls go on and each reading is stored.
            for _ in 0..<4 { await poller.pollOnce() }
            let waiting = try await fixture.outbox.depth()
            #expect(waiting.unsigned == 5 && waiting.signed == 0, "\(waiting)")
            held.release()
            #expect(try await fixture.eventually { try await fixture.outbox.depth().signed == 5 })
            group.cancelAll()
        }
    }

    @Test("a pulled token: readings wait unsigned in the outbox, the status says so, and the backlog is signed in order once it is back")
    func pulledToken() async throws {
        let fixture = try await PipelineFixture()
        defer { fixture.simulator.stop() }
        let signer = PullableSigner(try SoftwareSigner(generating: .ecdsa(.p256)))
        let credentials = try await fixture.credentials(signer: signer)
        let wake = Wakeup()
        let poller = fixture.poller(interval: .seconds(3600), signing: wake)
        signer.failing.withLock { $0 = true }
        try await withThrowingTaskGroup(of: Void.self) { group throws in
            group.addTask { try await fixture.signingStage(credentials, wake: wake).run() }
            for _ in 0..<5 { await poller.pollOnce() }
            #expect(try await fixture.eventually { fixture.status.current.token == .failing })
            let waiting = try await fixture.outbox.depth()
            #expect(waiting.unsigned == 5 && waiting.signed == 0)
            #expect(fixture.status.current.lastError?.contains("CKR_DEVICE_REMOVED") == true)

            signer.failing.withLock { $0 = false }
            #expect(try await fixture.eventually { try await fixture.outbox.depth().signed == 5 })
            #expect(fixture.status.current.token == .ready)
            group.cancelAll()
        }
        let frames = try await fixture.outbox.pending(limit: 10)
        #expect(frames.map(\.transactionID) == [1, 2, 3, 4, 5])
        let verifier = RecordVerifier(validator: CertificateValidator(trustAnchors: [fixture.authority.certificate], crls: [
            try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: fixture.authority.directory.crlPath)))),
        ]))
        for frame in frames {
            let verification = await verifier.verify(frame: frame.frame, certificate: credentials.signingCertificate)
            #expect(verification.passed, "\(verification.failure.map { "\($0)" } ?? "")")
        }
    }

    @Test("each taken reading carries its stage times; delivered readings hand them to the summary")
    func stageTimes() async throws {
        let fixture = try await PipelineFixture()
        defer { fixture.simulator.stop() }
        let credentials = try await fixture.credentials(signer: try SoftwareSigner(generating: .ecdsa(.p256)))
        let wake = Wakeup()
        let poller = fixture.poller(interval: .seconds(3600), signing: wake)
        try await withThrowingTaskGroup(of: Void.self) { group throws in
            group.addTask { try await fixture.signingStage(credentials, wake: wake).run() }
            await poller.pollOnce()
            #expect(try await fixture.eventually { try await fixture.outbox.depth().signed == 1 })
            group.cancelAll()
        }
        let times = fixture.timing.delivered(1)
        #expect(times.modbus != nil && times.build != nil && times.outboxCommit != nil && times.encode != nil && times.signature != nil)
        #expect(times.sendToAcknowledgement == nil)
        let summary = fixture.timing.summary()
        #expect(summary.delivered == 1)
        #expect(summary.description.contains("signature p50"))
    }

    @Test("the meter unreachable: readings are still taken, with invalid values, and the status names it")
    func meterUnreachable() async throws {
        let fixture = try await PipelineFixture()
        fixture.simulator.stop()
        await fixture.poller(interval: .seconds(1), signing: Wakeup()).pollOnce()
        #expect(fixture.status.current.meter == .unreachable)
        #expect(fixture.status.current.lastError?.hasPrefix("meter 12345678 unreachable") == true)
        let readings = try await fixture.outbox.unsigned(limit: 1)
        let record = try #require(readings.first).record()
        #expect(record.errorCode != 0)
    }
}

@Suite("The status the daemon reports")
struct StatusReporterTests {
    @Test("before anything is delivered, the status file already shows what the outbox holds and the last id taken")
    func beforeFirstDelivery() async throws {
        let fixture = try await PipelineFixture()
        defer { fixture.simulator.stop() }
        let path = fixture.scratch.path("status.json")
        // Each write of the file is an event the test waits for, however long a loaded machine takes to get there.
        let (writes, wrote) = AsyncStream.makeStream(of: GatewayStatus.self)
        let status = StatusBoard(path: path) { written, error in if error == nil { wrote.yield(written) } }
        let poller = fixture.poller(interval: .seconds(3600), signing: Wakeup())
        for _ in 0..<2 { await poller.pollOnce() }
        let reporter = StatusReporter(status: status, timing: fixture.timing, outbox: fixture.outbox, interval: .milliseconds(50),
                                      summaryInterval: .seconds(3600), logger: fixture.logger)
        try await withThrowingTaskGroup(of: Void.self) { group throws in
            group.addTask { try await reporter.run() }
            var sawTwo = false
            for await written in writes where written.outboxUnsigned == 2 {
                sawTwo = true
                break
            }
            #expect(sawTwo)
            group.cancelAll()
        }
        let written = try StatusBoard.read(path: path)
        #expect(written.lastTaken == 2 && written.lastDelivered == nil && written.outboxLimit == 10_000)
    }
}
