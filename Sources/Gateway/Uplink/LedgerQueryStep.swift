import COSEM
import Foundation
import Metering
import NIOCore
import Transport

/// The first exchange on every connection, before any reading goes: the gateway asks the head-end what it holds
/// (`LedgerQuery`, signed with the record key) and acts on the verified answer. The session stays unconnected
/// (`GatewaySession.nextToSend()` gives nothing) until then; no answer within `upstream.ack_timeout` drops the
/// connection as a missing acknowledgement does.
extension UplinkLoop {
    /// Sends the ledger query; its answer comes among the frames (`ledgerAnswer`).
    ///
    /// When the record key cannot sign it (a token that signs nothing now, its PIN blocked, while the TLS key still
    /// connects), what the outbox holds signed goes without it, as before the query existed: the head-end still
    /// refuses a reused id as a `conflict`, and only the renumbered readings wait for the token.
    func askLedger(_ outbound: NIOAsyncChannelOutboundWriter<WrapperFrame>) async throws {
        try await acknowledgementFloor.load()
        ledgerQuery = nil
        let id = LedgerQuery.nonce()
        let query: SignedRequest
        do {
            query = try await ExchangeSigner(service.credentials.recordSigner)
                .request(LedgerQuery.attribute, to: settings.headEnd, transactionID: id)
        } catch {
            logger.warning("cannot sign the ledger query (\(error)); sending the signed readings without asking what the head-end holds")
            session.connectionEstablished()
            return
        }
        ledgerQuery = (id, clock.now)
        try await outbound.write(try WrapperFrame(source: UplinkPorts.gateway, destination: UplinkPorts.headEnd, apdu: query.encoded))
    }

    /// Whether the connection still waits for the ledger answer: every frame before it is taken for it.
    var awaitsLedger: Bool { ledgerQuery != nil }

    /// Checks the answer (the head-end's signature, certificate, addresses, the query's own transaction id echoed),
    /// raises the outbox's next id above what the head-end holds, takes its acknowledgement number, and lets the
    /// session send.
    func ledgerAnswer(_ apdu: [UInt8]) async throws {
        guard let query = ledgerQuery else { return }
        let records = service.credentials.recordSigner
        let verification = await ResponseVerifier(validator: await validator(), receiver: records.originator,
                                                  expectedOriginator: settings.headEnd, convention: records.convention)
            .verify(frame: apdu, certificates: service.directory, transactionID: query.id)
        guard let response = verification.verified else {
            let reason = verification.failure.map { "\($0.name): \($0.detail)" } ?? "unverified"
            throw UplinkError.ledgerAnswer("the head-end's answer to the ledger query is refused (\(reason))")
        }
        if case .dataAccessError(.temporaryFailure) = response.body.result {
            // The head-end cannot judge the gateway now (a CRL or the directory out of reach): what a retry-later is
            // for a reading. Hold for the pause on this connection, then ask again (`askLedgerAgainIfDue`).
            ledgerQuery = nil
            holdUntil = clock.now.advanced(by: settings.retryLaterPause)
            service.status.update { $0.uplink = .holding }
            logger.notice("head-end cannot answer the ledger query now (temporary-failure); holding \(settings.retryLaterPause), then asking again")
            return
        }
        guard case .data(let data) = response.body.result, let state = LedgerState(data) else {
            throw UplinkError.ledgerAnswer("the head-end refused the ledger query (\(response.body.result)); its log says why")
        }
        ledgerQuery = nil
        _ = try await acknowledgementFloor.adopt(state.acknowledgementNumber, logger: logger)
        if let advance = try await service.outbox.advance(past: state.highestTransactionID) {
            let line = "the outbox \(service.outbox.path) numbered from \(advance.from), but head-end \(settings.headEnd) holds ids up to "
                + "\(state.highestTransactionID) (the outbox was emptied, restored from an old backup or reinstalled): new readings now "
                + "take ids from \(advance.to); readings taken below go as they are, and those the head-end holds differently are renumbered"
            logger.error("\(line)")
            service.status.error(line)
        }
        logger.debug("ledger: head-end holds up to \(state.highestTransactionID), acknowledgement number \(state.acknowledgementNumber)")
        session.connectionEstablished()
    }

    /// After a temporary-failure answer, once the pause is over: asks again. True when it did (the pause is the
    /// ledger's, not a held reading's).
    func askLedgerAgainIfDue(_ outbound: NIOAsyncChannelOutboundWriter<WrapperFrame>) async throws -> Bool {
        guard !session.isConnected, ledgerQuery == nil, let holdUntil, clock.now >= holdUntil else { return false }
        self.holdUntil = nil
        service.status.update { $0.uplink = .connected }
        try await askLedger(outbound)
        return true
    }

    /// Throws when the ledger answer is overdue.
    func checkLedgerDeadline() throws {
        if let query = ledgerQuery, clock.now >= query.sentAt.advanced(by: settings.acknowledgementTimeout) {
            throw UplinkError.ledgerAnswer("no answer to the ledger query within \(settings.acknowledgementTimeout); reconnecting")
        }
    }

    /// A reading the head-end holds under another frame: moved to a fresh id above everything, signed again, sent again.
    func renumber(_ id: UInt64) async throws {
        let newID = try await service.outbox.renumber(transactionID: id)
        service.timing.discard(id)
        service.signing?.ring()
        logger.warning("head-end holds a different reading under transaction \(id) (conflict): the reading is renumbered \(newID), to be signed and sent again")
    }
}
