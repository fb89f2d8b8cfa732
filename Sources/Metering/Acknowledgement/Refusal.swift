import COSEM

/// Why the head-end did not store a record, and whether sending it again can change that.
///
/// The reason mirrors the check that failed at the head-end (`RecordVerification.CheckKind`), plus those that are
/// not checks of the frame's signature: `replay` (the ledger's verdict on an old id), `store` (the head-end could not
/// keep it), `conflict` (the head-end holds another frame under this id) and `recipient` (the frame is addressed to
/// another head-end).
/// Only `disposition` tells the gateway what to do: `retryLater` when there was no verdict on the record (revocation
/// status or the directory could not be had, the store failed), so it keeps the frame and sends it again; `final`
/// otherwise, so it stops sending it.
public struct Refusal: Sendable, Hashable {
    /// The `reason` enum on the wire.
    public enum Reason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Not a general-signing frame.
        case frame = 1
        /// `certificate_info` is unreadable or names another certificate than the one found.
        case certificateInfo = 2
        /// The certificate is not the originator system title's.
        case originator = 3
        /// The signature does not verify.
        case signature = 4
        /// The certificate is not trusted, or its status could not be had.
        case certificate = 5
        /// The content is not a measurement record numbered as the transaction id says.
        case content = 6
        /// A transaction id older than the head-end's recent window that it does not hold (`ReceiverLedger`).
        case replay = 7
        /// The head-end could not store the reading.
        case store = 8
        /// The head-end holds a different frame under this gateway's transaction id (the gateway numbered from an
        /// outbox that was emptied or restored from an old backup): final, the frame kept as evidence. A gateway
        /// renumbers the reading above every id the head-end holds and sends it again (`Outbox.renumber`).
        case conflict = 9
        /// The frame is addressed (its recipient system title) to another head-end.
        case recipient = 10

        /// The reason for a failed check of `RecordVerifier`. An evidence file's check cannot fail on a frame from
        /// the network; should it, its meaning (the readable copy is not what was signed) is the content's.
        public init(_ kind: RecordVerification.CheckKind) {
            switch kind {
            case .frame: self = .frame
            case .certificateInfo: self = .certificateInfo
            case .originator: self = .originator
            case .signature: self = .signature
            case .certificate: self = .certificate
            case .content, .evidence: self = .content
            }
        }

        /// The name printed, the same as the check's.
        public var description: String {
            switch self {
            case .frame: "frame"
            case .certificateInfo: "certificate_info"
            case .originator: "originator"
            case .signature: "signature"
            case .certificate: "certificate"
            case .content: "content"
            case .replay: "replay"
            case .store: "store"
            case .conflict: "conflict"
            case .recipient: "recipient"
            }
        }
    }

    /// The `disposition` enum on the wire.
    public enum Disposition: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// A verdict on the frame: sending it again gets the same answer.
        case final = 0
        /// No verdict yet: keep the frame and send it again later.
        case retryLater = 1

        public var description: String {
            switch self {
            case .final: "final"
            case .retryLater: "retry later"
            }
        }
    }

    /// The longest text: one length byte after `81`, and enough for the validator's sentences.
    public static let maxTextLength = 255

    public var reason: Reason
    public var disposition: Disposition
    /// Printable ASCII (0x20...0x7E), at most `maxTextLength` characters: a gateway logs it as it is.
    public private(set) var text: String

    /// Refuses text a gateway could not log safely or the wire could not carry.
    public init(reason: Reason, disposition: Disposition, text: String) throws(AcknowledgementError) {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maxTextLength, bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw .invalidText(text)
        }
        self.reason = reason
        self.disposition = disposition
        self.text = text
    }

    /// A refusal whose text is made to fit: characters outside printable ASCII become `?`, and text beyond 255
    /// characters is cut, ending in `...`. For texts the head-end did not write itself (a validator's sentence).
    public init(reason: Reason, disposition: Disposition, describing text: String) {
        var bytes = text.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? UInt8($0.value) : UInt8(ascii: "?") }
        if bytes.count > Self.maxTextLength { bytes = Array(bytes.prefix(Self.maxTextLength - 3)) + Array("...".utf8) }
        self.reason = reason
        self.disposition = disposition
        self.text = String(decoding: bytes, as: UTF8.self)
    }

    /// The refusal for a record that failed verification: the first failed check's kind and detail, retry-later
    /// exactly when the verification `isRetryable`. Nil when it passed.
    public init?(_ verification: RecordVerification) {
        guard let failure = verification.failure else { return nil }
        self.init(reason: Reason(failure.kind), disposition: verification.isRetryable ? .retryLater : .final,
                  describing: failure.detail)
    }

    /// Reads `structure(3) { enum reason, enum disposition, visible-string text }`.
    init(_ fields: [COSEMData]) throws(AcknowledgementError) {
        guard fields.count == 3 else { throw .malformed("the refusal is not a structure of 3 elements") }
        guard case .enumerated(let reasonCode) = fields[0], let reason = Reason(rawValue: reasonCode) else {
            throw .malformed("the refusal's reason is not an enum of 1...10")
        }
        guard case .enumerated(let dispositionCode) = fields[1], let disposition = Disposition(rawValue: dispositionCode) else {
            throw .malformed("the refusal's disposition is not an enum of 0 (final) or 1 (retry later)")
        }
        guard case .visibleString(let text) = fields[2] else { throw .malformed("the refusal's text is not a visible-string") }
        try self.init(reason: reason, disposition: disposition, text: String(decoding: text, as: UTF8.self))
    }
}
