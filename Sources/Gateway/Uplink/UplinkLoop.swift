import COSEM
import Foundation
import Logging
import Metering
import NIOCore
import PKI
import ServiceLifecycle
import Transport
import UplinkProtocol
import X509

/// The uplink's one loop: connects, runs the session over the connection, and reconnects with back-off. It is the
/// only owner of the `GatewaySession`, so it is a class used by one task, never shared.
final class UplinkLoop {
    let service: UplinkService
    var session: GatewaySession
    var events: AsyncStream<UplinkService.Event>.Iterator
    /// The highest id handed to the session, so the outbox is read from there on.
    var lastEnqueued: UInt64?
    /// The last read of the outbox found everything it held: new signed frames come with a wake
    /// (`UplinkService.wake`), so until one, or a new connection, the outbox is not read again.
    var outboxDrained = false
    var sentAt: [UInt64: ContinuousClock.Instant] = [:]
    /// When a retry-later pause ends; kept across reconnects, as the session's hold is.
    var holdUntil: ContinuousClock.Instant?
    var failuresInARow = 0
    /// When the drain on shutdown ends, whatever is still in flight; set when shutdown begins.
    var drainDeadline: ContinuousClock.Instant?
    /// Graceful shutdown began (`UplinkService.Event.shutdown`).
    var shutdownRequested = false
    /// Wakes the loop at its next deadline (`exchangeDeadline`, a back-off's end).
    let alarm: UplinkAlarm
    /// The head-end's number of the last acknowledgement acted on, kept in the outbox: the next must be higher, on
    /// any connection and after a restart (a replayed acknowledgement is refused). A head-end whose store, and with
    /// it its counter, was replaced says so in its ledger answer (`AcknowledgementFloor.adopt`).
    let acknowledgementFloor: AcknowledgementFloor
    /// The ledger query sent on this connection and not yet answered (`LedgerQueryStep`).
    var ledgerQuery: (id: UInt64, sentAt: ContinuousClock.Instant)?
    /// Acknowledged readings waiting for their removal from the outbox (`commitDeliveries`).
    var deliveries: [UInt64] = []
    let clock = ContinuousClock()

    var settings: UplinkSettings { service.settings }
    var logger: Logger { service.logger }
    var shuttingDown: Bool { shutdownRequested || Task.isShuttingDownGracefully || Task.isCancelled }

    init(service: UplinkService) throws {
        self.service = service
        session = try GatewaySession(window: service.settings.window)
        events = service.eventStream.makeAsyncIterator()
        acknowledgementFloor = AcknowledgementFloor(outbox: service.outbox, headEnd: service.settings.headEnd)
        alarm = UplinkAlarm { [service] number in service.post(.deadline(number: number)) }
    }

    func run() async {
        while !shuttingDown {
            await waitForCard()
            if shuttingDown { break }
            service.status.update { $0.uplink = .connecting }
            do {
                let connection = try await connect()
                failuresInARow = 0
                service.connected()
                service.status.update { [holding = session.isHolding] in $0.uplink = holding ? .holding : .connected }
                logger.info("uplink connected to head-end \(settings.headEnd) at \(settings.host):\(settings.port)")
                try await exchange(over: connection)
                try await commitDeliveries()
                if shuttingDown { break }
            } catch {
                failuresInARow += 1
                let line = "\(error)"
                // Every failure counts; the log says it once per outage, not at each retry.
                if failuresInARow == 1 {
                    logger.error("uplink: \(line); readings stay in the outbox and go when the head-end is back")
                } else {
                    logger.debug("uplink: \(line)")
                }
                service.status.error("uplink: \(line)")
            }
            // Acknowledgements verified before the connection ended still count.
            do { try await commitDeliveries() } catch { logger.error("uplink: \(error)") }
            session.connectionLost()
            sentAt.removeAll()
            // A retry-later pause outlives the connection: the session still holds, and only the deadline
            // `holdUntil`, when it rings on this connection or the next, releases it.
            service.status.update { $0.uplink = shuttingDown ? .stopped : .disconnected }
            if shuttingDown { break }
            await pause(for: backoff())
        }
        alarm.set(nil)
    }

    /// The next event, with the alarm armed for `deadline` meanwhile (nil: no deadline, only events wake the loop).
    func nextEvent(until deadline: ContinuousClock.Instant?) async -> UplinkService.Event? {
        alarm.set(deadline)
        let event = await events.next()
        switch event {
        case .deadline(let number): alarm.rang(number)
        case .shutdown: shutdownRequested = true
        default: break
        }
        return event
    }

    // MARK: Connecting

    /// While the card is out of its reader there is no client key to connect with, and the connection made with it
    /// was dropped (`exchange`): wait for the card, still consuming events. A gate stopped for another reason (a
    /// blocked PIN) does not hold the uplink back: signed readings still go while a connection can be made.
    private func waitForCard() async {
        guard case .cardRemoved = service.gate.state else { return }
        logger.notice("uplink: waiting for the card, whose key is the TLS client key; readings stay in the outbox")
        while case .cardRemoved = service.gate.state, !shuttingDown {
            guard await nextEvent(until: nil) != nil else { return }
        }
    }

    private func connect() async throws -> WrapperConnection {
        let connection = try await WrapperConnection.connect(
            host: settings.host, port: settings.port, tls: service.credentials.tls, serverHostname: nil,
            connectTimeout: settings.connectTimeout, handshakeTimeout: settings.handshakeTimeout,
            maxAPDUSize: SignedAcknowledgement.maxFrameSize
        )
        do {
            try await checkServer(connection.peerCertificate)
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    /// What TLS did not check: that the server is the head-end this gateway reports to, and that its certificate is
    /// a tls certificate nobody revoked.
    private func checkServer(_ certificate: Certificate) async throws {
        let name = SubjectName.commonName(of: certificate.subject) ?? "no CN"
        guard name.uppercased() == settings.headEnd.description else {
            throw UplinkError.notTheHeadEnd(host: settings.host, port: settings.port, expected: settings.headEnd, certifiedAs: name)
        }
        if case .invalid(let failure) = await validator().validate(certificate, profile: .tls) {
            throw UplinkError.serverCertificate(host: settings.host, port: settings.port, failure: failure)
        }
    }

    /// The head-end's certificate is checked for every acknowledgement; its path is kept (`validations`) until a new
    /// CRL comes.
    func validator() async -> CertificateValidator {
        CertificateValidator(trustAnchors: service.credentials.trustAnchors, crls: await service.crl.crls(), cache: service.validations)
    }

    private func backoff() -> Duration {
        let doublings = min(failuresInARow - 1, 16)
        let base = min(settings.reconnectMaximum, settings.reconnectInitial * (1 << max(doublings, 0)))
        return base * Double.random(in: 0.8...1.2)
    }

    /// Waits, still consuming events (a wake or an acknowledgement of a closed connection changes nothing now).
    private func pause(for duration: Duration) async {
        let until = clock.now.advanced(by: duration)
        while clock.now < until, !shuttingDown {
            guard await nextEvent(until: until) != nil else { return }
        }
    }

    // MARK: One connection

    private func exchange(over connection: WrapperConnection) async throws {
        let generation = service.nextGeneration()
        try await connection.channel.executeThenClose { inbound, outbound in
            let reader = Task { [service] in
                do {
                    for try await frame in inbound { service.post(.frame(generation: generation, apdu: frame.apdu)) }
                    service.post(.ended(generation: generation, reason: "the head-end closed the connection"))
                } catch {
                    service.post(.ended(generation: generation, reason: "the connection failed: \(error)"))
                }
            }
            defer { reader.cancel() }
            // The session sends once the head-end's ledger answer has verified (`ledgerAnswer`).
            outboxDrained = false
            try await askLedger(outbound)
            try await sendWhatIsDue(outbound)
            while !drainIsOver(), let event = await nextEvent(until: exchangeDeadline) {
                switch event {
                case .frame(generation, let apdu) where Self.isRequest(apdu):
                    service.requests.submit(apdu, connection: generation)
                case .frame(generation, let apdu):
                    try await acknowledgement(apdu)
                    try await sendWhatIsDue(outbound)
                case .reply(generation, let apdu):
                    try await outbound.write(try WrapperFrame(source: UplinkPorts.gateway, destination: UplinkPorts.headEnd, apdu: apdu))
                case .ended(generation, let reason):
                    throw UplinkError.connectionEnded(reason)
                case .frame, .ended, .reply:
                    continue  // from a connection given up before
                case .wake:
                    outboxDrained = false
                    try await sendWhatIsDue(outbound)
                case .token(.cardRemoved(let reader)):
                    throw UplinkError.cardRemoved(reader: reader)
                case .token, .shutdown:
                    continue  // the drain is checked before the next event
                case .deadline:
                    try await deadlinesPassed(outbound)
                }
            }
        }
    }

    /// Whether a frame from the head-end is a request rather than an acknowledgement: a general-signing around a
    /// get-request, or anything that is not general-signing at all (the request responder answers it with an
    /// exception-response).
    static func isRequest(_ apdu: [UInt8]) -> Bool {
        guard apdu.first == GeneralSigning.tag else { return true }
        guard let frame = try? GeneralSigning(decoding: apdu) else { return false }
        return frame.content.first == GetRequestNormal.tag
    }

    /// Hands the session what the outbox has and writes what the session allows.
    func sendWhatIsDue(_ outbound: NIOAsyncChannelOutboundWriter<WrapperFrame>) async throws {
        if !outboxDrained, session.queuedIDs.count < settings.window {
            let limit = settings.window * 4
            let frames = try await service.outbox.pending(after: lastEnqueued, limit: limit)
            for frame in frames {
                try session.enqueue(OutgoingFrame(transactionID: frame.transactionID, bytes: frame.frame))
                lastEnqueued = frame.transactionID
            }
            outboxDrained = frames.count < limit
        }
        while let frame = session.nextToSend() {
            sentAt[frame.transactionID] = clock.now
            try await outbound.write(try WrapperFrame(source: UplinkPorts.gateway, destination: UplinkPorts.headEnd, apdu: frame.bytes))
        }
    }

    /// An acknowledgement: verified with the head-end's certificate from the Central Directory before it counts.
    private func acknowledgement(_ apdu: [UInt8]) async throws {
        if awaitsLedger { return try await ledgerAnswer(apdu) }
        let verifier = AcknowledgementVerifier(validator: await validator(), headEnd: settings.headEnd,
                                               gateway: service.credentials.recordSigner.originator,
                                               convention: service.credentials.recordSigner.convention)
        let verification = await verifier.verify(frame: apdu, certificates: service.directory, sent: Set(session.inFlightIDs),
                                                 after: acknowledgementFloor.current)
        guard let acknowledgement = verification.acknowledgement else {
            service.rejectedAcknowledgement()
            let reason = verification.failure.map { "\($0.kind): \($0.detail)" } ?? "unverified"
            logger.warning("acknowledgement rejected (\(reason)); the reading stays in the outbox until a genuine one comes")
            service.status.error("acknowledgement rejected: \(reason)")
            return
        }
        let event = session.received(acknowledgement)
        if let number = verification.headEndTransactionID {
            // Written before a refusal is acted on; a delivery's is written with its commit.
            if case .delivered = event {
                try await acknowledgementFloor.accepted(number, durably: false)
            } else {
                try await acknowledgementFloor.accepted(number, durably: true)
            }
        }
        service.count(event)
        switch event {
        case .delivered(let id):
            let roundTrip = sentAt.removeValue(forKey: id).map { clock.now - $0 }
            service.timing.update(id) { $0.sendToAcknowledgement = roundTrip }
            deliveries.append(id)
        case .retryLater(let id, let refusal):
            sentAt.removeValue(forKey: id)
            holdUntil = clock.now.advanced(by: settings.retryLaterPause)
            service.status.update { $0.uplink = .holding }
            logger.notice("head-end asks to send reading \(id) again later (\(refusal.reason): \(refusal.text)); holding \(settings.retryLaterPause)")
        case .refusedFinal(let id, let refusal) where refusal.reason == .conflict:
            sentAt.removeValue(forKey: id)
            try await renumber(id)
        case .refusedFinal(let id, let refusal):
            sentAt.removeValue(forKey: id)
            try await service.outbox.markRefused(transactionID: id, reason: "\(refusal.reason): \(refusal.text)")
            service.timing.discard(id)
            logger.error("head-end refused reading \(id) for good (\(refusal.reason): \(refusal.text)); it stays in the outbox, set aside")
            service.status.error("reading \(id) refused: \(refusal.reason): \(refusal.text)")
        case .ignored(let id):
            logger.debug("acknowledgement for reading \(id), which is not in flight: ignored")
        }
        // One commit for the acknowledgements of a window: at once when nothing else is in flight (one reading a
        // second, or the rest refused), else once half a window is in; the frames still in flight are acknowledged
        // or time out, and either commits. Safe to defer: a reading whose removal a crash loses is sent again and
        // acknowledged as a duplicate.
        if sentAt.isEmpty || deliveries.count >= max(1, settings.window / 2) { try await commitDeliveries() }
    }

    /// Takes the acknowledged readings out of the outbox in one commit, then reports each as delivered.
    func commitDeliveries() async throws {
        guard !deliveries.isEmpty else { return }
        let ids = deliveries
        let started = clock.now
        try await service.outbox.markDelivered(transactionIDs: ids, acknowledgement: acknowledgementFloor.pending)
        acknowledgementFloor.written()
        deliveries.removeAll()
        let share = (clock.now - started) / ids.count
        for id in ids {
            service.timing.update(id) { $0.deliveryCommit = share }
            service.onDelivered(id, service.timing.delivered(id))
        }
    }

}

/// Why the uplink dropped or refused a connection; each line names the cause and what to check.
enum UplinkError: Error, CustomStringConvertible {
    case notTheHeadEnd(host: String, port: Int, expected: SystemTitle, certifiedAs: String)
    case serverCertificate(host: String, port: Int, failure: CertificateValidationFailure)
    case connectionEnded(String)
    case acknowledgementTimeout(after: Duration, inFlight: Int)
    case cardRemoved(reader: String)
    /// The head-end's answer to the ledger query did not verify, refused the query, or did not come.
    case ledgerAnswer(String)

    var description: String {
        switch self {
        case .notTheHeadEnd(let host, let port, let expected, let name):
            "the server at \(host):\(port) is not head-end \(expected): its certificate is for \(name); check upstream.head_end_system_title"
        case .serverCertificate(let host, let port, let failure):
            "the head-end's TLS certificate at \(host):\(port) is refused: \(failure); " + (failure.isRetryable
                ? "check that pkid answers at pki.directory (its CRL)"
                : "the head-end needs a current tls certificate from this CA, not revoked (enroll its tls_key with --profile tls)")
        case .connectionEnded(let reason):
            "\(reason)"
        case .acknowledgementTimeout(let after, let inFlight):
            "no acknowledgement within \(after) (\(inFlight) frames in flight); reconnecting and sending them again"
        case .cardRemoved(let reader):
            "the card left reader \"\(reader)\", and with it the TLS client key: connection closed; frames not acknowledged go again once it is back"
        case .ledgerAnswer(let reason):
            "\(reason); no reading is sent before the head-end says what it holds"
        }
    }
}
