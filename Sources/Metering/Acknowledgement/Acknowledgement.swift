import COSEM

/// What the head-end says about one signed record it received: the gateway's transaction id and the outcome. It
/// travels as the body of a data-notification, signed by the head-end in general-signing (`SignedAcknowledgement`),
/// and mirrors its COSEM structure field for field:
///
/// ```
/// structure(3) {
///   long64-unsigned  acknowledged_transaction_id   the gateway's transaction id (its general-signing transaction-id)
///   enum             outcome                       0 accepted, 1 duplicate (stored before, accepted again), 2 refused
///   null-data | structure(3) {                     refusal: null-data unless refused
///     enum            reason                       `Refusal.Reason` (the verifier's check kinds, replay, store)
///     enum            disposition                  0 final, 1 retry later
///     visible-string  text                         printable ASCII, at most 255 characters
///   }
/// }
/// ```
///
/// The gateway's id is carried here, inside what is signed, rather than in the general-signing transaction-id:
/// that field numbers the signer's own frames, so the head-end's acknowledgements carry its own counter there
/// (see `SignedAcknowledgement`), and an acknowledgement cannot be mistaken for the record it answers.
public struct Acknowledgement: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// Verified and stored: the gateway may mark the reading delivered.
        case accepted
        /// Verified and already stored (a resend after a lost acknowledgement): delivered, stored once.
        case duplicate
        /// Not stored, for the reason given; final or worth sending again later.
        case refused(Refusal)

        /// The `outcome` enum's value on the wire.
        public var code: UInt8 {
            switch self {
            case .accepted: 0
            case .duplicate: 1
            case .refused: 2
            }
        }
    }

    /// The gateway's transaction id this acknowledgement answers.
    public var transactionID: UInt64
    public var outcome: Outcome

    public init(transactionID: UInt64, outcome: Outcome) {
        self.transactionID = transactionID
        self.outcome = outcome
    }

    /// Whether the gateway may mark the reading delivered (accepted or duplicate).
    public var isDelivered: Bool {
        if case .refused = outcome { false } else { true }
    }

    /// The limits an acknowledgement's data-notification is decoded under: its structure is two levels and seven
    /// values deep and its longest string 255 bytes, so anything larger is refused before it is allocated.
    public static let decodingLimits = DecodingLimits(maxDepth: 2, maxElements: 3, maxLength: Refusal.maxTextLength, maxValues: 7)

    /// The COSEM structure.
    public var data: COSEMData {
        let refusal: COSEMData
        if case .refused(let reason) = outcome {
            refusal = .structure([.enumerated(reason.reason.rawValue), .enumerated(reason.disposition.rawValue),
                                  .visibleString(Array(reason.text.utf8))])
        } else {
            refusal = .null
        }
        return .structure([.long64Unsigned(transactionID), .enumerated(outcome.code), refusal])
    }

    /// Reads the structure; every field must have exactly its type and a defined value.
    public init(_ data: COSEMData) throws(AcknowledgementError) {
        guard case .structure(let fields) = data, fields.count == 3 else {
            throw .malformed("the body is not a structure of 3 elements")
        }
        guard case .long64Unsigned(let id) = fields[0] else {
            throw .malformed("acknowledged_transaction_id is not long64-unsigned")
        }
        guard case .enumerated(let code) = fields[1] else { throw .malformed("outcome is not an enum") }
        switch (code, fields[2]) {
        case (0, .null): outcome = .accepted
        case (1, .null): outcome = .duplicate
        case (2, .structure(let refusal)): outcome = .refused(try Refusal(refusal))
        case (0...2, _): throw .malformed("outcome \(code) with \(code == 2 ? "no refusal structure" : "more than null-data after it")")
        default: throw .malformed("outcome \(code) is not 0 (accepted), 1 (duplicate) or 2 (refused)")
        }
        transactionID = id
    }

    /// The data-notification that carries the acknowledgement; its invoke id is the head-end's transaction id's low
    /// 24 bits (as a record's is the gateway's), without a header date-time: the general-signing around it has one.
    public func dataNotification(headEndTransactionID: UInt64) -> DataNotification {
        DataNotification(
            invokeIDAndPriority: LongInvokeIdAndPriority(invokeID: UInt32(truncatingIfNeeded: headEndTransactionID) & 0x00FF_FFFF),
            dateTime: nil, body: data
        )
    }

    /// Reads an acknowledgement's data-notification; returns it with the notification's invoke id. Anything but
    /// exactly the layout above (a header date-time, invoke-id flags, another shape, extra bytes) is refused, so
    /// what decodes encodes back to the same bytes.
    public static func decode(dataNotification bytes: [UInt8]) throws(AcknowledgementError) -> (acknowledgement: Acknowledgement, invokeID: UInt32) {
        let notification: DataNotification
        do {
            notification = try DataNotification(decoding: bytes, limits: decodingLimits)
        } catch {
            throw .content(error)
        }
        guard notification.dateTime == nil else { throw .malformed("the data-notification carries a header date-time") }
        let invoke = notification.invokeIDAndPriority
        guard invoke.rawValue == invoke.invokeID else {
            throw .malformed("the data-notification's invoke-id-and-priority sets flags (\(invoke))")
        }
        return (try Acknowledgement(notification.body), invoke.invokeID)
    }
}
