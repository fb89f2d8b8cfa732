import Metrics
import Prometheus

/// swift-metrics for a daemon, kept in a Prometheus registry that the `/metrics` endpoint prints.
///
/// Modules count through the swift-metrics API only (`Counter(label:dimensions:)`); this is the one place a
/// process chooses where those counts go. Without it they go nowhere, which is what tests in one process want.
public enum DaemonMetrics {
    /// Installs Prometheus as the process's metrics backend (swift-metrics allows this once) and returns its
    /// registry.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
