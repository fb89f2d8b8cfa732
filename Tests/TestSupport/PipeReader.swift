import Foundation

/// Reads one pipe of a child to its end on a thread of its own, with blocking `read(2)`, and hands each chunk to
/// `received` in order.
///
/// Why a thread and not `FileHandle.readabilityHandler`: setting and clearing readability handlers for many pipes
/// from several threads corrupts libdispatch's epoll bookkeeping on Linux, and its manager thread then crashes the
/// whole test process now and then (swift-corelibs-libdispatch #949). A blocking read on a thread that ends at EOF
/// registers nothing with dispatch, so there is nothing to corrupt.
final class PipeReader: @unchecked Sendable {
    private let condition = NSCondition()
    private var ended = false

    /// Starts reading `handle` at once; `received` runs on the reader's thread, one chunk at a time, and `finished`
    /// once after the last.
    init(_ handle: FileHandle, received: @escaping @Sendable (Data) -> Void, finished: @escaping @Sendable () -> Void = {}) {
        // A descriptor of its own, closed at the end: the pipe's may close with its owner while the child still writes,
        // and its number could by then name another file, which this thread would read from.
        let descriptor = fcntl(handle.fileDescriptor, F_DUPFD_CLOEXEC, 0)
        let thread = Thread { [condition] in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 { received(Data(chunk[..<count])); continue }
                if count < 0 && errno == EINTR { continue }
                break
            }
            close(descriptor)
            finished()
            condition.withLock { self.ended = true; condition.broadcast() }
        }
        thread.name = "pipe reader"
        thread.start()
    }

    /// Waits until the pipe's writers have all closed it (the child and anything it left holding the pipe), at most
    /// until `deadline` when one is given; true when the end was read.
    @discardableResult
    func waitForEnd(until deadline: Date? = nil) -> Bool {
        condition.withLock {
            while !ended {
                // Foundation's wait(until:) traps on .distantFuture: no deadline is a plain wait.
                guard let deadline else { condition.wait(); continue }
                if !condition.wait(until: deadline) { break }
            }
            return ended
        }
    }
}
