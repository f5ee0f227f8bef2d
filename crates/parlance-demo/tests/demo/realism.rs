//! The demo must give every later feature real work: these pin the
//! properties the design promises, on a few thousand people.

use std::sync::OnceLock;

use parlance_warehouse::Warehouse;

use crate::{config, land, scalar};

fn warehouse() -> &'static (tempfile::TempDir, Warehouse) {
    static WH: OnceLock<(tempfile::TempDir, Warehouse)> = OnceLock::new();
    WH.get_or_init(|| {
        let (dir, wh) = crate::fresh();
        land(&wh, &config(3_000));
        (dir, wh)
    })
}

fn q(sql: &str) -> i64 {
    scalar(&warehouse().1, sql)
}

#[test]
fn anonymous_visitors_are_the_majority_of_web_visitors() {
    let visitors = q(
        "SELECT count(DISTINCT person) FROM demo_truth t JOIN landing_records l ON l.id = t.landing_id WHERE l.source = 'demo-web'",
    );
    let identified = q(
        "SELECT count(DISTINCT t.person) FROM demo_truth t JOIN landing_records l ON l.id = t.landing_id WHERE l.stream = 'identifies'",
    );
    assert!(identified > 0, "some visitors identify");
    assert!(identified * 2 < visitors, "{identified} identified of {visitors} visitors");
}

#[test]
fn identities_overlap_imperfectly_across_tools() {
    // Mixed-case emails in the shop, typos at the support desk, shared
    // household inboxes, test accounts and guest checkouts all occur.
    let mixed_case = q("SELECT count(*) FROM landing_records WHERE source='demo-shop' AND stream='customers'
                        AND json_extract(payload_json,'$.email') != lower(json_extract(payload_json,'$.email'))");
    assert!(mixed_case > 0);
    let shared = q("SELECT count(*) FROM (SELECT lower(json_extract(payload_json,'$.email')) e, count(DISTINCT t.person) n
                    FROM landing_records l JOIN demo_truth t ON t.landing_id = l.id
                    WHERE l.source='demo-shop' AND l.stream='customers' GROUP BY e HAVING n > 1)");
    assert!(shared > 0, "households and test accounts share an email");
    let guests = q("SELECT count(*) FROM (SELECT t.person FROM demo_truth t JOIN landing_records l ON l.id = t.landing_id
                    WHERE l.stream='customers' GROUP BY t.person HAVING count(*) > 1)");
    assert!(guests > 0, "guest checkouts give one person two shop customer ids");
    let support_mismatch = q(
        "SELECT count(*) FROM landing_records s JOIN demo_truth ts ON ts.landing_id = s.id
        JOIN demo_truth tc ON tc.person = ts.person
        JOIN landing_records c ON c.id = tc.landing_id AND c.stream = 'customers'
        WHERE s.source='demo-support' AND s.stream='users'
          AND lower(json_extract(s.payload_json,'$.email')) != lower(json_extract(c.payload_json,'$.email'))",
    );
    assert!(support_mismatch > 0, "support desk typos");
}

#[test]
fn customers_buy_repeatedly_and_some_return_orders() {
    let buyers = q(
        "SELECT count(DISTINCT person) FROM demo_truth t JOIN landing_records l ON l.id = t.landing_id WHERE l.stream='orders'",
    );
    let repeat = q(
        "SELECT count(*) FROM (SELECT person FROM demo_truth t JOIN landing_records l ON l.id = t.landing_id
                    WHERE l.stream='orders' GROUP BY person HAVING count(*) >= 2)",
    );
    assert!(repeat * 5 > buyers, "{repeat} repeat buyers of {buyers}");
    assert!(repeat * 10 < buyers * 9, "not everyone repeats");
    let refunded = q("SELECT count(*) FROM landing_records WHERE stream='orders'
                      AND json_extract(payload_json,'$.displayFinancialStatus') IN ('REFUNDED','PARTIALLY_REFUNDED')");
    let orders = q("SELECT count(*) FROM landing_records WHERE stream='orders'");
    let share = refunded as f64 / orders as f64;
    assert!((0.05..0.16).contains(&share), "refund share {share}");
}

#[test]
fn lifecycle_patterns_all_occur() {
    // New: first order in the last 60 days. Lapsed: last order over a year
    // before the end. Won back: a gap of 120+ days between orders.
    let firsts = "SELECT t.person, min(json_extract(l.payload_json,'$.createdAt')) first, max(json_extract(l.payload_json,'$.createdAt')) last
                  FROM landing_records l JOIN demo_truth t ON t.landing_id = l.id
                  WHERE l.stream='orders' GROUP BY t.person";
    let new = q(&format!("SELECT count(*) FROM ({firsts}) WHERE first >= '2026-09-01'"));
    let lapsed = q(&format!("SELECT count(*) FROM ({firsts}) WHERE last < '2025-10-31'"));
    let active =
        q(&format!("SELECT count(*) FROM ({firsts}) WHERE last >= '2026-08-01' AND first < '2026-01-01'"));
    let won_back =
        q("SELECT count(DISTINCT campaign) FROM (SELECT json_extract(payload_json,'$.campaign_id') campaign
                      FROM landing_records WHERE stream='email_activity') WHERE campaign LIKE 'winback-%'");
    assert!(
        new > 0 && lapsed > 0 && active > 0 && won_back > 0,
        "new {new}, lapsed {lapsed}, active {active}, won back {won_back}"
    );
}

#[test]
fn email_support_and_attitudinal_data_are_present() {
    assert!(
        q(
            "SELECT count(*) FROM landing_records WHERE stream='email_activity' AND payload_json LIKE '%\"click\"%'"
        ) > 0
    );
    assert!(
        q(
            "SELECT count(*) FROM landing_records WHERE stream='tickets' AND json_extract(payload_json,'$.via.channel')='voice'"
        ) > 0
    );
    let nps = q(
        "SELECT count(*) FROM landing_records WHERE stream='responses' AND json_extract(payload_json,'$.answers.nps') IS NOT NULL",
    );
    assert!(nps > 20, "{nps} NPS answers");
    let ad_clicks = q(
        "SELECT count(*) FROM landing_records WHERE stream='tracks' AND json_extract(payload_json,'$.event')='Ad Clicked'",
    );
    assert!(ad_clicks > 0);
}
