import Foundation
import Logging
import Metering
import Metrics

extension FrameProcessor {
    /// What a stored reading tells beyond its verdict, logged and counted: a measurement time further ahead of the
    /// head-end's clock than `maxClockSkew` (`headend_readings_clock_ahead_total`), and polls the gateway could not
    /// store before it (`headend_gateway_missed_polls_total`, from the record's `CounterValue.missedPolls`).
    func observe(_ reading: StoredReading, record: MeasurementRecord) {
        let metadata: Logger.Metadata = ["gateway": "\(reading.gateway)", "transaction": "\(reading.transactionID)"]
        if let ahead = ClockSkew.ahead(measuredAt: reading.measuredAt, receivedAt: reading.receivedAt, maximum: maxClockSkew) {
            Counter(label: "headend_readings_clock_ahead_total").increment()
            logger.warning("reading measured \(ReadingValues.format(ahead)) s ahead of the head-end's clock (more than readings.max_clock_skew): stored and flagged; check the gateway's clock (NTP)", metadata: metadata)
        }
        let missed = record.missedPollsBefore
        if missed > 0 {
            Counter(label: "headend_gateway_missed_polls_total").increment(by: Int64(clamping: missed))
            logger.warning("the gateway could not store \(missed) poll\(missed == 1 ? "" : "s") before this reading (its disk or outbox was full)", metadata: metadata)
        }
    }
}
