//! Scoring resolution against a known truth (the demo company's
//! `demo_truth` table): pairwise precision and recall over landed records.
//! A pair of records is *predicted* linked when both resolved to the same
//! profile, *truly* linked when the same person is behind both.

use parlance_warehouse::{Connection, SqliteError};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PairwiseScore {
    /// Records that both resolved to a profile and have a known person.
    pub records: u64,
    pub predicted_pairs: u64,
    pub true_pairs: u64,
    pub correct_pairs: u64,
    /// correct / predicted (1 when nothing was linked).
    pub precision: f64,
    /// correct / true (1 when nothing should be linked).
    pub recall: f64,
}

/// Pairwise precision and recall of the current resolution.
pub fn score_against_truth(conn: &Connection) -> Result<PairwiseScore, SqliteError> {
    let pairs = |group_by: &str| -> Result<u64, SqliteError> {
        let sql = format!(
            "SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (
               SELECT count(*) AS n FROM record_profiles rp JOIN demo_truth t ON t.landing_id = rp.landing_id
               GROUP BY {group_by})"
        );
        conn.query_row(&sql, [], |r| r.get::<_, i64>(0)).map(|n| u64::try_from(n).unwrap_or(0))
    };
    // The GROUP BY lists are fixed strings, never user text.
    let predicted_pairs = pairs("rp.profile_id")?;
    let true_pairs = pairs("t.person")?;
    let correct_pairs = pairs("rp.profile_id, t.person")?;
    let records: i64 = conn.query_row(
        "SELECT count(*) FROM record_profiles rp JOIN demo_truth t ON t.landing_id = rp.landing_id",
        [],
        |r| r.get(0),
    )?;
    let ratio = |num: u64, den: u64| if den == 0 { 1.0 } else { num as f64 / den as f64 };
    Ok(PairwiseScore {
        records: u64::try_from(records).unwrap_or(0),
        predicted_pairs,
        true_pairs,
        correct_pairs,
        precision: ratio(correct_pairs, predicted_pairs),
        recall: ratio(correct_pairs, true_pairs),
    })
}
