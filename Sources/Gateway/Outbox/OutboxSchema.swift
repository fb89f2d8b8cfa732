import GRDB

/// The outbox's tables and their history.
///
/// - `outboxState`: one row. `nextTransactionID` is the only source of transaction ids: `take` reads and raises it
///   in the transaction that stores the reading, so an id is used exactly when its reading is stored. It is never
///   derived from the readings (they are deleted once delivered, and a `MAX` over what is left would go back).
///   `unsignedCount` and `signedCount` are kept by triggers, so the limit check in every `take` costs one row
///   read, not a count over readings with their blobs.
/// - `reading`: one row per reading not yet acknowledged, keyed by its transaction id; `frame` is NULL until the
///   token has signed it.
///   `refusedAt`/`refusal` are set when the head-end refused the frame for good: it is kept, and no longer sent.
/// - `gap`: runs of readings refused while the outbox was full (`OutboxGap`).
/// - `requester`: per requester system title, the highest transaction id of a signed request admitted (`Outbox.admit`).
/// - `counterFileMigration`: which transaction counter files were taken over, so each is read once.
/// - `headEndAcknowledgement`: per head-end system title, the number of the last acknowledgement the gateway acted
///   on; an acknowledgement not above it is refused on any connection, after a restart too (`Outbox.acknowledgementFloor`).
/// - `outboxState.renumberedFrom`/`renumberedTo`/`renumberedAt`: the last time the next id was raised above the
///   highest id the head-end holds (`Outbox.advance(past:)`), for `gatewayctl status`.
///
/// Transaction ids are SQLite integers: signed 64-bit, so ids end at 2^63 - 1 (`OutboxError.exhausted`).
enum OutboxSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("outbox") { db in
            try db.create(table: "outboxState") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("nextTransactionID", .integer).notNull().check { $0 >= 1 }
                t.column("lastDeliveredTransactionID", .integer)
                t.column("unsignedCount", .integer).notNull().check { $0 >= 0 }
                t.column("signedCount", .integer).notNull().check { $0 >= 0 }
                t.column("refusedCount", .integer).notNull()
            }
            try db.execute(sql: """
                INSERT INTO outboxState (id, nextTransactionID, unsignedCount, signedCount, refusedCount) VALUES (1, 1, 0, 0, 0)
                """)
            try db.create(table: "reading") { t in
                t.primaryKey("transactionID", .integer)
                t.column("measuredAt", .datetime).notNull()
                t.column("takenAt", .datetime).notNull()
                t.column("dataNotification", .blob).notNull()
                t.column("frame", .blob)
                t.column("signedAt", .datetime)
            }
            // The backlog to sign, and the first unsigned id that holds later frames back, without a table scan.
            try db.execute(sql: "CREATE INDEX reading_unsigned ON reading(transactionID) WHERE frame IS NULL")
            try db.execute(sql: """
                CREATE TRIGGER reading_inserted AFTER INSERT ON reading BEGIN
                    UPDATE outboxState SET unsignedCount = unsignedCount + (NEW.frame IS NULL),
                                           signedCount = signedCount + (NEW.frame IS NOT NULL) WHERE id = 1;
                END;
                CREATE TRIGGER reading_signed AFTER UPDATE OF frame ON reading BEGIN
                    UPDATE outboxState SET unsignedCount = unsignedCount - (NEW.frame IS NOT NULL) + (OLD.frame IS NOT NULL),
                                           signedCount = signedCount + (NEW.frame IS NOT NULL) - (OLD.frame IS NOT NULL) WHERE id = 1;
                END;
                CREATE TRIGGER reading_deleted AFTER DELETE ON reading BEGIN
                    UPDATE outboxState SET unsignedCount = unsignedCount - (OLD.frame IS NULL),
                                           signedCount = signedCount - (OLD.frame IS NOT NULL) WHERE id = 1;
                END;
                """)
            try db.create(table: "gap") { t in
                t.primaryKey("afterTransactionID", .integer)
                t.column("firstMeasuredAt", .datetime).notNull()
                t.column("lastMeasuredAt", .datetime).notNull()
                t.column("count", .integer).notNull()
            }
            try db.create(table: "counterFileMigration") { t in
                t.primaryKey("path", .text)
                t.column("value", .integer).notNull()
                t.column("migratedAt", .datetime).notNull()
            }
        }
        // A frame the head-end refused for good stays, set aside, for a person to look at: only an acknowledgement
        // removes a reading, and sending it again would get the same answer.
        migrator.registerMigration("refusals") { db in
            try db.alter(table: "reading") { t in
                t.add(column: "refusedAt", .datetime)
                t.add(column: "refusal", .text)
            }
        }
        // The last transaction id accepted from each requester (signed requests): a request is fresh only above it,
        // across restarts too.
        migrator.registerMigration("requesters") { db in
            try db.create(table: "requester") { t in
                t.primaryKey("systemTitle", .text)
                t.column("lastTransactionID", .integer).notNull()
                t.column("acceptedAt", .datetime).notNull()
            }
        }
        // Item 8 of issue 17: the head-end's acknowledgement numbers, kept across connections and restarts; and the
        // record of the outbox's ids moving forward past what the head-end holds (item 1).
        migrator.registerMigration("headEndLedger") { db in
            try db.create(table: "headEndAcknowledgement") { t in
                t.primaryKey("systemTitle", .text)
                t.column("lastNumber", .integer).notNull()
                t.column("acceptedAt", .datetime).notNull()
            }
            try db.alter(table: "outboxState") { t in
                t.add(column: "renumberedFrom", .integer)
                t.add(column: "renumberedTo", .integer)
                t.add(column: "renumberedAt", .datetime)
            }
        }
        return migrator
    }
}
