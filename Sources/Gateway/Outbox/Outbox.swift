import COSEM
import Foundation
import GRDB
import Metering
import SQLiteFiles

/// The gateway's durable outbox: every reading from the moment its transaction id is allocated until the head-end
/// has acknowledged its signed frame, in one SQLite file.
///
/// A reading's life: `take` allocates the next transaction id and stores the unsigned record in one transaction
/// (so a reading waiting for the token is already durable, and an id is used exactly when its reading is stored);
/// the signing stage reads the backlog with `unsigned(limit:)` in id order and stores each frame with
/// `attachSignature`; the uplink sends `pending(after:limit:)` and, once an acknowledgement has verified, calls
/// `markDelivered`, which removes the reading. A restart, a crash or a removed smart card loses nothing: whatever
/// state a reading had is in the file.
///
/// The file runs in WAL mode with `synchronous=FULL`: each commit is fsynced to the WAL before `take` returns, so a
/// power cut after the return cannot lose the reading (GRDB's pool sets NORMAL for WAL, which can lose the last
/// commits on power loss; `init` sets FULL on the writer after the pool is open). Writes are `BEGIN IMMEDIATE`
/// (GRDB's default for writes), so two connections, also in two processes, queue for the write lock for up to
/// the busy timeout instead of failing when one upgrades a read; ids therefore never repeat across connections.
///
/// **The limit.** When the outbox holds `limit` readings, `take` keeps everything it has and refuses the new
/// reading with `OutboxError.full`: the caller logs it and keeps polling. The refusal is not silent and not lost
/// from the record: it is counted durably (`OutboxDepth.refused`, for a metric) and stored as a run of refused
/// readings with their measurement times (`gaps()`). Dropping the oldest reading instead would destroy a reading
/// the head-end has not seen to make room for one it can equally wait for, and only the head-end's
/// acknowledgement may remove a reading.
///
/// **The size.** `maxBytes` bounds the database file as `limit` bounds the count (a signed reading of the built-in
/// map holds its record twice, stored and inside its frame: about 3 KB, so 100,000 take about 300 MB): past it `take` refuses in the same way
/// (`OutboxError.tooLarge`, counted and recorded as a gap). The write-ahead log is bounded as well: SQLite checkpoints it
/// every `walCheckpointPages` pages and truncates it to `walSizeLimit` when it starts the log over
/// (`journal_size_limit`), also after a burst under a long reader grew it. The disk the outbox needs is therefore
/// `maxBytes + walSizeLimit` and some pages for the refusal records (see `minimumDisk`). (A checkpoint that truncates
/// at once would wait for readers under the busy timeout, stalling `take`; the limit instead cuts the log back when
/// the next write restarts it.)
public final class Outbox: Sendable {
    public let path: String
    /// The most readings (signed or not) the outbox holds.
    public let limit: Int
    /// The most bytes the database file's used pages may take before new readings are refused; nil for no bound.
    public let maxBytes: Int?
    let database: DatabasePool

    /// The write-ahead log is cut back to this size at each checkpoint (SQLite's `journal_size_limit`).
    public static let walSizeLimit = 4 << 20
    /// SQLite checkpoints the log after a commit once it holds this many pages (4 KiB each: 2 MiB).
    public static let walCheckpointPages = 512

    /// The disk an outbox with this byte bound needs at most: the file, its write-ahead log and shared memory, and
    /// room for a log that grew past its limit between two checkpoints.
    public static func minimumDisk(maxBytes: Int) -> Int {
        maxBytes + 2 * walSizeLimit + (1 << 20)
    }

    /// Opens the outbox at `path` (made, with its directory, when missing) and brings its schema up to date. An
    /// existing file that is empty, not SQLite or damaged is refused before anything writes to it
    /// (`ExistingDatabase`): taken for a new outbox, it would number readings from 1 again.
    ///
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for another connection's write lock before `OutboxError.locked`.
    ///   - counterFile: a `TransactionCounter` file to take over on first open (see `CounterFileMigration`); ids
    ///     then continue above its value.
    ///   - maxBytes: the bound on the file's used pages (see "The size"); nil for none.
    ///   - trace: told the SQL of every statement run on the file, on every connection (tests count what an idle
    ///     gateway reads); nil in the daemon.
    public init(path: String, limit: Int, maxBytes: Int? = nil, busyTimeout: Duration = .seconds(5),
                counterFile: String? = nil, trace: (@Sendable (String) -> Void)? = nil) throws(OutboxError) {
        precondition(limit > 0, "an outbox limit must be positive")
        precondition(maxBytes.map { $0 > 0 } ?? true, "an outbox size limit must be positive")
        self.path = path
        self.limit = limit
        do {
            try ExistingDatabase.check(path)
        } catch {
            throw error.isEmpty ? .empty(path: path) : .corrupt(path: path, reason: error.reason)
        }
        self.maxBytes = maxBytes
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unreadable(path: path, reason: "cannot create its directory \(directory): \(error.localizedDescription)")
        }
        do {
            try NewDatabase.create(at: path)
        } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        var configuration = Configuration()
        configuration.label = "outbox"
        configuration.busyMode = .timeout(TimeInterval(busyTimeout.components.seconds)
            + TimeInterval(busyTimeout.components.attoseconds) / 1e18)
        configuration.foreignKeysEnabled = true
        // Per connection: whichever connection runs a checkpoint cuts the log back.
        configuration.prepareDatabase { db in
            if let trace { db.trace { trace($0.description) } }
            try db.execute(sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walCheckpointPages)")
            }
            try Self.migrate(pool, path: path)
            if let counterFile {
                try pool.write { db in try CounterFileMigration.apply(db, path: counterFile, at: Date()) }
            }
            database = pool
        } catch {
            throw OutboxError.from(error, path: path)
        }
    }

    /// Runs the migrations. Two processes that open a new outbox at once both find the migration unapplied, and
    /// the second one's immediate transaction then fails on tables the first one made: the schema is complete
    /// all the same, which a second look shows.
    private static func migrate(_ pool: DatabasePool, path: String) throws {
        let migrator = OutboxSchema.migrator
        if try pool.read(migrator.hasBeenSuperseded) { throw OutboxError.newerSchema(path: path) }
        for attempt in 1...3 {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                if try pool.read(migrator.hasCompletedMigrations) { return }
                if attempt == 3 { throw error }
            }
        }
    }

    /// Closes the file; later calls fail. Dropping the last reference closes it too.
    public func close() throws(OutboxError) {
        do { try database.close() } catch { throw .from(error, path: path) }
    }

    // MARK: Taking readings

    /// Stores a new reading under the next transaction id, in one write transaction: `make` receives the id and
    /// builds the record with it (its `sequence_nr` is the id's low 16 bits, as `RecordBuilder` makes it), and
    /// the id is used only if the reading is stored. `make` runs on the database's writer while it holds the
    /// write lock: it should only build the record (microseconds), never wait.
    ///
    /// - Throws: `OutboxError.full` when the outbox holds `limit` readings or `maxBytes` (the refusal is counted and
    ///   recorded, see `gaps()`); `.invalidRecord` when `make` throws or builds a record for another id; nothing is
    ///   stored and no id is used then.
    public func take(
        measuredAt: Date, _ make: @Sendable (UInt64) throws(Metering.RecordError) -> MeasurementRecord
    ) async throws(OutboxError) -> UnsignedReading {
        try await take(measuredAt: measuredAt, missed: nil) { id, _ throws(Metering.RecordError) in try make(id) }
    }

    /// `take` for a poller that also carries what it could not store: `missed` (polls that failed before the outbox
    /// could record them, such as on a full disk) is recorded as a gap before this reading in the same transaction,
    /// and `make` receives, with the id, how many polls the gap before this reading holds in all (those and the ones
    /// refused while the outbox was full), so the record can tell the head-end.
    public func take(
        measuredAt: Date, missed: MissedPolls?,
        _ make: @Sendable (_ id: UInt64, _ missedBefore: UInt64) throws(Metering.RecordError) -> MeasurementRecord
    ) async throws(OutboxError) -> UnsignedReading {
        let (limit, maxBytes) = (limit, maxBytes)
        let outcome: TakeOutcome
        do {
            outcome = try await database.write { db in
                try Self.take(db, measuredAt: measuredAt, limit: limit, maxBytes: maxBytes, missed: missed, make: make)
            }
        } catch {
            throw .from(error, path: path)
        }
        switch outcome {
        case .stored(let reading): return reading
        case .refused(let depth): throw .full(depth: depth, limit: limit)
        case .tooLarge(let bytes, let maxBytes): throw .tooLarge(bytes: bytes, maxBytes: maxBytes)
        }
    }

    /// A refusal must commit (its count and gap are the record of it), so it is a result, not a thrown error,
    /// inside the transaction.
    private enum TakeOutcome: Sendable {
        case stored(UnsignedReading)
        case refused(depth: Int)
        case tooLarge(bytes: Int, maxBytes: Int)
    }

    private static func take(
        _ db: Database, measuredAt: Date, limit: Int, maxBytes: Int?, missed: MissedPolls?,
        make: (UInt64, UInt64) throws(Metering.RecordError) -> MeasurementRecord
    ) throws -> TakeOutcome {
        let state = try State.fetch(db)
        let after = state.nextTransactionID - 1
        if let missed, missed.count > 0 { try recordMissed(db, after: after, missed) }
        guard state.depth < limit else {
            try recordRefusal(db, after: after, measuredAt: measuredAt)
            return .refused(depth: state.depth)
        }
        if let maxBytes {
            let used = try usedBytes(db)
            guard used < maxBytes else {
                try recordRefusal(db, after: after, measuredAt: measuredAt)
                return .tooLarge(bytes: used, maxBytes: maxBytes)
            }
        }
        let id = state.nextTransactionID
        guard id < UInt64(Int64.max) else { throw OutboxError.exhausted }
        let missedBefore = try UInt64(Int64.fetchOne(db, sql: "SELECT count FROM gap WHERE afterTransactionID = ?",
                                                     arguments: [Int64(after)]) ?? 0)
        let record = try make(id, missedBefore)
        guard record.sequenceNumber == UInt16(truncatingIfNeeded: id) else {
            throw OutboxError.invalidRecord(.invalidField(
                "the record's sequence_nr \(record.sequenceNumber) is not transaction \(id)'s (\(UInt16(truncatingIfNeeded: id))); build it with the id take gives"))
        }
        let reading = UnsignedReading(transactionID: id, measuredAt: measuredAt,
                                      dataNotification: record.encodedDataNotification(transactionID: id))
        try db.execute(
            sql: "INSERT INTO reading (transactionID, measuredAt, takenAt, dataNotification) VALUES (?, ?, ?, ?)",
            arguments: [Int64(id), measuredAt, Date(), Data(reading.dataNotification)]
        )
        try db.execute(sql: "UPDATE outboxState SET nextTransactionID = ? WHERE id = 1", arguments: [Int64(id + 1)])
        return .stored(reading)
    }

    /// The bytes of the file's pages in use (free pages are reused before the file grows).
    private static func usedBytes(_ db: Database) throws -> Int {
        let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        let size = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        return (pages - free) * size
    }

    /// Adds polls the poller could not store (the outbox could not be written at all) to the run after `after`.
    private static func recordMissed(_ db: Database, after: UInt64, _ missed: MissedPolls) throws {
        try db.execute(
            sql: """
                INSERT INTO gap (afterTransactionID, firstMeasuredAt, lastMeasuredAt, count) VALUES (?, ?, ?, ?)
                ON CONFLICT (afterTransactionID) DO UPDATE SET firstMeasuredAt = MIN(firstMeasuredAt, excluded.firstMeasuredAt),
                    lastMeasuredAt = MAX(lastMeasuredAt, excluded.lastMeasuredAt), count = count + excluded.count
                """,
            arguments: [Int64(after), missed.firstMeasuredAt, missed.lastMeasuredAt, Int64(clamping: missed.count)]
        )
    }

    /// Counts a refused reading into the run that follows the last id taken, starting the run if it is the first.
    private static func recordRefusal(_ db: Database, after: UInt64, measuredAt: Date) throws {
        try db.execute(sql: "UPDATE outboxState SET refusedCount = refusedCount + 1 WHERE id = 1")
        try db.execute(
            sql: """
                INSERT INTO gap (afterTransactionID, firstMeasuredAt, lastMeasuredAt, count) VALUES (?, ?, ?, 1)
                ON CONFLICT (afterTransactionID) DO UPDATE SET lastMeasuredAt = excluded.lastMeasuredAt, count = count + 1
                """,
            arguments: [Int64(after), measuredAt, measuredAt]
        )
    }

    // MARK: Signing

    /// Stores the signed general-signing frame of a reading, which makes it pending. The frame must be signed
    /// under the reading's transaction id and carry the stored data-notification unchanged, so a frame can never
    /// stand for another reading. Storing the same frame again does nothing (a signing stage that crashed after
    /// this commit may repeat it); a different frame for a signed reading is refused, since the first may have
    /// been sent already.
    public func attachSignature(transactionID id: UInt64, frame: [UInt8]) async throws(OutboxError) {
        try await attachSignatures([(id, frame)])
    }

    /// `attachSignature` for several readings in one transaction: the signing stage stores a batch with one fsync
    /// instead of one per reading. All or nothing: a frame that does not fit its reading stores none of them (a
    /// frame not stored is signed again later, which costs a signature and loses nothing).
    public func attachSignatures(_ frames: [(transactionID: UInt64, frame: [UInt8])]) async throws(OutboxError) {
        var checked: [(UInt64, [UInt8], [UInt8])] = []
        for (id, frame) in frames {
            checked.append((id, frame, try Self.content(of: frame, transactionID: id)))
        }
        let batch = checked
        do {
            try await database.write { db in
                for (id, frame, content) in batch { try Self.attach(db, id: id, frame: frame, content: content) }
            }
        } catch {
            throw .from(error, path: path)
        }
    }

    /// The data-notification a frame signs, once the frame is known to be a signed general-signing APDU of `id`.
    private static func content(of frame: [UInt8], transactionID id: UInt64) throws(OutboxError) -> [UInt8] {
        let signing: GeneralSigning
        do {
            signing = try GeneralSigning(decoding: frame)
        } catch {
            throw .frameMismatch(id, reason: "it is not a general-signing APDU (\(error))")
        }
        guard let signedID = SignedRecord.transactionID(of: signing), signedID == id else {
            let other = SignedRecord.transactionID(of: signing).map { "\($0)" } ?? "of \(signing.transactionID.count) bytes"
            throw .frameMismatch(id, reason: "it is signed under transaction id \(other)")
        }
        guard !signing.signature.isEmpty else { throw .frameMismatch(id, reason: "it has no signature") }
        return signing.content
    }

    private static func attach(_ db: Database, id: UInt64, frame: [UInt8], content: [UInt8]) throws {
        guard let key = Int64(exactly: id),
              let row = try Row.fetchOne(db, sql: "SELECT dataNotification, frame FROM reading WHERE transactionID = ?", arguments: [key])
        else { throw try Self.missing(db, id) }
        let stored: Data? = row["frame"]
        if let stored {
            guard [UInt8](stored) == frame else { throw OutboxError.alreadySigned(id) }
            return
        }
        guard [UInt8](row["dataNotification"] as Data) == content else {
            throw OutboxError.frameMismatch(id, reason: "its content is not the reading's stored data-notification")
        }
        try db.execute(sql: "UPDATE reading SET frame = ?, signedAt = ? WHERE transactionID = ?",
                       arguments: [Data(frame), Date(), key])
    }

    /// Why a reading is not there: delivered (below the next id), or never taken.
    private static func missing(_ db: Database, _ id: UInt64) throws -> OutboxError {
        let next = try State.fetch(db).nextTransactionID
        return id >= 1 && id < next ? .alreadyDelivered(id) : .unknownTransaction(id, next: next)
    }

    // MARK: Delivery

    /// Removes a reading whose acknowledgement has verified; the caller checks the acknowledgement first, since
    /// this is the only way a reading leaves. Returns false when it was delivered before (an acknowledgement
    /// repeated after a reconnect), so marking twice is harmless.
    ///
    /// - Throws: `.notSigned` for a reading that has no frame (no acknowledgement can be for it), and
    ///   `.unknownTransaction` for an id this outbox never gave.
    @discardableResult
    public func markDelivered(transactionID id: UInt64) async throws(OutboxError) -> Bool {
        try await markDelivered(transactionIDs: [id]) == 1
    }

    /// `markDelivered` for several readings in one transaction (one fsync): the uplink takes the acknowledgements of
    /// a window out together, and records in the same commit the number of the last acknowledgement acted on
    /// (`acknowledgementFloor(headEnd:)`). Returns how many were still in the outbox.
    @discardableResult
    public func markDelivered(transactionIDs ids: [UInt64], acknowledgement: (headEnd: SystemTitle, number: UInt64)? = nil) async throws(OutboxError) -> Int {
        do {
            let removed = try await database.write { db in
                var removed = 0
                for id in ids where try Self.deliver(db, id) { removed += 1 }
                if let acknowledgement {
                    try db.execute(sql: """
                        INSERT INTO headEndAcknowledgement (systemTitle, lastNumber, acceptedAt) VALUES (?, ?, ?)
                        ON CONFLICT (systemTitle) DO UPDATE SET lastNumber = MAX(lastNumber, excluded.lastNumber), acceptedAt = excluded.acceptedAt
                        """, arguments: [acknowledgement.headEnd.description, Int64(clamping: acknowledgement.number), Date()])
                }
                return removed
            }
            return removed
        } catch {
            throw .from(error, path: path)
        }
    }

    /// The size of the write-ahead log now, in bytes (0 when there is none): for the status and tests.
    public var walBytes: Int {
        (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int ?? 0
    }

    private static func deliver(_ db: Database, _ id: UInt64) throws -> Bool {
        guard let key = Int64(exactly: id),
              let row = try Row.fetchOne(db, sql: "SELECT frame IS NOT NULL AS signed FROM reading WHERE transactionID = ?", arguments: [key])
        else {
            let error = try Self.missing(db, id)
            if case .alreadyDelivered = error { return false }
            throw error
        }
        guard row["signed"] as Bool else { throw OutboxError.notSigned(id) }
        try db.execute(sql: "DELETE FROM reading WHERE transactionID = ?", arguments: [key])
        try db.execute(
            sql: "UPDATE outboxState SET lastDeliveredTransactionID = MAX(COALESCE(lastDeliveredTransactionID, 0), ?) WHERE id = 1",
            arguments: [key]
        )
        return true
    }

    /// Sets a signed reading aside that the head-end refused for good (a verdict on the frame, such as a signature
    /// that does not verify): it stays in the outbox, counted in its depth, with the refusal's text, and is no
    /// longer among `pending`. Only an acknowledgement removes a reading; a person decides what happens to this one.
    public func markRefused(transactionID id: UInt64, reason: String) async throws(OutboxError) {
        do {
            try await database.write { db in
                guard let key = Int64(exactly: id),
                      let row = try Row.fetchOne(db, sql: "SELECT frame IS NOT NULL AS signed FROM reading WHERE transactionID = ?", arguments: [key])
                else { throw try Self.missing(db, id) }
                guard row["signed"] as Bool else { throw OutboxError.notSigned(id) }
                try db.execute(sql: "UPDATE reading SET refusedAt = ?, refusal = ? WHERE transactionID = ? AND refusedAt IS NULL",
                               arguments: [Date(), reason, key])
            }
        } catch {
            throw .from(error, path: path)
        }
    }

    /// The readings set aside after a final refusal, oldest first, with the head-end's reason.
    public func refused() async throws(OutboxError) -> [(transactionID: UInt64, refusedAt: Date, reason: String)] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT transactionID, refusedAt, refusal FROM reading WHERE refusedAt IS NOT NULL ORDER BY transactionID")
                .map { (UInt64($0["transactionID"] as Int64), $0["refusedAt"], $0["refusal"]) }
        }
    }

    // MARK: Reading the queue

    /// The readings waiting for a signature, oldest (lowest id) first: the backlog the signing stage works
    /// through in order when the token is back.
    public func unsigned(limit: Int) async throws(OutboxError) -> [UnsignedReading] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT transactionID, measuredAt, dataNotification FROM reading WHERE frame IS NULL
                ORDER BY transactionID LIMIT ?
                """, arguments: [limit]).map {
                UnsignedReading(transactionID: UInt64($0["transactionID"] as Int64), measuredAt: $0["measuredAt"],
                                dataNotification: [UInt8]($0["dataNotification"] as Data))
            }
        }
    }

    /// The signed frames not yet acknowledged with ids above `after` (all when nil), in id order: what the uplink
    /// sends, and sends again from the start after a reconnect.
    ///
    /// A frame waits while a reading with a lower id is still unsigned, so the head-end receives ids in the order
    /// they were taken and never sees a later id before an earlier one it would then have to take for a replay.
    public func pending(after: UInt64? = nil, limit: Int) async throws(OutboxError) -> [PendingFrame] {
        let after = Int64(clamping: after ?? 0)
        return try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT transactionID, measuredAt, frame FROM reading
                WHERE frame IS NOT NULL AND refusedAt IS NULL AND transactionID > ?
                  AND NOT EXISTS (SELECT 1 FROM reading AS earlier
                                  WHERE earlier.frame IS NULL AND earlier.transactionID < reading.transactionID)
                ORDER BY transactionID LIMIT ?
                """, arguments: [after, limit]).map {
                PendingFrame(transactionID: UInt64($0["transactionID"] as Int64), measuredAt: $0["measuredAt"],
                             frame: [UInt8]($0["frame"] as Data))
            }
        }
    }

    /// How many readings wait for the token and for the head-end, against the limit.
    public func depth() async throws(OutboxError) -> OutboxDepth {
        let limit = limit
        return try await read { db in
            let state = try State.fetch(db)
            let oldest = try Date.fetchOne(db, sql: "SELECT measuredAt FROM reading ORDER BY transactionID LIMIT 1")
            return OutboxDepth(unsigned: state.unsigned, signed: state.signed, limit: limit, refused: state.refused,
                               oldestMeasuredAt: oldest)
        }
    }

    /// The highest transaction id the head-end has acknowledged, nil before the first.
    public func lastDelivered() async throws(OutboxError) -> UInt64? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT lastDeliveredTransactionID FROM outboxState WHERE id = 1").map { UInt64($0) }
        }
    }

    /// Admits a signed request's transaction id from `requester` if it is above every id admitted from it before, and
    /// records it, in one transaction: a request replayed, also after a restart, finds its id taken. Returns false
    /// (and records nothing) for an id at or below the last one, with that last one.
    public func admit(requester: SystemTitle, transactionID id: UInt64, at time: Date = Date()) async throws(OutboxError) -> (admitted: Bool, last: UInt64?) {
        guard let key = Int64(exactly: id) else { return (false, nil) }
        do {
            return try await database.write { db in
                let last = try Int64.fetchOne(db, sql: "SELECT lastTransactionID FROM requester WHERE systemTitle = ?",
                                              arguments: [requester.description])
                if let last, key <= last { return (false, UInt64(last)) }
                try db.execute(sql: """
                    INSERT INTO requester (systemTitle, lastTransactionID, acceptedAt) VALUES (?, ?, ?)
                    ON CONFLICT (systemTitle) DO UPDATE SET lastTransactionID = excluded.lastTransactionID, acceptedAt = excluded.acceptedAt
                    """, arguments: [requester.description, key, time])
                return (true, last.map { UInt64($0) })
            }
        } catch {
            throw .from(error, path: path)
        }
    }

    /// The highest transaction id taken, nil before the first: with `lastDelivered()`, how far behind the head-end is.
    public func lastTaken() async throws(OutboxError) -> UInt64? {
        try await read { db in
            let next = try State.fetch(db).nextTransactionID
            return next > 1 ? next - 1 : nil
        }
    }

    /// The runs of readings refused while the outbox was full, oldest first.
    public func gaps() async throws(OutboxError) -> [OutboxGap] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM gap ORDER BY afterTransactionID").map {
                OutboxGap(afterTransactionID: UInt64($0["afterTransactionID"] as Int64), firstMeasuredAt: $0["firstMeasuredAt"],
                          lastMeasuredAt: $0["lastMeasuredAt"], count: UInt64($0["count"] as Int64))
            }
        }
    }

    private func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(OutboxError) -> T {
        do { return try await database.read(body) } catch { throw .from(error, path: path) }
    }

    /// The state row.
    private struct State {
        var nextTransactionID: UInt64
        var unsigned: Int
        var signed: Int
        var refused: UInt64
        var depth: Int { unsigned + signed }

        static func fetch(_ db: Database) throws -> State {
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM outboxState WHERE id = 1") else {
                throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "the outbox's state row is missing")
            }
            return State(nextTransactionID: UInt64(row["nextTransactionID"] as Int64), unsigned: row["unsignedCount"],
                         signed: row["signedCount"], refused: UInt64(row["refusedCount"] as Int64))
        }
    }
}
