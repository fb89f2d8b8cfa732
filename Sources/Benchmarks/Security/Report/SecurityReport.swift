import Foundation

/// The report of `gatewayctl bench security --report DIR`: one measured `SecurityResults` turned into `index.html`
/// (a self-contained page with charts and tables), `results.json` (every figure, to recompute any of them) and
/// `summary.md` (the goals and headline tables, for a README or an issue).
///
/// Rendering is a pure function of the results: the same results give the same bytes, so two reports diff cleanly and
/// a test can check the page it wrote.
public struct SecurityReport: Sendable {
    public static let pageName = "index.html"
    public static let resultsName = "results.json"
    public static let summaryName = "summary.md"

    public let results: SecurityResults

    public init(results: SecurityResults) {
        self.results = results
    }

    public var html: String { ReportPage(results).html }

    public var markdown: String { SummaryMarkdown(results).text }

    public func json() throws -> Data {
        do {
            return try SecurityResults.jsonEncoder.encode(results)
        } catch {
            throw SecurityReportError.cannotEncode(reason: String(describing: error))
        }
    }

    /// Writes the three files into `directory`, making it if missing; a file of the same name is replaced whole
    /// (written aside and renamed), so a reader never sees half a page.
    public func write(to directory: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw SecurityReportError.notADirectory(path: directory.path) }
        } else {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw SecurityReportError.cannotCreateDirectory(path: directory.path, reason: Self.reason(error))
            }
        }
        let files = [(Self.resultsName, try json()), (Self.pageName, Data(html.utf8)), (Self.summaryName, Data(markdown.utf8))]
        for (name, data) in files {
            let file = directory.appendingPathComponent(name)
            do {
                try data.write(to: file, options: .atomic)
            } catch {
                throw SecurityReportError.cannotWrite(path: file.path, reason: Self.reason(error))
            }
        }
    }

    /// The system's reason (permission denied, no space left) rather than Foundation's long description.
    private static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as NSError).localizedDescription
    }
}
