import GRDB

/// The reading store's tables and their history.
///
/// - `reading`: one row per verified reading, the primary key (gateway, transactionID) so a reading is stored once
///   whatever races; the gateway is its system title in upper-case hex. Transaction ids are SQLite integers (signed
///   64-bit), as in the gateway's outbox, which never allocates one above 2^63 - 1.
/// - `refusal`: final refusals with the frame's bytes; `transactionID` is NULL when the frame was not readable.
/// - `headEndState`: one row; `reservedAcknowledgementID` is the highest acknowledgement id handed out in blocks
///   (`AcknowledgementNumbering`), so ids keep growing across restarts without a write per acknowledgement.
enum ReadingStoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("readings") { db in
            try db.create(table: "reading") { t in
                t.column("gateway", .text).notNull()
                t.column("transactionID", .integer).notNull()
                t.column("measuredAt", .datetime).notNull()
                t.column("receivedAt", .datetime).notNull()
                t.column("signerSerial", .text).notNull()
                t.column("verdict", .text).notNull()
                t.column("frame", .blob).notNull()
                t.column("certificate", .blob).notNull()
                t.column("convention", .text).notNull()
                t.primaryKey(["gateway", "transactionID"])
            }
            // `headend readings --since`: one gateway's readings from a time on.
            try db.create(index: "reading_measuredAt", on: "reading", columns: ["gateway", "measuredAt"])
            try db.create(table: "refusal") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("gateway", .text).notNull()
                t.column("transactionID", .integer)
                t.column("reason", .text).notNull()
                t.column("disposition", .text).notNull()
                t.column("text", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("frame", .blob).notNull()
            }
            try db.create(index: "refusal_gateway", on: "refusal", columns: ["gateway"])
            try db.create(table: "headEndState") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("reservedAcknowledgementID", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO headEndState (id, reservedAcknowledgementID) VALUES (1, 0)")
        }
        return migrator
    }
}
