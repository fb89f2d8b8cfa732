import Logging
import ServiceLifecycle
import Signing

/// Follows the card in the gateway's reader and opens or closes the `TokenGate` accordingly.
///
/// Removed: the gate closes (nothing is signed, the uplink drops its TLS connection), polling goes on, and the log,
/// the status file and `gateway_card_present` say so. Inserted: before anything is signed with it, the card must
/// prove to be the gateway's card: `admit` logs in again from the PIN source and finds both keys again by URI, the
/// same public keys as the certificates in use (`TokenKey.checkPresent`). Only then does the gate open, and the
/// backlog is signed in order. A different card, or a blocked PIN, keeps the gate closed with a line that says what
/// to do; nothing tries that card again until a card is inserted anew.
///
/// The presence events come from the reader monitor (the executable maps PC/SC events to them), so this type knows
/// nothing of PC/SC and the rules above are the gateway's, in one place.
public struct CardWatch: Service {
    public enum Presence: Sendable, Hashable {
        case present
        /// Out of the reader, or not knowable (pcscd not answering, the reader unplugged): the reason says which.
        case absent(String)
    }

    public let reader: String
    let presence: AsyncStream<Presence>
    let gate: TokenGate
    let status: StatusBoard
    let logger: Logger
    /// Logs in again and finds the gateway's keys on the card now in the reader; throws what is wrong.
    let admitCard: @Sendable () async throws -> Void
    /// Lets go of the pulled card (sessions, the middleware's handle), so the reader is free for the next card; called
    /// on removal and again at each reminder that the reader is still empty.
    let releaseCard: @Sendable () async -> Void
    /// Tries for a card that answers slowly after insertion (the module may need a moment to see the new token).
    let attempts: Int
    /// Whether the card was in the reader at start (gatewayd opened its keys on it, so it is the right one).
    let presentAtStart: Bool

    /// - Parameter present: the card is in the reader at start. Without it the gate closes at once, as after a
    ///   removal: polling runs, nothing is signed or sent, and the card is checked (`admitCard`) when it comes.
    public init(reader: String, presence: AsyncStream<Presence>, gate: TokenGate, status: StatusBoard, logger: Logger, present: Bool = true,
                attempts: Int = 5, releaseCard: @escaping @Sendable () async -> Void = {},
                admitCard: @escaping @Sendable () async throws -> Void) {
        self.reader = reader
        self.presence = presence
        self.gate = gate
        self.status = status
        self.logger = logger
        self.presentAtStart = present
        self.attempts = attempts
        self.admitCard = admitCard
        self.releaseCard = releaseCard
        status.update {
            $0.reader = reader
            $0.cardPresent = present
        }
        if !present {
            // Closed before any stage runs, so nothing tries the card that is not there.
            gate.set(.cardRemoved(reader: reader))
            let line = "the reader was empty at start: polling goes on, readings wait unsigned in the outbox; insert the gateway's card"
            status.update {
                $0.token = .cardRemoved
                $0.tokenReason = line
            }
            logger.warning("no card in reader \"\(reader)\" at start; signing and the uplink wait for it, polling goes on")
        }
    }

    public func run() async throws {
        var present = presentAtStart
        for await event in presence.cancelOnGracefulShutdown() {
            switch event {
            case .absent(let why):
                guard present else {
                    await releaseCard()  // a reminder while the reader is empty (see releaseCard)
                    continue
                }
                present = false
                gate.set(.cardRemoved(reader: reader))
                let line = "\(why): signing stops, polling goes on, readings wait unsigned in the outbox; insert the gateway's card"
                logger.warning("card removed from reader \"\(reader)\" (\(why)); signing stops and the uplink waits, polling goes on")
                status.update {
                    $0.cardPresent = false
                    $0.token = .cardRemoved
                    $0.tokenReason = line
                }
                status.error("card removed from reader \"\(reader)\": \(line)")
                await releaseCard()
            case .present:
                guard !present else { continue }
                present = true
                status.update { $0.cardPresent = true }
                logger.info("card inserted in reader \"\(reader)\": checking that it is the gateway's card")
                await admit()
            }
        }
    }

    /// Checks the inserted card and opens the gate, or stops with the reason.
    private func admit() async {
        var lastError: (any Error)?
        for attempt in 1...max(1, attempts) {
            do {
                try await admitCard()
                gate.set(.open)
                status.update {
                    $0.token = .ready
                    $0.tokenReason = nil
                }
                logger.notice("card back in reader \"\(reader)\": logged in again and both keys found; signing the backlog in order")
                return
            } catch {
                lastError = error
                if SignerFailureKind(of: error) == .operatorNeeded || Task.isCancelled { break }
                logger.debug("card in reader \"\(reader)\" not usable yet (try \(attempt)): \(error)")
                try? await Task.sleep(for: .milliseconds(300 * attempt))
            }
        }
        // A failure only a person can fix says its own fix (unblock the PIN, or CardRefusal's "insert the gateway's own
        // card"); one that lasted through every try means the card does not hold what the gateway looks for.
        let reason = lastError.map { SignerFailureKind(of: $0) == .operatorNeeded } == true
            ? "the card in reader \"\(reader)\" cannot be used: \(lastError.map { "\($0)" } ?? "")"
            : "the card in reader \"\(reader)\" is refused: \(lastError.map { "\($0)" } ?? "unusable"); insert the gateway's own card"
        gate.set(.stopped(reason: reason))
        status.update {
            $0.token = .stopped
            $0.tokenReason = reason
        }
        status.error(reason)
        logger.critical("\(reason)")
    }
}

/// Why an inserted card is not taken, when the token layer's own words would mislead: a key found under the
/// configured name that is not the enrolled key means another card, not a replaced key.
public struct CardRefusal: Error, ClassifiedSignerError, CustomStringConvertible {
    public var detail: String
    public init(differentCard detail: String) { self.detail = detail }
    public var failureKind: SignerFailureKind { .operatorNeeded }
    public var description: String { "it is not the gateway's card (\(detail)); insert the gateway's own card" }
}
