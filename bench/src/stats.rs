//! Result figures, printed as text or as one JSON object (`--json`).

use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub sent: u64,
    pub delivered: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub msgs_per_sec: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_per_conn_bytes: Option<u64>,
    /// Media: transfer rates in MB/s, and the server's largest RSS growth during them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_mb_per_sec: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_mb_per_sec: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_growth_bytes: Option<u64>,
    /// Search: each query's results on the first page and its latency, once the server has
    /// indexed the messages, and right after they were stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub searches: Option<Vec<SearchFigure>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub searches_unindexed: Option<Vec<SearchFigure>>,
}

/// One search query's figures.
#[derive(Debug, Serialize)]
pub struct SearchFigure {
    pub query: &'static str,
    /// Messages on the first page (at most 20).
    pub found: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Report {
    /// Fills the percentiles from samples in milliseconds.
    pub fn with_latencies(mut self, mut ms: Vec<f64>) -> Self {
        if ms.is_empty() {
            return self;
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        (self.p50_ms, self.p95_ms, self.p99_ms) = (at(0.50), at(0.95), at(0.99));
        self
    }

    pub fn print(&self, json: bool) {
        if json {
            println!(
                "{}",
                serde_json::to_string(self).expect("report serializes")
            );
            return;
        }
        println!(
            "sent {}  delivered {}  lost {}  duplicated {}\n{:.0} msgs/s over {:.3} s\nlatency p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms",
            self.sent,
            self.delivered,
            self.lost,
            self.duplicated,
            self.msgs_per_sec,
            self.seconds,
            self.p50_ms,
            self.p95_ms,
            self.p99_ms
        );
        if let Some(rss) = self.rss_per_conn_bytes {
            println!("server memory per idle connection: {rss} bytes");
        }
        if let (Some(up), Some(down)) = (self.upload_mb_per_sec, self.download_mb_per_sec) {
            println!("upload {up:.0} MB/s  download {down:.0} MB/s");
        }
        if let Some(rss) = self.rss_growth_bytes {
            println!("server memory growth during transfers: {rss} bytes");
        }
        let lists = [
            ("right after storing", &self.searches_unindexed),
            ("indexed", &self.searches),
        ];
        for (when, list) in lists {
            for s in list.iter().flat_map(|l| l.iter()) {
                println!(
                    "search ({when}) {}: {} found, p50 {:.2} ms  p99 {:.2} ms",
                    s.query, s.found, s.p50_ms, s.p99_ms
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let r = Report::default().with_latencies((1..=100).map(f64::from).collect());
        assert_eq!((r.p50_ms, r.p95_ms, r.p99_ms), (51.0, 95.0, 99.0));
    }
}
