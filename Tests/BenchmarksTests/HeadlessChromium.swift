import Foundation
import TestSupport

/// A page opened in Debian's headless Chromium: the DOM the browser built from it, and what its console said.
///
/// `--dump-dom` prints the document after parsing (a tag the parser closed early, an SVG it moved out of a table,
/// show there as they would in a reader's browser), and `--enable-logging=stderr` prints every console message as a
/// `CONSOLE` line, an uncaught exception as `Uncaught`. Chromium's own complaints about the machine (no D-Bus, no GPU)
/// are not the page's and are left out.
struct HeadlessChromium {
    struct Page {
        var dom: String
        /// Console messages and errors about the page; empty for a clean page.
        var errors: [String]
    }

    /// Where Chromium's :ERROR: lines that are about the machine come from: D-Bus, GPU and media probing, the
    /// sandbox, devices. Seen on this machine with `--headless=new --disable-gpu` and no session bus.
    static let machineNoise = ["dbus/", "gpu/", "ui/gl/", "ui/ozone/", "components/viz/", "media/", "sandbox/", "device/"]

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
        return Page(dom: result.output, errors: errors(in: result.stderr))
    }

    /// The lines of Chromium's standard error that are about the page.
    static func errors(in log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { line in
            if line.contains("CONSOLE") || line.contains("Uncaught") { return true }
            guard let range = line.range(of: ":ERROR:") else { return false }
            let source = line[range.upperBound...]
            return !machineNoise.contains { source.hasPrefix($0) }
        }
    }
}
