import COSEM
import Foundation
import NIOCore
import Synchronization
import Transport

/// The way down to each connected gateway for signed requests, and back: the server registers each gateway's
/// connection (the gateway connects out, so its uplink is the only way to it), a request is written there, and the
/// answer that comes up among the gateway's record frames is handed to the request waiting for its transaction id.
public final class RequestRouter: Sendable {
    private struct Waiting {
        var gateway: SystemTitle
        var continuation: CheckedContinuation<[UInt8], any Error>
    }

    private struct State {
        var connections: [SystemTitle: (id: Int, writer: NIOAsyncChannelOutboundWriter<WrapperFrame>)] = [:]
        var waiting: [UInt64: Waiting] = [:]
        /// Until when answers from each gateway may come: a request's timeout and a grace after it.
        var answersExpected: [SystemTitle: ContinuousClock.Instant] = [:]
        var nextConnection = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// The gateways connected now.
    public var connected: [SystemTitle] { state.withLock { Array($0.connections.keys) } }

    /// A gateway's connection is up; returns the token `unregister` takes. A newer connection replaces an older one.
    func register(_ gateway: SystemTitle, writer: NIOAsyncChannelOutboundWriter<WrapperFrame>) -> Int {
        state.withLock { state in
            state.nextConnection += 1
            state.connections[gateway] = (state.nextConnection, writer)
            return state.nextConnection
        }
    }

    /// The connection is gone: requests waiting for an answer on it fail now, not at their timeout.
    func unregister(_ gateway: SystemTitle, token: Int) {
        let failed = state.withLock { state -> [Waiting] in
            guard state.connections[gateway]?.id == token else { return [] }
            state.connections[gateway] = nil
            let gone = state.waiting.filter { $0.value.gateway == gateway }
            for key in gone.keys { state.waiting[key] = nil }
            return Array(gone.values)
        }
        for waiting in failed { waiting.continuation.resume(throwing: RequestError.connectionLost(waiting.gateway)) }
    }

    /// Whether `apdu` from `gateway` answers a waiting request (a signed get-response, or an exception-response);
    /// if so it is handed over and the caller does not process it as a record.
    func deliver(_ apdu: [UInt8], from gateway: SystemTitle) -> Bool {
        // Nearly every frame is a reading: unless a request went to this gateway lately (an answer may come late,
        // after its request timed out, and must not be taken for a reading), it is one, and is not decoded here.
        guard state.withLock({ ($0.answersExpected[gateway] ?? .now) > .now }) else { return false }
        let id: UInt64?
        if apdu.first == ExceptionResponse.tag {
            id = nil
        } else if apdu.first == GeneralSigning.tag, let frame = try? GeneralSigning(decoding: apdu),
                  frame.content.first == GetResponseNormal.tag, frame.transactionID.count == 8 {
            id = frame.transactionID.reduce(0) { $0 << 8 | UInt64($1) }
        } else {
            return false
        }
        let waiting = state.withLock { state -> Waiting? in
            // An exception-response names no transaction: it answers the oldest request waiting on that gateway.
            let key = id ?? state.waiting.filter { $0.value.gateway == gateway }.keys.min()
            guard let key, let waiting = state.waiting[key], waiting.gateway == gateway else { return nil }
            state.waiting[key] = nil
            return waiting
        }
        waiting?.continuation.resume(returning: apdu)
        return true
    }

    /// Writes a signed request down `gateway`'s connection and waits for its answer (the APDU), at most `timeout`.
    public func send(_ request: [UInt8], transactionID: UInt64, to gateway: SystemTitle, timeout: Duration) async throws -> [UInt8] {
        guard let writer = state.withLock({ state -> NIOAsyncChannelOutboundWriter<WrapperFrame>? in
            let until = ContinuousClock.now.advanced(by: timeout + .seconds(60))
            state.answersExpected[gateway] = max(state.answersExpected[gateway] ?? until, until)
            return state.connections[gateway]?.writer
        }) else { throw RequestError.notConnected(gateway) }
        return try await withThrowingTaskGroup(of: [UInt8].self) { group in
            group.addTask {
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { continuation in
                        self.state.withLock { $0.waiting[transactionID] = Waiting(gateway: gateway, continuation: continuation) }
                        // Cancelled before it was registered: the handler below found nothing to fail.
                        if Task.isCancelled { self.fail(transactionID, CancellationError()) }
                        Task {
                            do {
                                try await writer.write(try WrapperFrame(source: UplinkPorts.headEnd, destination: UplinkPorts.gateway, apdu: request))
                            } catch {
                                self.fail(transactionID, RequestError.connectionLost(gateway))
                            }
                        }
                    }
                } onCancel: {
                    self.fail(transactionID, CancellationError())
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw RequestError.timeout(gateway, after: timeout)
            }
            defer { group.cancelAll() }
            do {
                let answer = try await group.next()!
                return answer
            } catch {
                fail(transactionID, error)
                throw error
            }
        }
    }

    private func fail(_ transactionID: UInt64, _ error: any Error) {
        let waiting = state.withLock { $0.waiting.removeValue(forKey: transactionID) }
        waiting?.continuation.resume(throwing: error)
    }
}

/// Why a request got no answer; each names the gateway.
public enum RequestError: Error, Sendable, Hashable, CustomStringConvertible {
    case notConnected(SystemTitle)
    case connectionLost(SystemTitle)
    case timeout(SystemTitle, after: Duration)

    public var description: String {
        switch self {
        case .notConnected(let gateway): "gateway \(gateway) is not connected; requests travel down its uplink, so wait until it connects"
        case .connectionLost(let gateway): "the connection to gateway \(gateway) ended before it answered; send the request again"
        case .timeout(let gateway, let after): "gateway \(gateway) did not answer within \(after)"
        }
    }
}
