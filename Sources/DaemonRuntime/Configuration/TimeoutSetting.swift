/// Timeout settings (`idle_timeout`, `header_timeout`, ...) as an operator writes them: `30s`, `500ms`, `2m`, or a
/// bare number of seconds, so a YAML `idle_timeout: 30` means what it looks like.
public enum TimeoutSetting {
    /// `text` as a positive duration (or zero, with `allowZero`: a poll interval of 0 polls back to back); `key`
    /// names the setting in the error.
    public static func parse(_ text: String, key: String, allowZero: Bool = false) throws(DaemonSettingError) -> Duration {
        let trimmed = text.trimmingPrefixAndSuffixSpaces
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        let (number, scale) = units.first { trimmed.hasSuffix($0.suffix) }
            .map { (String(trimmed.dropLast($0.suffix.count)), $0.seconds) } ?? (trimmed, 1)
        guard let value = Double(number), value.isFinite, value > 0 || (allowZero && value == 0), value * scale <= 86_400 else {
            throw .notATimeout(key: key, value: text)
        }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}

extension String {
    fileprivate var trimmingPrefixAndSuffixSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
