import Modbus
import Foundation

/// Plausible, time-varying three-phase values for the simulator, keyed by the OBIS codes of
/// Config/pac3200.yaml: about 230 V, load-dependent currents, P = U·I·cos φ per phase, totals that equal the
/// sum of the phases, frequency near 50 Hz, and energy counters that grow by the integral of the power.
struct PAC3200Physics {
    private let start: Date
    private var lastIntegration: Date
    /// Energy counters in Wh / varh / VAh, by OBIS code; they only grow.
    private(set) var counters: [String: Double] = [
        "1.0.1.8.1.255": 1_234_567.0, "1.0.1.8.2.255": 456_789.0,
        "1.0.2.8.1.255": 0, "1.0.2.8.2.255": 0,
        "1.0.3.8.1.255": 234_567.0, "1.0.3.8.2.255": 87_654.0,
        "1.0.4.8.1.255": 0, "1.0.4.8.2.255": 0,
        "1.0.9.8.1.255": 1_300_000.0, "1.0.9.8.2.255": 480_000.0,
    ]
    /// A phase whose values read as NaN, as on a meter with that phase unconnected (1-3).
    var nanPhase: Int?

    /// `meterIndex` (see `SimulatorOptions.meterIndex`) moves the curves `curveShift` seconds along per meter and
    /// scales the starting counters by a quarter per meter; 0 changes nothing.
    init(now: Date = Date(), meterIndex: Int = 0) {
        start = now.addingTimeInterval(-Self.curveShift * Double(meterIndex))
        lastIntegration = now
        let scale = 1 + 0.25 * Double(meterIndex)
        counters = counters.mapValues { $0 * scale }
    }

    /// Seconds between the curves of neighbouring meters: not a divisor of any curve's period, so no two of the
    /// first 64 meters share a phase on every curve.
    static let curveShift = 37.7

    /// OBIS code → value at `now`, with the counters advanced to `now`.
    mutating func values(at now: Date = Date()) -> [String: Double] {
        let t = now.timeIntervalSince(start)
        var values: [String: Double] = [:]
        var totals = (p: 0.0, q: 0.0, s: 0.0, current: 0.0, voltage: 0.0, phases: 0.0)
        var voltages: [Double] = []
        var currents: [Double] = []
        let phaseCodes = [(32, 31, 29, 36, 151, 33), (52, 51, 49, 56, 171, 53), (72, 71, 69, 76, 191, 73)]
        for (index, codes) in phaseCodes.enumerated() {
            let k = Double(index)
            let u = 230 + 2.5 * sin(2 * .pi * t / 60 + k) + 0.3 * sin(2 * .pi * t / 7.3 + 2 * k)
            let i = 12 + 6 * sin(2 * .pi * t / 300 + 1.7 * k) + 0.5 * sin(2 * .pi * t / 11 + k)
            let cosPhi = 0.93 + 0.04 * sin(2 * .pi * t / 120 + k)
            let s = u * i
            let p = s * cosPhi
            let q = s * (1 - cosPhi * cosPhi).squareRoot()
            let connected = nanPhase != index + 1
            func put(_ c: Int, _ e: Int, _ value: Double) { values["1.0.\(c).7.\(e).255"] = connected ? value : .nan }
            put(codes.0, 0, u)
            put(codes.1, 0, i)
            put(codes.2, 0, s)
            put(codes.3, 0, p)
            put(codes.4, 0, q)
            put(codes.5, 0, cosPhi)
            put(codes.0, 124, 1.8 + 0.2 * sin(t / 30 + k))
            put(codes.1, 124, 6 + sin(t / 45 + k))
            guard connected else { continue }
            totals.p += p
            totals.q += q
            totals.s += s
            voltages.append(u)
            currents.append(i)
        }
        // Line-to-line from the phase voltages 120° apart; NaN when either phase is missing.
        let phaseVoltages = [32, 52, 72].map { values["1.0.\($0).7.0.255"] ?? .nan }
        for (code, (a, b)) in [(142, (0, 1)), (143, (1, 2)), (144, (2, 0))] {
            let ua = phaseVoltages[a], ub = phaseVoltages[b]
            values["1.0.\(code).7.0.255"] = (ua * ua + ub * ub + ua * ub).squareRoot()
        }
        let lineVoltages = [142, 143, 144].compactMap { values["1.0.\($0).7.0.255"] }.filter(\.isFinite)
        values["1.0.14.7.0.255"] = 50 + 0.03 * sin(2 * .pi * t / 90)
        values["1.0.140.7.0.255"] = mean(voltages)
        values["1.0.141.7.0.255"] = mean(lineVoltages)
        values["1.0.139.7.0.255"] = mean(currents)
        values["1.0.9.7.0.255"] = totals.s
        values["1.0.16.7.0.255"] = totals.p
        values["1.0.131.7.0.255"] = totals.q
        values["1.0.13.7.0.255"] = totals.s > 0 ? totals.p / totals.s : 0
        values["1.0.145.7.0.255"] = unbalance(voltages)
        values["1.0.146.7.0.255"] = unbalance(currents)

        // Counters: the integral of the power since the last call, on tariff 1.
        let hours = max(0, now.timeIntervalSince(lastIntegration)) / 3600
        lastIntegration = max(lastIntegration, now)
        counters["1.0.1.8.1.255", default: 0] += max(totals.p, 0) * hours
        counters["1.0.2.8.1.255", default: 0] += max(-totals.p, 0) * hours
        counters["1.0.3.8.1.255", default: 0] += max(totals.q, 0) * hours
        counters["1.0.4.8.1.255", default: 0] += max(-totals.q, 0) * hours
        counters["1.0.9.8.1.255", default: 0] += totals.s * hours
        values.merge(counters) { $1 }
        return values
    }

    private func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// Largest deviation from the mean, in % of the mean (the meter's definition of unbalance).
    private func unbalance(_ values: [Double]) -> Double {
        let average = mean(values)
        guard average > 0 else { return 0 }
        return (values.map { abs($0 - average) }.max() ?? 0) / average * 100
    }
}
