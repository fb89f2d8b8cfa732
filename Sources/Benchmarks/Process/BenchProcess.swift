import Foundation
import Subprocess
import Synchronization
internal import SystemPackage

/// A daemon a bench runs for the length of a closure (`BenchProcess.run`), through swift-subprocess: its standard
/// output read line by line as it comes, each line kept, so a wait finds a line said before it was asked for; its
/// standard error passed through to ours. When the closure ends, however it ends, the daemon gets SIGTERM (SIGKILL
/// 10 s later) and is awaited, so no run leaves a process behind.
public final class BenchProcess: Sendable {
    /// The program's name, for messages.
    public let name: String
    public let processIdentifier: pid_t
    private let output = Mutex(Output())

    private struct Output {
        var lines: [String] = []
        var ended = false
        var waiters: [(text: String, continuation: CheckedContinuation<String, any Error>)] = []
    }

    private init(name: String, processIdentifier: pid_t) {
        self.name = name
        self.processIdentifier = processIdentifier
    }

    /// Runs `executable` while `body` runs, then stops it.
    public static func run<Result: Sendable>(
        _ executable: String, _ arguments: [String], _ body: (BenchProcess) async throws -> Result
    ) async throws -> Result {
        let stop: [TeardownStep] = [.gracefulShutDown(allowedDurationToNextStep: .seconds(10))]
        var options = PlatformOptions()
        options.teardownSequence = stop  // also when the bench is cancelled
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let outcome = try await Subprocess.run(.path(FilePath(executable)), arguments: Arguments(arguments), platformOptions: options,
                                               input: .none, output: .sequence, error: .currentStandardError) { execution in
            let process = BenchProcess(name: name, processIdentifier: execution.processIdentifier.value)
            async let reading: Void = process.read(execution.standardOutput)
            let result: Swift.Result<Result, any Error>
            do {
                result = .success(try await body(process))
            } catch {
                result = .failure(error)
            }
            await execution.teardown(using: stop)
            try await reading
            return try result.get()
        }
        return outcome.closureResult
    }

    private func read(_ standardOutput: SubprocessOutputSequence) async throws {
        defer { ended() }
        for try await line in standardOutput.strings() {
            let ready = output.withLock { output in
                output.lines.append(line)
                let (matching, waiting) = output.waiters.partitioned { line.contains($0.text) }
                output.waiters = waiting
                return matching.map(\.continuation)
            }
            for continuation in ready { continuation.resume(returning: line) }
        }
    }

    private func ended() {
        let waiting = output.withLock { output in
            output.ended = true
            defer { output.waiters = [] }
            return output.waiters
        }
        for waiter in waiting {
            waiter.continuation.resume(throwing: endedWithout(waiter.text))
        }
    }

    /// The first line of its standard output that contains `text`, once it is there; throws if the process ends
    /// without one.
    @discardableResult
    public func line(containing text: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let found = output.withLock { output -> Swift.Result<String, any Error>? in
                if let line = output.lines.first(where: { $0.contains(text) }) { return .success(line) }
                if output.ended { return .failure(endedWithout(text)) }
                output.waiters.append((text, continuation))
                return nil
            }
            if let found { continuation.resume(with: found) }
        }
    }

    private func endedWithout(_ text: String) -> BenchError {
        BenchError("\(name) ended without printing \"\(text)\"; run it alone with the same options to see why")
    }

    /// Its resident set size from /proc, in MiB; zero once it is gone.
    public var residentMiB: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return kib / 1024
    }
}

extension Array {
    /// The elements that satisfy `belongs`, and the others, each in their order.
    fileprivate func partitioned(_ belongs: (Element) -> Bool) -> (matching: [Element], others: [Element]) {
        var matching: [Element] = []
        var others: [Element] = []
        for element in self { if belongs(element) { matching.append(element) } else { others.append(element) } }
        return (matching, others)
    }
}
