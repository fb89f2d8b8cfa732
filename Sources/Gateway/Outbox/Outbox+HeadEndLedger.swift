import COSEM
import Foundation
import GRDB
import Metering

/// When the outbox's next id was raised above what the head-end holds (`Outbox.advance(past:)`).
public struct OutboxAdvance: Sendable, Hashable {
    /// The next id before: what an emptied, restored or reinstalled outbox would have numbered from.
    public var from: UInt64
    /// The next id after: the head-end's highest stored id plus one.
    public var to: UInt64
    public var at: Date

    public init(from: UInt64, to: UInt64, at: Date) {
        self.from = from
        self.to = to
        self.at = at
    }
}

/// What the outbox keeps of the head-end's side: the next id never falls back to one the head-end holds, a reading
/// refused as a `conflict` moves to a fresh id, and the number of the last acknowledgement acted on, per head-end,
/// survives connections and restarts.
///
/// **Moving forward.** An outbox emptied (a damaged disk, a reinstall) or restored from an old backup numbers again
/// from an id the head-end already holds, and a new reading under such an id would be answered `duplicate` and
/// deleted. So the gateway asks the head-end on every connect (`LedgerQuery`) and raises its next id above the
/// highest held at once (`advance(past:)`), logging the jump; readings it took before the answer go as they are:
/// identical ones come back `duplicate` (the head-end has them), different ones `conflict`, and those are renumbered
/// above the head-end's highest and signed again (`renumber`). The ids skipped are ones the head-end holds already,
/// so no gap appears; no reading is lost or stored twice, and no operator is needed for the readings to flow.
extension Outbox {
    /// Raises the next transaction id to `highest + 1` when it is not above `highest` already, in one transaction.
    /// Returns what changed, nil when the outbox was ahead.
    public func advance(past highest: UInt64, at time: Date = Date()) async throws(OutboxError) -> OutboxAdvance? {
        guard highest < UInt64(Int64.max) - 1 else { throw .exhausted }
        do {
            return try await database.write { db -> OutboxAdvance? in
                let next = try Self.nextTransactionID(db)
                guard next <= highest else { return nil }
                try db.execute(sql: "UPDATE outboxState SET nextTransactionID = ?, renumberedFrom = ?, renumberedTo = ?, renumberedAt = ? WHERE id = 1",
                               arguments: [Int64(highest + 1), Int64(next), Int64(highest + 1), time])
                return OutboxAdvance(from: next, to: highest + 1, at: time)
            }
        } catch {
            throw .from(error, path: path)
        }
    }

    /// The last time `advance(past:)` raised the next id, if ever.
    public func lastAdvance() async throws(OutboxError) -> OutboxAdvance? {
        do {
            return try await database.read { db -> OutboxAdvance? in
                guard let row = try Row.fetchOne(db, sql: "SELECT renumberedFrom, renumberedTo, renumberedAt FROM outboxState WHERE id = 1"),
                      let from = row["renumberedFrom"] as Int64?, let to = row["renumberedTo"] as Int64?, let at = row["renumberedAt"] as Date?
                else { return nil }
                return OutboxAdvance(from: UInt64(from), to: UInt64(to), at: at)
            }
        } catch {
            throw .from(error, path: path)
        }
    }

    /// Moves a reading the head-end refused as a `conflict` to the next transaction id, in one transaction: its record
    /// rebuilt under the new id (`sequence_nr` the id's low 16 bits, as `take` requires), unsigned again so the
    /// signing stage signs it anew, the old id gone. Returns the new id.
    public func renumber(transactionID id: UInt64) async throws(OutboxError) -> UInt64 {
        do {
            return try await database.write { db -> UInt64 in
                guard let key = Int64(exactly: id),
                      let row = try Row.fetchOne(db, sql: "SELECT measuredAt, takenAt, dataNotification FROM reading WHERE transactionID = ?",
                                                 arguments: [key])
                else {
                    let next = try Self.nextTransactionID(db)
                    throw id >= 1 && id < next ? OutboxError.alreadyDelivered(id) : OutboxError.unknownTransaction(id, next: next)
                }
                let newID = try Self.nextTransactionID(db)
                guard newID < UInt64(Int64.max) else { throw OutboxError.exhausted }
                var record = try MeasurementRecord.decode(dataNotification: [UInt8](row["dataNotification"] as Data)).record
                record.sequenceNumber = UInt16(truncatingIfNeeded: newID)
                try db.execute(sql: "DELETE FROM reading WHERE transactionID = ?", arguments: [key])
                try db.execute(
                    sql: "INSERT INTO reading (transactionID, measuredAt, takenAt, dataNotification) VALUES (?, ?, ?, ?)",
                    arguments: [Int64(newID), row["measuredAt"] as Date, row["takenAt"] as Date, Data(record.encodedDataNotification(transactionID: newID))]
                )
                try db.execute(sql: "UPDATE outboxState SET nextTransactionID = ? WHERE id = 1", arguments: [Int64(newID + 1)])
                return newID
            }
        } catch {
            throw .from(error, path: path)
        }
    }

    // MARK: Acknowledgement numbers

    /// The number of the last acknowledgement from `headEnd` the gateway acted on; the next must be above it.
    public func acknowledgementFloor(headEnd: SystemTitle) async throws(OutboxError) -> UInt64? {
        do {
            return try await database.read { db in
                try Int64.fetchOne(db, sql: "SELECT lastNumber FROM headEndAcknowledgement WHERE systemTitle = ?",
                                   arguments: [headEnd.description]).map { UInt64($0) }
            }
        } catch {
            throw .from(error, path: path)
        }
    }

    /// Records an acknowledgement number acted on; a lower one than kept changes nothing.
    public func raiseAcknowledgementFloor(headEnd: SystemTitle, to number: UInt64, at time: Date = Date()) async throws(OutboxError) {
        try await setAcknowledgementFloor(headEnd: headEnd, to: number, lowering: false, at: time)
    }

    /// Sets the floor to `number`, also below the one kept: only for the number in a verified answer to this
    /// connection's own ledger query (a head-end whose store was replaced numbers from low again).
    public func resetAcknowledgementFloor(headEnd: SystemTitle, to number: UInt64, at time: Date = Date()) async throws(OutboxError) {
        try await setAcknowledgementFloor(headEnd: headEnd, to: number, lowering: true, at: time)
    }

    private func setAcknowledgementFloor(headEnd: SystemTitle, to number: UInt64, lowering: Bool, at time: Date) async throws(OutboxError) {
        let key = Int64(clamping: number)
        let rule = lowering ? "excluded.lastNumber" : "MAX(lastNumber, excluded.lastNumber)"
        do {
            try await database.write { db in
                try db.execute(sql: """
                    INSERT INTO headEndAcknowledgement (systemTitle, lastNumber, acceptedAt) VALUES (?, ?, ?)
                    ON CONFLICT (systemTitle) DO UPDATE SET lastNumber = \(rule), acceptedAt = excluded.acceptedAt
                    """, arguments: [headEnd.description, key, time])
            }
        } catch {
            throw .from(error, path: path)
        }
    }

    private static func nextTransactionID(_ db: Database) throws -> UInt64 {
        guard let next = try Int64.fetchOne(db, sql: "SELECT nextTransactionID FROM outboxState WHERE id = 1") else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "the outbox's state row is missing")
        }
        return UInt64(next)
    }
}
