/// The head-end's own transaction ids for the acknowledgements it signs: strictly increasing over every
/// acknowledgement to any gateway, also across restarts, since a gateway refuses an acknowledgement whose number
/// does not follow the last one it accepted.
///
/// Ids are reserved durably in the store in blocks (`blockSize`), so an acknowledgement costs no write of its own:
/// after a restart numbering continues above the last block reserved, skipping what the old process had not used
/// (gaps in these ids are harmless; only their order counts).
public actor AcknowledgementNumbering {
    public static let blockSize = 1024
    private let store: ReadingStore
    private var next: UInt64 = 0
    private var end: UInt64 = 0

    public init(store: ReadingStore) {
        self.store = store
    }

    /// The next id. Ids come out in the order of the calls.
    public func next() async throws(ReadingStoreError) -> UInt64 {
        if next >= end {
            // Callers arriving during the reservation reserve blocks of their own; a block lower than the one in
            // use is dropped, so the ids returned still grow in the order the calls return.
            let first = try await store.reserveAcknowledgementIDs(Self.blockSize)
            if first > next {
                next = first
                end = first + UInt64(Self.blockSize)
            }
        }
        defer { next += 1 }
        return next
    }
}
