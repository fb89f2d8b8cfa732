import Foundation

/// A PIV card application: one command APDU in, one response APDU out, with the card's state persisted in a
/// `CardStateStore` as it changes.
///
/// It implements what OpenSC 0.23's PIV driver (card-piv.c) and `piv-tool` use: SELECT, GET DATA, VERIFY,
/// GENERAL AUTHENTICATE (ECDSA P-256/P-384 and the AES-128 management key), GENERATE ASYMMETRIC KEY PAIR,
/// PUT DATA, command chaining and response chaining. It is not thread-safe: one reader drives one card, and
/// `VPCDLink` calls it from its single thread.
///
/// This is a test instrument: its private keys live as plain files in the state directory.
public final class PIVCard {
    public struct Options: Sendable {
        /// Time each signature takes, as a real card's 50–500 ms would; zero signs at once.
        public var signDelay: Duration = .zero
        public init(signDelay: Duration = .zero) { self.signDelay = signDelay }
    }

    public let store: CardStateStore
    public let options: Options
    public private(set) var state: CardState
    var session = PIVSession()

    /// Opens the card in `store`, creating an empty card with `pin` when the directory holds none.
    public init(store: CardStateStore, pin: String = CardState.defaultPIN, options: Options = Options()) throws(CardStateError) {
        self.store = store
        self.options = options
        state = try store.loadOrCreate { () throws(CardStateError) in try CardState(pin: pin) }
    }

    /// The answer to reset vpcd hands pcscd.
    public var atr: [UInt8] { PIVApplication.atr }

    /// Power on or reset: a new session, and the state read again so a `provision` made meanwhile shows.
    public func reset() {
        session = PIVSession()
        // Best effort: a state file unreadable meanwhile leaves the card as this process last saved it (every
        // change is saved before it is answered), which is the state the file should hold.
        if let stored = try? store.load() { state = stored }
    }

    /// Power off: the session ends.
    public func powerOff() {
        session = PIVSession()
    }

    /// Processes the raw bytes of one command; malformed input is answered with a status word.
    public func process(_ bytes: [UInt8]) -> [UInt8] {
        do {
            return process(try CommandAPDU(parsing: bytes)).bytes
        } catch {
            session.chain = nil
            return ResponseAPDU(.wrongLength).bytes
        }
    }

    /// Processes one command, joining chained commands and splitting long responses.
    public func process(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.cla & ~0x10 == 0x00 else {
            session.chain = nil
            return ResponseAPDU(.classNotSupported)
        }
        if command.ins == PIVInstruction.getResponse.rawValue {
            return getResponse(command)
        }
        session.pendingResponse = []
        var full = command
        if let chain = session.chain {
            session.chain = nil
            guard chain.ins == command.ins, chain.p1 == command.p1, chain.p2 == command.p2 else {
                return ResponseAPDU(.lastCommandOfChainExpected)
            }
            full.data = chain.data + command.data
        }
        if command.isChained {
            guard full.data.count + 255 <= TLVReader.maximumLength else { return ResponseAPDU(.wrongLength) }
            session.chain = (command.ins, command.p1, command.p2, full.data)
            return ResponseAPDU(.success)
        }
        full.cla &= ~0x10
        let response = dispatch(full)
        return deliver(response, limit: command.expectedLength ?? 256)
    }

    private func dispatch(_ command: CommandAPDU) -> ResponseAPDU {
        switch PIVInstruction(rawValue: command.ins) {
        case .select: select(command)
        case .getData: getData(command)
        case .putData: putData(command)
        case .verify: verify(command)
        case .generalAuthenticate: generalAuthenticate(command)
        case .generateAsymmetricKeyPair: generateKeyPair(command)
        case .getResponse, nil: ResponseAPDU(.instructionNotSupported)
        }
    }

    /// Response chaining: at most `limit` bytes now, the rest announced by 61xx for GET RESPONSE.
    private func deliver(_ response: ResponseAPDU, limit: Int) -> ResponseAPDU {
        guard response.data.count > limit, response.status == .success else { return response }
        session.pendingResponse = Array(response.data.dropFirst(limit))
        return ResponseAPDU(data: Array(response.data.prefix(limit)), status: .moreData(session.pendingResponse.count))
    }

    private func getResponse(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0, command.p2 == 0 else { return ResponseAPDU(.incorrectP1P2) }
        guard !session.pendingResponse.isEmpty else { return ResponseAPDU(.conditionsOfUseNotSatisfied) }
        let limit = command.expectedLength ?? 256
        let chunk = Array(session.pendingResponse.prefix(limit))
        session.pendingResponse.removeFirst(chunk.count)
        let status: StatusWord = session.pendingResponse.isEmpty ? .success : .moreData(session.pendingResponse.count)
        return ResponseAPDU(data: chunk, status: status)
    }

    private func select(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x04 else { return ResponseAPDU(.fileNotFound) }
        guard command.data.count >= PIVApplication.rid.count, command.data.count <= PIVApplication.aid.count,
              Array(PIVApplication.aid.prefix(command.data.count)) == command.data else {
            return ResponseAPDU(.fileNotFound)
        }
        return ResponseAPDU(data: PIVApplication.propertyTemplate)
    }

    /// Saves the state; false when the disk refused, in which case the caller answers without the change.
    func persist(_ newState: CardState) -> Bool {
        do {
            try store.save(newState)
            state = newState
            return true
        } catch {
            return false
        }
    }
}
