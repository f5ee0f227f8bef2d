use std::time::Duration;

/// Prints one measured line: what, throughput, wall time, and the ratio to
/// the baseline's wall time when there is one.
pub fn line(what: &str, items: u64, unit: &str, took: Duration, baseline: Option<Duration>) {
    let secs = took.as_secs_f64().max(1e-9);
    let rate = items as f64 / secs;
    let ratio = baseline.map_or(String::new(), |b| {
        format!("  ({:.2}× the baseline's time)", secs / b.as_secs_f64().max(1e-9))
    });
    println!("  {what:<44} {:>12} {unit}/s  {secs:>8.1} s{ratio}", thousands(rate as u64));
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
