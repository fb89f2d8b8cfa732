import Foundation
import TestSupport

/// A page opened in Debian's headless Chromium: the DOM the browser built from it, and what its console said.
///
/// `--dump-dom` prints the document after parsing (a tag the parser closed early, an SVG it moved out of a table,
/// show there as they would in a reader's browser), and `--enable-logging=stderr` prints every console message as a
/// `CONSOLE` line, an uncaught exception as `Uncaught`. Chromium's own `:ERROR:` lines are the page's only when they
/// name it: the others are about the machine and the browser's insides, and vary with them (on this machine: no D-Bus
/// session bus, no GPU, and under load a mojo message "rejected by interface blink.mojom.FrameWidgetHost" as a
/// renderer goes away), so counting them would make the test fail for the machine, not the page.
struct HeadlessChromium {
    struct Page {
        var dom: String
        /// Console messages and errors about the page; empty for a clean page.
        var errors: [String]
    }

    /// Opens `page` with a fresh profile in `profile`; throws the one-line `make deps` hint when Chromium is missing.
    static func open(_ page: URL, profile: URL) async throws -> Page {
        let chromium: String
        do {
            chromium = try which("chromium")
        } catch {
            throw TestSetupError("chromium is not installed; `make deps` installs it (Debian's chromium package)")
        }
        let result = try await run(chromium, [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
            "--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString,
        ])
        guard result.status == 0 else {
            throw TestSetupError("chromium exited with \(result.status): \(result.stderr.suffix(500))")
        }
        return Page(dom: result.output, errors: errors(in: result.stderr, about: page))
    }

    /// The lines of Chromium's standard error that are about `page`.
    static func errors(in log: String, about page: URL) -> [String] {
        log.split(separator: "\n").map(String.init).filter { line in
            line.contains("CONSOLE") || line.contains("Uncaught") || (line.contains(":ERROR:") && line.contains(page.path))
        }
    }
}
