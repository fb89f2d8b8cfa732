/// Text a client sent, made safe to show. pkid's and the head-end's answers and logs quote what the client sent (a
/// path, a serial, a CSR's subject, a control request's fields), and that must not let a client make a server send
/// back 60 KB of its own input, or control characters for a terminal or a log viewer to act on.
public enum PrintableText {
    /// The longest line, in characters; no message of the project's own comes near it.
    public static let maximumLength = 300

    /// `text` as one printable line: control and format characters (escape sequences, CR LF, bidi overrides) as
    /// `\u{1B}`, and, past `maximumLength`, the middle cut to `…`, keeping the start (what went wrong) and the end
    /// (usually what to do).
    public static func line(_ text: String) -> String {
        var line = ""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned:
                line += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                line.unicodeScalars.append(scalar)
            }
        }
        guard line.count > maximumLength else { return line }
        let tail = maximumLength / 3
        return line.prefix(maximumLength - tail - 1) + "…" + line.suffix(tail)
    }
}
