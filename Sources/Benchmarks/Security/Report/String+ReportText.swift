extension String {
    /// The text with Markdown's punctuation backslash-escaped: a CPU's name with `<b>` in it, a `|` that would split
    /// a table's cell, or a stage's `_` shows as written instead of turning into markup.
    var markdownEscaped: String {
        var result = ""
        for character in self {
            if "\\`*_[]<>|&#".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// The sentence with its first letter in lower case, to follow a colon.
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}
