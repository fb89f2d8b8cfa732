import COSEM
import Foundation
import GRDB
import Metering
import SQLiteFiles

/// The head-end's readings, in one SQLite file: every verified reading with its signed frame and the signer's
/// certificate, the frames refused for good, and the acknowledgement numbering.
///
/// The file runs in WAL mode with `synchronous=FULL`: a reading is fsynced before `store` returns, and only then is
/// the gateway told it was accepted (GRDB's pool sets NORMAL for WAL, which can lose the last commits on power loss;
/// an acknowledged reading lost that way is gone for good, since the gateway deletes it). Readers (`headend
/// readings`, `summary`, `export`, also while the daemon runs) never block the writer.
///
/// Every call is async on GRDB's own queues, so the NIO event loops that call it never wait for the disk.
public final class ReadingStore: Sendable {
    public let path: String
    let database: DatabasePool

    /// Opens the store at `path`, made with its directory when missing, and brings its schema up to date. An existing
    /// file that is empty, not SQLite or damaged is refused before anything writes to it (`ExistingDatabase`).
    public init(path: String, busyTimeout: Duration = .seconds(5)) throws(ReadingStoreError) {
        self.path = path
        do {
            try ExistingDatabase.check(path)
        } catch {
            throw .damaged(path: path, reason: error.reason)
        }
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
        configuration.label = "readings"
        configuration.busyMode = .timeout(TimeInterval(busyTimeout.components.seconds))
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let migrator = ReadingStoreSchema.migrator
            if try pool.read(migrator.hasBeenSuperseded) { throw ReadingStoreError.newerSchema(path: path) }
            try migrator.migrate(pool)
            database = pool
        } catch let error as ReadingStoreError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    /// Closes the file; later calls fail.
    public func close() throws(ReadingStoreError) {
        do { try database.close() } catch { throw .database(path: path, reason: "\(error)") }
    }

    // MARK: Writing

    /// Stores a verified reading in one transaction. Returns false when the store already held this gateway's id
    /// (two frames racing on one id): the caller then answers `duplicate`, and the reading is stored once.
    @discardableResult
    public func store(_ reading: StoredReading) async throws(ReadingStoreError) -> Bool {
        let id = try Self.column(reading.transactionID)
        return try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO reading (gateway, transactionID, measuredAt, receivedAt, signerSerial, verdict, frame, certificate, convention)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (gateway, transactionID) DO NOTHING
                    """,
                arguments: [reading.gateway.description, id, reading.measuredAt, reading.receivedAt, reading.signerSerial,
                            reading.verdict, Data(reading.frame), Data(reading.certificate), reading.convention == .a ? "a" : "b"]
            )
            return db.changesCount == 1
        }
    }

    /// Keeps a final refusal.
    public func store(_ refusal: StoredRefusal) async throws(ReadingStoreError) {
        let id = try refusal.transactionID.map { id throws(ReadingStoreError) in try Self.column(id) }
        try await write { db in
            try db.execute(
                sql: "INSERT INTO refusal (gateway, transactionID, reason, disposition, text, at, frame) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [refusal.gateway.description, id, refusal.reason.description, refusal.disposition.description,
                            refusal.text, refusal.at, Data(refusal.frame)]
            )
        }
    }

    /// Reserves `count` acknowledgement ids above every id reserved before, durably; returns the first.
    public func reserveAcknowledgementIDs(_ count: Int) async throws(ReadingStoreError) -> UInt64 {
        try await write { db in
            let reserved = try Int64.fetchOne(db, sql: "SELECT reservedAcknowledgementID FROM headEndState WHERE id = 1") ?? 0
            try db.execute(sql: "UPDATE headEndState SET reservedAcknowledgementID = ? WHERE id = 1",
                           arguments: [reserved + Int64(count)])
            return UInt64(reserved) + 1
        }
    }

    // MARK: Reading

    /// Whether the store holds this gateway's reading `id`: what `ReceiverLedger.decide` asks about ids outside its
    /// window.
    public func holds(gateway: SystemTitle, transactionID id: UInt64) async throws(ReadingStoreError) -> Bool {
        guard let column = Int64(exactly: id) else { return false }
        return try await read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM reading WHERE gateway = ? AND transactionID = ?)",
                              arguments: [gateway.description, column]) ?? false
        }
    }

    /// The frame stored under this gateway's id, nil when none is: a frame arriving again under a stored id is a
    /// duplicate only when it is this very frame (`FrameProcessor`).
    public func frame(gateway: SystemTitle, transactionID id: UInt64) async throws(ReadingStoreError) -> [UInt8]? {
        guard let column = Int64(exactly: id) else { return nil }
        return try await read { db in
            try Data.fetchOne(db, sql: "SELECT frame FROM reading WHERE gateway = ? AND transactionID = ?",
                              arguments: [gateway.description, column]).map { Array($0) }
        }
    }

    /// The highest id stored from `gateway`.
    public func highestTransactionID(gateway: SystemTitle) async throws(ReadingStoreError) -> UInt64? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(transactionID) FROM reading WHERE gateway = ?",
                               arguments: [gateway.description]).map(UInt64.init)
        }
    }

    /// The gateway's stored ids in `range` (for `ReceiverLedger.restore` over its `restoreRange`).
    public func storedIDs(gateway: SystemTitle, in range: ClosedRange<UInt64>) async throws(ReadingStoreError) -> [UInt64] {
        let lower = Int64(clamping: range.lowerBound), upper = Int64(clamping: range.upperBound)
        return try await read { db in
            try Int64.fetchAll(db, sql: "SELECT transactionID FROM reading WHERE gateway = ? AND transactionID BETWEEN ? AND ? ORDER BY transactionID",
                               arguments: [gateway.description, lower, upper]).map(UInt64.init)
        }
    }

    /// One reading.
    public func reading(gateway: SystemTitle, transactionID id: UInt64) async throws(ReadingStoreError) -> StoredReading? {
        guard let column = Int64(exactly: id) else { return nil }
        return try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM reading WHERE gateway = ? AND transactionID = ?",
                             arguments: [gateway.description, column]).map(Self.reading)
        }
    }

    /// Readings in gateway and transaction id order, of one gateway or all, measured at or after `since`.
    public func readings(gateway: SystemTitle? = nil, since: Date? = nil) async throws(ReadingStoreError) -> [StoredReading] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let gateway {
            conditions.append("gateway = ?")
            arguments += [gateway.description]
        }
        if let since {
            conditions.append("measuredAt >= ?")
            arguments += [since]
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM reading\(filter) ORDER BY gateway, transactionID"
        let bound = arguments
        return try await read { db in try Row.fetchAll(db, sql: sql, arguments: bound).map(Self.reading) }
    }

    /// The final refusals kept, oldest first.
    public func refusals(gateway: SystemTitle? = nil) async throws(ReadingStoreError) -> [StoredRefusal] {
        let filter = gateway == nil ? "" : " WHERE gateway = ?"
        let arguments: StatementArguments = gateway.map { [$0.description] } ?? []
        return try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM refusal\(filter) ORDER BY id", arguments: arguments).compactMap(Self.refusal)
        }
    }

    /// Per gateway: readings, highest id, refusals and the conflicts among them, readings measured ahead by more than
    /// `maxClockSkew` (`ClockSkew`); in gateway order.
    public func summary(maxClockSkew: Duration = ClockSkew.defaultMaximum) async throws(ReadingStoreError) -> [GatewaySummary] {
        let skew = ClockSkew.seconds(maxClockSkew)
        return try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT gateway, SUM(readings) AS readings, MAX(highest) AS highest, SUM(refusals) AS refusals,
                       SUM(conflicts) AS conflicts, SUM(ahead) AS ahead FROM (
                    SELECT gateway, COUNT(*) AS readings, MAX(transactionID) AS highest, 0 AS refusals, 0 AS conflicts,
                           SUM((julianday(measuredAt) - julianday(receivedAt)) * 86400.0 > ?) AS ahead FROM reading GROUP BY gateway
                    UNION ALL
                    SELECT gateway, 0, NULL, COUNT(*), SUM(reason = ?), 0 FROM refusal GROUP BY gateway
                ) GROUP BY gateway ORDER BY gateway
                """, arguments: [skew, Refusal.Reason.conflict.description])
            return rows.compactMap { row -> GatewaySummary? in
                guard let gateway = try? SystemTitle(hex: row["gateway"] as String) else { return nil }
                return GatewaySummary(gateway: gateway, readings: row["readings"], highestTransactionID: (row["highest"] as Int64?).map(UInt64.init),
                                      refusals: row["refusals"], conflicts: row["conflicts"], clockAhead: row["ahead"])
            }
        }
    }

    // MARK: Rows

    private static func column(_ id: UInt64) throws(ReadingStoreError) -> Int64 {
        guard let column = Int64(exactly: id) else { throw .idOutOfRange(id) }
        return column
    }

    private static func reading(_ row: Row) throws -> StoredReading {
        StoredReading(
            gateway: try SystemTitle(hex: row["gateway"] as String), transactionID: UInt64(row["transactionID"] as Int64),
            measuredAt: row["measuredAt"], receivedAt: row["receivedAt"], signerSerial: row["signerSerial"],
            verdict: row["verdict"], frame: Array(row["frame"] as Data), certificate: Array(row["certificate"] as Data),
            convention: (row["convention"] as String) == "b" ? .b : .a
        )
    }

    private static func refusal(_ row: Row) throws -> StoredRefusal? {
        let reasonName: String = row["reason"]
        guard let reason = Refusal.Reason.allCases.first(where: { $0.description == reasonName }) else { return nil }
        let dispositionName: String = row["disposition"]
        return StoredRefusal(
            gateway: try SystemTitle(hex: row["gateway"] as String), transactionID: (row["transactionID"] as Int64?).map(UInt64.init),
            reason: reason, disposition: dispositionName == Refusal.Disposition.final.description ? .final : .retryLater,
            text: row["text"], at: row["at"], frame: Array(row["frame"] as Data)
        )
    }

    private func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(ReadingStoreError) -> T {
        do { return try await database.write(body) } catch { throw .database(path: path, reason: "\(error)") }
    }

    private func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(ReadingStoreError) -> T {
        do { return try await database.read(body) } catch { throw .database(path: path, reason: "\(error)") }
    }
}
