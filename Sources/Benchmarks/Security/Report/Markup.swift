/// HTML and SVG text built element by element, every piece of text and every attribute value escaped on the way in:
/// the report's strings come from the run (a CPU's name, a version, a signer's reason for skipping), and the page
/// must show them as text whatever characters they hold, never as markup.
struct Markup {
    private(set) var text = ""

    /// `text` with the five characters HTML gives a meaning replaced by their entities.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Markup from the program's own constants (the style sheet), never from the run: not escaped.
    static func trusted(_ text: String) -> Markup {
        var markup = Markup()
        markup.text = text
        return markup
    }

    /// Text, escaped.
    mutating func append(_ content: String) {
        text += Self.escaped(content)
    }

    /// Markup another builder made (already escaped).
    mutating func append(_ other: Markup) {
        text += other.text
    }

    /// `<name attributes>`…`</name>`, the body added by `body`. Attributes keep their order, so the same model gives
    /// the same bytes.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], body: (inout Markup) -> Void = { _ in }) {
        open(name, attributes)
        body(&self)
        text += "</\(name)>"
    }

    /// An element that holds only text.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text content: String) {
        element(name, attributes) { $0.append(content) }
    }

    /// An element with no content: `<name attributes/>` (SVG) or `<name attributes>` (HTML's void elements).
    mutating func empty(_ name: String, _ attributes: KeyValuePairs<String, String>, void: Bool = false) {
        text += "<\(name)\(Self.attributes(attributes))\(void ? ">" : "/>")"
    }

    /// A line break in the source, to keep the page readable when someone opens it in an editor.
    mutating func newline() {
        text += "\n"
    }

    private mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String>) {
        text += "<\(name)\(Self.attributes(attributes))>"
    }

    private static func attributes(_ attributes: KeyValuePairs<String, String>) -> String {
        attributes.map { " \($0.key)=\"\(escaped($0.value))\"" }.joined()
    }
}
