import Synchronization

/// The head-end's signed requests as they come down the uplink, answered off the uplink's loop (a request reads the
/// meter, which may take its response timeout) in a task group of at most `limit` at once; the uplink's shutdown
/// cancels the group, and with it every request still running.
///
/// A request beyond the limit waits, in order of arrival, for one to finish: the head-end is the one peer that can
/// send requests (mutual TLS), it bounds its own patience (its request timeout), and an answer that comes late is
/// still a signed, verified answer it may use. The requests share one meter connection and one token anyway, so
/// more at once would only queue there.
final class RequestQueue: Sendable {
    /// One request, with the connection it came on (its answer goes back there only).
    struct Arrival: Sendable {
        var apdu: [UInt8]
        var connection: Int
    }

    let responder: SignedRequestResponder
    let limit: Int
    private let arrivals: AsyncStream<Arrival>
    private let continuation: AsyncStream<Arrival>.Continuation
    private let waitingCount = Atomic<Int>(0)

    init(responder: SignedRequestResponder, limit: Int) {
        precondition(limit >= 1, "at least one request must be allowed at once")
        self.responder = responder
        self.limit = limit
        (arrivals, continuation) = AsyncStream.makeStream()
    }

    /// Requests received and not started yet, because `limit` are running.
    var waiting: Int { waitingCount.load(ordering: .relaxed) }

    func submit(_ apdu: [UInt8], connection: Int) {
        waitingCount.add(1, ordering: .relaxed)
        continuation.yield(Arrival(apdu: apdu, connection: connection))
    }

    /// Answers requests until cancelled, each answer handed to `reply` with its connection.
    func run(reply: @escaping @Sendable (_ answer: [UInt8], _ connection: Int) -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await arrival in arrivals {
                if running == limit {
                    await group.next()
                    running -= 1
                }
                waitingCount.subtract(1, ordering: .relaxed)
                running += 1
                group.addTask { [responder] in
                    reply(await responder.handle(arrival.apdu), arrival.connection)
                }
            }
            group.cancelAll()
        }
    }
}
