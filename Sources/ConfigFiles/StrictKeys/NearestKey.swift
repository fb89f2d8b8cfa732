/// The known key a misspelled one was most likely meant to be: the fewest single-character edits (Levenshtein),
/// ties to the first in alphabetical order, so the hint is the same every run.
enum NearestKey {
    static func among(_ known: Set<String>, to key: String) -> String? {
        known.sorted().min { distance($0, key) < distance($1, key) }
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
