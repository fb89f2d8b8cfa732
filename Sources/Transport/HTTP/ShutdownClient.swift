/// A client that holds connections (and AsyncHTTPClient's event-loop resources) until its owner calls `shutdown()`.
public protocol ShutdownClient: Sendable {
    func shutdown() async
}

extension ShutdownClient {
    /// `body` with this client, shut down once `body` has returned or thrown: a command that makes a client for one
    /// job cannot forget the shutdown on its error path.
    public func using<Result, Failure: Error>(_ body: (Self) async throws(Failure) -> Result) async throws(Failure) -> Result {
        do {
            let result = try await body(self)
            await shutdown()
            return result
        } catch {
            await shutdown()
            throw error
        }
    }
}

extension HTTPSClient: ShutdownClient {}
extension ESTClient: ShutdownClient {}
extension DirectoryClient: ShutdownClient {}
