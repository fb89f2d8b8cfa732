import COSEM
import Foundation
@testable import Gateway
import Logging
import Metering
import PKI
import ServiceLifecycle
import Signing
import Synchronization
import Testing
import TestSupport
import X509

/// The uplink without a clock tick: it wakes for events and for the deadlines they set, so an idle gateway leaves its
/// outbox alone; the head-end's requests run beside it, a bounded number at once, and end when it stops.
@Suite("The uplink wakes for events and deadlines only; the head-end's requests are bounded and end at shutdown")
struct UplinkEventTests {
    @Test("an idle uplink runs no statement on the outbox while ten status reports go by")
    func idleReadsNothing() async throws {
        let fixture = try await UplinkFixture()
        try await fixture.fill(3)
        let headEnd = try await fixture.startHeadEnd(identity: try await fixture.serverIdentity())
        let uplink = try fixture.uplink()
        let running = Task { try await uplink.run() }
        let delivered = try await fixture.eventually(60) { fixture.delivered == [1, 2, 3] }
        // The delivery is reported after its commit, the uplink's last statement: from here on it is idle.
        let before = fixture.outboxStatements.count

        // The daemon's status reporter is the clock: ten reports, a second apart, are ten idle seconds. It reads the
        // outbox through a handle of its own, so the count above stays the uplink's alone.
        let reporterOutbox = try Outbox(path: fixture.outbox.path, limit: fixture.outbox.limit)
        let (reports, reported) = AsyncStream.makeStream(of: Void.self)
        let board = StatusBoard(path: fixture.scratch.path("status.json")) { _, error in if error == nil { reported.yield() } }
        let reporter = StatusReporter(status: board, timing: TimingBook(), outbox: reporterOutbox, interval: .seconds(1),
                                      summaryInterval: .seconds(3600), logger: Logger(label: "idle-test"))
        let reporting = Task { try await reporter.run() }
        var count = 0
        for await _ in reports {
            count += 1
            if count == 11 { break }
        }
        let during = fixture.outboxStatements.count - before
        let state = fixture.status.current.uplink
        reporting.cancel()
        running.cancel()
        _ = try? await running.value
        _ = try? await reporting.value
        await headEnd.stop()

        #expect(delivered, "delivered \(fixture.delivered); last error \(fixture.status.current.lastError ?? "none")")
        #expect(state == .connected && fixture.proxy.accepted == 1, "uplink \(state) after \(fixture.proxy.accepted) connections: not idle")
        #expect(during == 0, "the idle uplink ran \(during) statements on the outbox in ten seconds")
    }

    @Test("requests beyond the bound wait for one to finish; shutdown while requests are in flight ends them")
    func requestsBoundedAndCancelled() async throws {
        let fixture = try await UplinkFixture()
        let headEnd = try await fixture.startHeadEnd(identity: try await fixture.serverIdentity())
        let directory = StalledDirectory()
        let uplink = try fixture.uplink(concurrentRequests: 2, requestDirectory: directory)
        let services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [uplink], logger: Logger(label: "uplink-test")))
        let running = Task { try await services.run() }
        let registered = try await fixture.eventually(60) { headEnd.server.router.connected.contains(UplinkFixture.gateway) }
        #expect(registered, "the gateway did not connect: \(fixture.status.current.lastError ?? "no error")")

        // Three signed requests at once; the gateway's look-up of the signer's certificate hangs in the directory.
        let signer = try await fixture.serverIdentity(profile: .sign)
        let sent = Task {
            try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                for id: UInt64 in 1...3 {
                    let request = try await SignedRequest.sign(
                        GetRequestNormal(invokeIDAndPriority: SignedRequest.invokeID(for: id), attribute: Self.energy), transactionID: id,
                        signer: signer.key, certificate: signer.certificate, originator: UplinkFixture.headEnd, recipient: UplinkFixture.gateway)
                    group.addTask {
                        try? await headEnd.server.router.send(request.encoded, transactionID: id, to: UplinkFixture.gateway, timeout: .seconds(300))
                    }
                }
                return try await group.reduce(into: [[UInt8]?]()) { $0.append($1) }
            }
        }
        let twoRunning = try await fixture.eventually(60) { directory.started == 2 && uplink.requests.waiting == 1 }
        #expect(twoRunning, "\(directory.started) look-ups started, \(uplink.requests.waiting) requests waiting")
        #expect(directory.started == 2, "a third request started beside the two running")

        // One look-up answers (the directory is down): its request is answered, and the waiting one starts.
        directory.releaseOne()
        let thirdStarted = try await fixture.eventually(60) { directory.started == 3 && uplink.requests.waiting == 0 }
        #expect(thirdStarted, "\(directory.started) look-ups started, \(uplink.requests.waiting) requests waiting")

        // Shutdown with two requests in flight: the uplink stops, and they end with it.
        await services.triggerGracefulShutdown()
        try await running.value
        #expect(directory.ended == 3, "\(directory.started) look-ups started, \(directory.ended) ended")
        #expect(directory.cancelled == 2)
        let answers = try await sent.value
        #expect(answers.compactMap { $0 }.count == 1, "one answer, from the released look-up; the other two lost their connection")
        await headEnd.stop()
    }

    static let energy = AttributeDescriptor(classID: 3, instance: OBISCode(1, 0, 1, 8, 1, 255), attribute: 2)
}

/// A Central Directory that does not answer: each look-up waits until the test releases one (it then says the
/// directory is unavailable) or its task is cancelled. Counts what became of them.
final class StalledDirectory: CertificateSource {
    private struct State {
        var waiting: [Int: CheckedContinuation<Bool, Never>] = [:]
        var cancelledBeforeWaiting: Set<Int> = []
        var started = 0
        var ended = 0
        var cancelled = 0
    }

    private let state = Mutex(State())

    var started: Int { state.withLock { $0.started } }
    var ended: Int { state.withLock { $0.ended } }
    var cancelled: Int { state.withLock { $0.cancelled } }

    /// Lets the longest-waiting look-up go on.
    func releaseOne() {
        let continuation = state.withLock { state in
            state.waiting.keys.min().flatMap { state.waiting.removeValue(forKey: $0) }
        }
        continuation?.resume(returning: true)
    }

    func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate {
        let number = state.withLock { state in
            state.started += 1
            return state.started
        }
        let released = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelledAlready = state.withLock { state in
                    guard state.cancelledBeforeWaiting.remove(number) == nil else { return true }
                    state.waiting[number] = continuation
                    return false
                }
                if cancelledAlready { continuation.resume(returning: false) }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                guard let continuation = state.waiting.removeValue(forKey: number) else {
                    state.cancelledBeforeWaiting.insert(number)
                    return CheckedContinuation<Bool, Never>?.none
                }
                return continuation
            }
            continuation?.resume(returning: false)
        }
        state.withLock { state in
            state.ended += 1
            if !released { state.cancelled += 1 }
        }
        throw .unavailable(source: "the stalled test directory", reason: released ? "released by the test" : "cancelled")
    }
}
