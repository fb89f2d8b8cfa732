import COSEM
import Foundation
import Logging
import Metering
import Metrics
import NIOCore
import PKI
import ServiceLifecycle
import Synchronization
import Transport
import UplinkProtocol
import X509

/// The last stage: sends the outbox's signed frames to the head-end over mutually authenticated TLS (the client key
/// on the token), a window of them in flight at once, and takes a reading out of the outbox only when an
/// acknowledgement for it has verified with the head-end's certificate.
///
/// The protocol's rules are `GatewaySession`'s (order, window, resend after reconnect, retry-later holds); this
/// service moves bytes and keeps time. One loop owns the session and consumes events (an acknowledgement read, the
/// connection ending, "new frames in the outbox", a deadline due, shutdown), so the session needs no lock and every
/// rule is applied in one place. There is no clock tick: each deadline is armed when the event that sets it happens
/// (`UplinkAlarm`), and an idle uplink waits without reading the outbox. Requests from the head-end are answered
/// beside the loop (`RequestQueue`), at most `settings.concurrentRequests` at once, and cancelled when the uplink
/// stops. A connection is given up when the oldest frame in flight has waited `acknowledgementTimeout`;
/// a server that is not the head-end (another system title in its certificate, revoked, not a tls certificate) is
/// refused before a frame is written.
public final class UplinkService: Service, Sendable {
    public let settings: UplinkSettings
    let outbox: Outbox
    let credentials: GatewayCredentials
    let directory: any CertificateSource
    let crl: CRLCache
    let timing: TimingBook
    let status: StatusBoard
    let logger: Logger
    let onDelivered: @Sendable (UInt64, StageTimes) -> Void
    /// Answers signed requests that come down the uplink.
    let requests: RequestQueue
    /// The TLS client key is on the token: while the card is out, there is no connection (see `UplinkLoop.run`).
    let gate: TokenGate
    /// The signing stage's doorbell: a reading renumbered after a `conflict` is unsigned again and waits for it.
    let signing: Wakeup?
    /// The head-end's certificate is checked for every acknowledgement: its path is built once a minute, not each time.
    let validations = ValidationCache()
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let generation = Atomic<Int>(0)
    private let delivered = Counter(label: "gateway_readings_delivered_total")
    private let refusals = Counter(label: "gateway_refusals_total")
    private let rejectedAcknowledgements = Counter(label: "gateway_acknowledgements_rejected_total")
    private let reconnects = Counter(label: "gateway_uplink_connects_total")

    enum Event: Sendable {
        case frame(generation: Int, apdu: [UInt8])
        /// A signed answer to a request that came on connection `generation`, to write there.
        case reply(generation: Int, apdu: [UInt8])
        case ended(generation: Int, reason: String)
        case wake
        /// The loop's alarm `number` rang: a deadline is due (`UplinkAlarm`).
        case deadline(number: Int)
        /// Graceful shutdown began: deliver what is signed, at most `drainTimeout`, then stop.
        case shutdown
        /// The token gate changed (a card removed or back).
        case token(TokenGate.State)
    }

    public init(settings: UplinkSettings, outbox: Outbox, credentials: GatewayCredentials, directory: any CertificateSource,
                crl: CRLCache, timing: TimingBook, status: StatusBoard, logger: Logger, requests: SignedRequestResponder,
                gate: TokenGate = TokenGate(), signing: Wakeup? = nil,
                onDelivered: @escaping @Sendable (UInt64, StageTimes) -> Void = { _, _ in }) {
        self.settings = settings
        self.outbox = outbox
        self.credentials = credentials
        self.directory = directory
        self.crl = crl
        self.timing = timing
        self.status = status
        self.logger = logger
        self.onDelivered = onDelivered
        self.requests = RequestQueue(responder: requests, limit: settings.concurrentRequests)
        self.gate = gate
        self.signing = signing
        (events, continuation) = AsyncStream.makeStream()
    }

    /// New signed frames are in the outbox (the signing stage calls this through its `Wakeup`).
    public func wake() {
        continuation.yield(.wake)
    }

    public func run() async throws {
        let loop = try UplinkLoop(service: self)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { [continuation, gate] in
                for await state in gate.changes() { continuation.yield(.token(state)) }
            }
            group.addTask { [continuation, requests] in
                await requests.run { answer, connection in continuation.yield(.reply(generation: connection, apdu: answer)) }
            }
            await withGracefulShutdownHandler {
                await loop.run()
            } onGracefulShutdown: { [continuation] in
                continuation.yield(.shutdown)
            }
            status.update { $0.uplink = .stopped }
            // The requests still running end here: their connection is gone.
            group.cancelAll()
        }
    }

    // MARK: Used by the loop

    func nextGeneration() -> Int { generation.add(1, ordering: .relaxed).newValue }
    var eventStream: AsyncStream<Event> { events }
    func post(_ event: Event) { continuation.yield(event) }

    func count(_ event: SessionEvent) {
        switch event {
        case .delivered: delivered.increment()
        case .refusedFinal, .retryLater: refusals.increment()
        case .ignored: break
        }
    }

    func rejectedAcknowledgement() { rejectedAcknowledgements.increment() }
    func connected() { reconnects.increment() }
}
