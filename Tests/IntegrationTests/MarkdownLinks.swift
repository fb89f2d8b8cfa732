import Foundation

/// The relative links of one Markdown file, `[text](path#anchor)`, outside code: what a reader on GitHub or in an
/// editor follows. Links with a scheme (`https:`, `mailto:`) leave the repository and are not ours to check.
struct MarkdownLinks {
    struct Link {
        var line: Int
        var path: String
        var anchor: String?
    }

    var links: [Link] = []
    /// The anchors GitHub makes of this file's headings.
    var anchors: Set<String> = []

    init(markdown: String) {
        var inFence = false
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") { inFence.toggle(); continue }
            if inFence { continue }
            if line.hasPrefix("#") {
                anchors.insert(Self.anchor(ofHeading: line.drop { $0 == "#" }))
            }
            let prose = line.replacing(#/`[^`]*`/#, with: "")
            for match in prose.matches(of: #/\]\(([^)\s]+)\)/#) {
                let target = match.output.1
                guard target.firstMatch(of: #/^[A-Za-z][A-Za-z0-9+.-]*:/#) == nil else { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                links.append(Link(line: index + 1, path: String(parts[0]), anchor: parts.count > 1 ? String(parts[1]) : nil))
            }
        }
    }

    /// GitHub's rule: lower case, punctuation dropped except `-` and `_`, spaces to `-`.
    static func anchor(ofHeading heading: Substring) -> String {
        String(heading.trimmingCharacters(in: .whitespaces).lowercased().compactMap { character -> Character? in
            if character == " " { return "-" }
            return character.isLetter || character.isNumber || character == "-" || character == "_" ? character : nil
        })
    }
}
