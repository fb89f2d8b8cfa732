/// One gateway's stored transaction ids as the head-end's ledger keeps them: the highest, and a bitmap of which of
/// the `window` ids up to it are stored. That is all the rules need, it is rebuilt from the store's ids at a restart
/// (`ReceiverLedger.restore`), and it costs `window / 8` bytes per gateway (512 for the default 4096), however long
/// the gateway has been sending.
struct RecentTransactions: Sendable, Hashable {
    /// A multiple of 64, the bits of one word.
    let window: Int
    private(set) var highest: UInt64?
    /// Bit `id % window` is set when `id`, within the window, is stored.
    private var words: [UInt64]

    init(window: Int) {
        self.window = window
        words = Array(repeating: 0, count: window / 64)
    }

    /// Whether `id` is at most the highest and fewer than `window` below it: the ids the bitmap speaks for.
    func covers(_ id: UInt64) -> Bool {
        guard let highest, id <= highest else { return false }
        return highest - id < UInt64(window)
    }

    /// Whether `id`, which the bitmap covers, is stored.
    func contains(_ id: UInt64) -> Bool {
        let bit = Int(id % UInt64(window))
        return words[bit / 64] & (1 << UInt64(bit % 64)) != 0
    }

    /// Records `id` as stored. Moving the highest up forgets what falls out of the window; an id already below the
    /// window leaves no trace (the store holds it, and the ledger asks the store about such ids).
    mutating func insert(_ id: UInt64) {
        guard let current = highest else {
            highest = id
            set(id)
            return
        }
        if id > current {
            if id - current >= UInt64(window) {
                for index in words.indices { words[index] = 0 }
            } else {
                var cleared = current + 1
                while cleared < id {
                    clear(cleared)
                    cleared += 1
                }
            }
            highest = id
            set(id)
        } else if covers(id) {
            set(id)
        }
    }

    private mutating func set(_ id: UInt64) {
        let bit = Int(id % UInt64(window))
        words[bit / 64] |= 1 << UInt64(bit % 64)
    }

    private mutating func clear(_ id: UInt64) {
        let bit = Int(id % UInt64(window))
        words[bit / 64] &= ~(1 << UInt64(bit % 64))
    }
}
