use parlance_unify::{list_quarantine, retry_quarantine};
use parlance_warehouse::{LandingRecord, land_records};

use crate::{demo_warehouse, now, scalar, unify};

fn land_order(wh: &parlance_warehouse::Warehouse, payload: &str) {
    wh.write(|tx| {
        land_records(
            tx,
            "demo-shop",
            now(),
            &[LandingRecord {
                stream: "orders",
                source_id: "broken-1",
                source_updated_at: None,
                payload_json: payload,
            }],
        )
    })
    .unwrap();
}

#[test]
fn a_malformed_record_is_quarantined_with_the_field_named_then_released_when_fixed() {
    let (_dir, wh) = demo_warehouse(50);
    unify(&wh);
    let before = scalar(&wh, "SELECT count(*) FROM quarantine");
    land_order(
        &wh,
        r#"{"id":"gid://shopify/Order/1","createdAt":"2026-10-01T10:00:00Z","customer":{"id":"gid://shopify/Customer/42"},"email":"x@mail.demo"}"#,
    );
    let report = unify(&wh);
    assert_eq!(report.quarantined, 1);
    let held = list_quarantine(&wh, Some("demo-shop"), 100).unwrap();
    let broken = held.iter().find(|q| q.source_id == "broken-1").unwrap();
    assert_eq!(broken.reason, "demo-shop/orders: totalPriceSet.shopMoney.currencyCode is missing");
    assert_eq!(
        scalar(&wh, "SELECT count(*) FROM landing_records WHERE source_id = 'broken-1'"),
        1,
        "the raw record is kept"
    );

    // Retrying without a fix keeps it held and counts the retry.
    assert_eq!(retry_quarantine(&wh, Some("demo-shop")).unwrap(), held.len() as u64);
    unify(&wh);
    let again = list_quarantine(&wh, Some("demo-shop"), 100).unwrap();
    assert_eq!(again.iter().find(|q| q.source_id == "broken-1").unwrap().retries, 1);

    // The source sends a corrected record: it leaves quarantine.
    land_order(
        &wh,
        r##"{"id":"gid://shopify/Order/1","name":"#1","createdAt":"2026-10-01T10:00:00Z","customer":{"id":"gid://shopify/Customer/42"},"email":"x@mail.demo","currencyCode":"GBP","totalPriceSet":{"shopMoney":{"amount":"12.50","currencyCode":"GBP"}},"displayFinancialStatus":"PAID","displayFulfillmentStatus":"FULFILLED","lineItems":{"nodes":[]},"refunds":[]}"##,
    );
    let fixed = unify(&wh);
    assert_eq!(fixed.released, 1);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM quarantine"), before);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM orders WHERE source_order_id = '1' AND amount = 12.5"), 1);
}
