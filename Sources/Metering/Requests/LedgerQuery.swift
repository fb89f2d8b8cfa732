import COSEM
import Foundation

/// The gateway's question to the head-end on every connect, before it sends a reading: "what do you hold of mine?".
/// A signed get-request (`SignedRequest`, signed with the gateway's record key) for one head-end attribute, answered
/// by a signed get-response (`SignedResponse`, the head-end's acknowledgement key) holding a `LedgerState`.
///
/// The attribute is class 1 (Data), attribute 2 (value) of OBIS `0.0.128.1.0.255`: value group C = 128 is in the
/// manufacturer-specific range (IEC 62056-6-1, C = 128...199), so it cannot collide with a standard object a meter
/// or head-end publishes.
///
/// The query's transaction id is random (`nonce()`), not a counter: the answer must echo it, so an answer to an
/// earlier query (a replay, or one kept from another connection) never verifies. Nothing is kept of it at either end.
public enum LedgerQuery {
    public static let attribute = AttributeDescriptor(classID: 1, instance: OBISCode(0, 0, 128, 1, 0, 255), attribute: 2)

    /// A fresh 63-bit transaction id for one query (SQLite's integers, and the head-end's logs, stay positive).
    public static func nonce() -> UInt64 {
        UInt64.random(in: 1...UInt64(Int64.max))
    }

    /// Whether a signed get-request asks for the ledger (`attribute`): what the head-end answers rather than
    /// processes as a record.
    public static func asks(_ request: SignedRequest) -> Bool {
        request.body.attribute == attribute && request.body.access == nil
    }
}

/// What the head-end holds of one gateway when it answers a `LedgerQuery`:
///
/// ```
/// structure(2) {
///   long64-unsigned  highest_transaction_id   the highest id stored from this gateway, 0 if none
///   long64-unsigned  acknowledgement_number   the head-end's counter now: every acknowledgement it signs after
///                                             this answer carries a higher number
/// }
/// ```
public struct LedgerState: Sendable, Hashable {
    public var highestTransactionID: UInt64
    public var acknowledgementNumber: UInt64

    public init(highestTransactionID: UInt64, acknowledgementNumber: UInt64) {
        self.highestTransactionID = highestTransactionID
        self.acknowledgementNumber = acknowledgementNumber
    }

    public var data: COSEMData {
        .structure([.long64Unsigned(highestTransactionID), .long64Unsigned(acknowledgementNumber)])
    }

    /// Reads the structure above; nil for anything else.
    public init?(_ data: COSEMData) {
        guard case .structure(let fields) = data, fields.count == 2,
              case .long64Unsigned(let highest) = fields[0], case .long64Unsigned(let number) = fields[1] else { return nil }
        self.init(highestTransactionID: highest, acknowledgementNumber: number)
    }
}
