import CPKCS11
import Foundation
import Signing
import Synchronization

/// An open token: its slot, a bounded set of sessions, the login, and the threads every Cryptoki call runs on.
///
/// Callers use `async` methods; the blocking Cryptoki calls run on the token's lanes, one dedicated thread per
/// session (see `Lane`), so a call never waits for a session and never runs on the caller's thread. A card that
/// signs in 150 ms therefore never stalls an event loop, and throughput grows with sessions on tokens that sign
/// in parallel.
///
/// After the token is removed or reset (sessions or handles reported stale) the token reopens its sessions,
/// logs in again from the same PIN source, and callers find their objects again by URI; see `perform`.
public final class Token: Sendable {
    public let module: Module
    /// The URI's token part: what selected this token, and what selects it again after a reset.
    public let uri: PKCS11URI
    let lanes: [Lane]
    private let environment: [String: String]
    private let state: Mutex<State>

    struct State {
        var slot: CK_SLOT_ID
        var info: TokenInfo
        var mechanisms: Set<CK_MECHANISM_TYPE>
        /// Bumped on every recovery; sessions and object handles from an older generation are stale.
        var generation = 0
        var loggedIn = false
        /// Sessions open now. Cryptoki logs the application out when its last session on a token closes, so
        /// `loggedIn` falls with this reaching zero.
        var openSessions = 0
        var pinSource: PINSource?
        /// The PIN that worked, kept for re-login after a reset and for per-signature (context-specific) login.
        var pin: [UInt8]?
        /// Set after a wrong PIN so that nothing retries that PIN and burns the token's remaining tries. Only a
        /// digest is kept; a different PIN from the same source (the file was fixed) is tried.
        var rejectedPIN: (digest: [UInt8], error: PKCS11Error)?
    }

    /// The label the token reports.
    public var label: String { state.withLock { $0.info.label } }
    public var info: TokenInfo { state.withLock { $0.info } }
    var generation: Int { state.withLock { $0.generation } }

    /// Opens the one token `uri` selects. Fails if none or several match.
    public static func open(
        _ uri: PKCS11URI, module: Module, maxSessions: Int = 4,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> Token {
        let (slot, mechanisms) = try await offloaded {
            let slot = try Token.selectSlot(uri, module: module)
            return (slot, try module.mechanisms(slot: slot.id))
        }
        return try Token(uri: uri, module: module, slot: slot, mechanisms: mechanisms, maxSessions: maxSessions, environment: environment)
    }

    private init(
        uri: PKCS11URI, module: Module, slot: Slot, mechanisms: Set<CK_MECHANISM_TYPE>, maxSessions: Int,
        environment: [String: String]
    ) throws {
        guard let info = slot.token else { throw PKCS11Error.tokenRemoved(uri.token ?? "?") }
        let pinSource = try PINSource.resolve(for: uri, environment: environment)
        let tokenLimit = info.maxReadWriteSessions ?? info.maxSessions ?? Int.max
        self.module = module
        self.uri = uri.tokenPart
        self.environment = environment
        self.state = Mutex(State(slot: slot.id, info: info, mechanisms: mechanisms, pinSource: pinSource))
        self.lanes = (0..<max(1, min(maxSessions, tokenLimit))).map { Lane(name: "pkcs11 \(info.label) \($0)") }
        module.register(lanes)
    }

    /// Runs `body` on the token's first lane thread, so that its token calls run inline with no thread hop.
    ///
    /// For a stage that does little but sign (the gateway's signing stage, a benchmark): its own code then runs
    /// on the token's thread too and delays other callers' work on that lane, and it must not block on anything
    /// but the token. Everyone else keeps calling from anywhere.
    public func withTokenThread<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await withTaskExecutorPreference(lanes[0], operation: body)
    }

    /// Closes the token's sessions. Calls made afterwards open new ones.
    public func close() async {
        for lane in lanes {
            _ = try? await lane.run { self.closeSession(of: lane) }
        }
    }

    /// The slot whose token matches the URI's token attributes.
    static func selectSlot(_ uri: PKCS11URI, module: Module) throws(PKCS11Error) -> Slot {
        let slots = try module.slots(withTokenOnly: true).filter { $0.token?.flags.contains(.tokenInitialized) ?? false }
        let moduleInfo = try module.info()
        let matching = slots.filter { uri.matches($0, module: moduleInfo) }
        switch matching.count {
        case 1:
            return matching[0]
        case 0:
            throw .tokenNotFound(uri.tokenPart, available: slots.compactMap { $0.token.map { "\"\($0.label)\" (serial \($0.serialNumber))" } })
        default:
            throw .invalidRequest(
                "\(uri.tokenPart) matches \(matching.count) tokens (\(matching.compactMap { $0.token.map { "\"\($0.label)\" serial \($0.serialNumber)" } }.joined(separator: ", "))); add serial= to the URI"
            )
        }
    }

    // MARK: Running Cryptoki calls

    /// Runs `body` on the token's threads with a session of its own, logged in first when `login` is set.
    ///
    /// If the call fails because sessions or handles went stale, the token recovers once (new sessions, new
    /// login, a fresh slot lookup) and runs `body` again; `body` must therefore look its objects up through
    /// the generation it is given rather than trust handles from before.
    func perform<T: Sendable>(
        login: Bool, _ body: @escaping @Sendable (Session, _ generation: Int) throws(PKCS11Error) -> T
    ) async throws -> T {
        let lane = lanes.first(where: \.isCurrent) ?? lanes.min { $0.pending < $1.pending } ?? lanes[0]
        return try await lane.run {
            do {
                return try self.attempt(on: lane, login: login, body)
            } catch let PKCS11Error.call(_, rv) where rv.invalidatesSessions {
                try self.recover(failedGeneration: lane.sessionGeneration)
                return try self.attempt(on: lane, login: login, body)
            }
        }
    }

    /// One try of `body` on the lane's session, opened (again) when it is missing or from before a recovery.
    /// Runs on the lane's queue.
    private func attempt<T>(on lane: Lane, login: Bool, _ body: (Session, Int) throws(PKCS11Error) -> T) throws(PKCS11Error) -> T {
        let (slot, generation) = state.withLock { ($0.slot, $0.generation) }
        if lane.session == nil || lane.sessionGeneration != generation {
            closeSession(of: lane)
            lane.session = try Session.open(module, slot: slot)
            lane.sessionGeneration = generation
            state.withLock { $0.openSessions += 1 }
        }
        guard let session = lane.session else { throw .tokenRemoved(label) }
        do {
            if login { try logIn(session, generation: generation) }
            return try body(session, generation)
        } catch {
            // A session that saw an error may hold a half-done operation (a sign after a failed context
            // login), so it is closed rather than reused; errors are rare and a new session is cheap.
            closeSession(of: lane)
            throw error
        }
    }

    /// Closes the lane's session, if any; on the lane's thread.
    private func closeSession(of lane: Lane) {
        guard let session = lane.session else { return }
        lane.session = nil
        let current = state.withLock { state in
            guard lane.sessionGeneration == state.generation else { return false }
            state.openSessions -= 1
            if state.openSessions == 0 { state.loggedIn = false }
            return true
        }
        // A session from before a recovery died with C_CloseAllSessions; closing it again is harmless.
        if current { session.close() }
    }

    /// Logs the application in once; every session of this process shares the login (PKCS#11 §5.6).
    private func logIn(_ session: Session, generation: Int) throws(PKCS11Error) {
        let (needed, rejected, cachedPIN, source, label) = state.withLock { state in
            (!state.loggedIn && state.info.flags.contains(.loginRequired), state.rejectedPIN, state.pin, state.pinSource, state.info.label)
        }
        guard needed else { return }
        let pin: [UInt8]
        if let source, source != .prompt || cachedPIN == nil {
            pin = try source.read(token: label, environment: environment)
        } else if let cachedPIN {
            pin = cachedPIN
        } else {
            throw .pinUnavailable(token: label)
        }
        let digest = HashAlgorithm.sha256.digest(pin)
        if let rejected, rejected.digest == digest { throw rejected.error }
        let rv = session.login(pin)
        switch rv.rawValue {
        case CK_RV(CKR_OK):
            state.withLock { state in
                state.loggedIn = true
                state.pin = pin
            }
        case CK_RV(CKR_PIN_INCORRECT), CK_RV(CKR_PIN_LEN_RANGE):
            let flags = (try? module.tokenInfo(slot: state.withLock { $0.slot }).flags) ?? []
            let error: PKCS11Error
            if flags.contains(.userPINLocked) {
                error = .pinLocked(token: label)
            } else {
                error = .pinIncorrect(token: label, tries: flags.contains(.userPINFinalTry) ? .finalTry : flags.contains(.userPINCountLow) ? .low : .unreported)
            }
            state.withLock { $0.rejectedPIN = (digest, error) }
            throw error
        case CK_RV(CKR_PIN_LOCKED):
            throw .pinLocked(token: label)
        default:
            throw .call("C_Login", rv)
        }
    }

    /// Starts over after the token went away or was reset: drops every session, finds the token again by URI,
    /// and refreshes what it reports. Callers' object handles become stale through the new generation.
    private func recover(failedGeneration: Int) throws(PKCS11Error) {
        let (label, current) = state.withLock { ($0.info.label, $0.generation) }
        // Another lane recovered since this one's call began: its work stands, just retry.
        guard current == failedGeneration else { return }
        dropSessions()
        let slot: Slot
        do {
            slot = try Token.selectSlot(uri, module: module)
        } catch {
            throw .tokenRemoved(label)
        }
        guard let info = slot.token else { throw .tokenRemoved(label) }
        let mechanisms = try module.mechanisms(slot: slot.id)
        state.withLock { state in
            state.slot = slot.id
            state.info = info
            state.mechanisms = mechanisms
        }
    }

    /// Drops every session and finds the token again by URI, as after a reset; the next call logs in again from the
    /// PIN source. For a card that was just reinserted: the module may not have noticed yet that the old sessions
    /// died, and a handle from the old card must not be trusted with the new one. A PIN refused as blocked may be
    /// tried once more (the card may have been unblocked meanwhile; a blocked card loses nothing by a try); a PIN
    /// refused as wrong stays refused.
    public func reconnect() async throws {
        try await lanes[0].run {
            self.state.withLock { state in
                if case .pinLocked = state.rejectedPIN?.error { state.rejectedPIN = nil }
            }
            try self.recover(failedGeneration: self.generation)
        }
    }

    /// Lets go of a token that was pulled out: drops every session and asks the module for its slots, which is when
    /// OpenSC notices the card is gone and releases its PC/SC handle. Until then pcscd keeps a transaction the
    /// pulled card left open (SCardEndTransaction fails once the card is gone) and holds every program, this one
    /// included, off the reader, so the next card in it is never even powered. Nothing here fails: the token is
    /// gone, and the next call finds it again (`recover`).
    public func release() async {
        _ = try? await lanes[0].run {
            self.dropSessions()
            _ = try? self.module.slots(withTokenOnly: false)
        }
    }

    /// Closes every session of the token and starts a new generation: the login goes with the sessions, and every
    /// lane notices the generation and opens a fresh session (with handles looked up again) on its next call.
    /// Closed before the generation moves on, so that no session a lane opens for the new generation is closed too.
    private func dropSessions() {
        _ = module.functions.pointee.C_CloseAllSessions(state.withLock { $0.slot })
        state.withLock { state in
            state.loggedIn = false
            state.openSessions = 0
            state.generation += 1
        }
    }

    // MARK: What the token can do

    func supports(_ mechanism: CK_MECHANISM_TYPE) -> Bool {
        state.withLock { $0.mechanisms.contains(mechanism) }
    }

    /// The PIN for a per-signature login, when a key demands one.
    func contextPIN() throws(PKCS11Error) -> [UInt8] {
        let (pin, label) = state.withLock { ($0.pin, $0.info.label) }
        guard let pin else { throw .pinUnavailable(token: label) }
        return pin
    }
}

extension Token {
    /// The slot the token is in now (it can change after a reset).
    var currentSlot: CK_SLOT_ID { state.withLock { $0.slot } }
}
