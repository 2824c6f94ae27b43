//! Percentiles of latencies recorded in microseconds.

/// The `p`th percentile (nearest rank) of `sorted`, in milliseconds; 0 when empty.
pub fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}
