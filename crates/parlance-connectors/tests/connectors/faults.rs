//! What every connector's tests share: the replies of a misbehaving
//! server, and the check that landed payloads normalise.

use crate::mock_server::Reply;
use crate::support::Fixture;

/// A captive portal or login wall: HTML with status 200.
pub fn html_page() -> Reply {
    Reply::text(
        200,
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><body>Sign in to continue</body></html>",
    )
}

/// JSON cut off mid-way.
pub fn truncated_json() -> Reply {
    Reply::text(200, "application/json", r#"{"results": [{"id": "1", "#)
}

/// A gateway error page, as a proxy in front of the API sends it.
pub fn bad_gateway() -> Reply {
    Reply::text(502, "text/html", "<html><body>502 Bad Gateway</body></html>")
}

/// Every landed record of `source` normalises with the `shape` normaliser;
/// returns how many did.
pub fn assert_landed_payloads_normalise(fixture: &Fixture, source: &str, shape: &str) -> usize {
    let rows: Vec<_> = fixture.landing().into_iter().filter(|r| r.source == source).collect();
    for row in &rows {
        if let Err(error) = parlance_normalize::normalize(source, shape, &row.stream, &row.payload_json) {
            panic!(
                "{}/{} {} does not normalise: {error}\n{}",
                row.stream, row.source_id, row.source, row.payload_json
            );
        }
    }
    rows.len()
}
