use parlance_warehouse::{LandingRecord, land_records};

use crate::{demo_warehouse, now, scalar, unify};

#[test]
fn an_order_refunded_at_the_source_is_re_normalised_not_duplicated() {
    let (_dir, wh) = demo_warehouse(300);
    unify(&wh);
    let (id, payload): (String, String) = wh
        .reader()
        .unwrap()
        .query_row(
            "SELECT source_id, payload_json FROM landing_records WHERE stream = 'orders'
             AND json_extract(payload_json, '$.displayFinancialStatus') = 'PAID' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let orders_before = scalar(&wh, "SELECT count(*) FROM orders");
    let events_before = scalar(&wh, "SELECT count(*) FROM events");
    let mut order: serde_json::Value = serde_json::from_str(&payload).unwrap();
    let total = order["totalPriceSet"].clone();
    order["displayFinancialStatus"] = "REFUNDED".into();
    order["refunds"] =
        serde_json::json!([{ "createdAt": "2026-10-30T10:00:00Z", "totalRefundedSet": total }]);
    let updated = order.to_string();
    wh.write(|tx| {
        land_records(
            tx,
            "demo-shop",
            now(),
            &[LandingRecord {
                stream: "orders",
                source_id: &id,
                source_updated_at: None,
                payload_json: &updated,
            }],
        )
    })
    .unwrap();
    let report = unify(&wh);
    assert_eq!(report.records, 1);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM orders"), orders_before);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM events"), events_before + 1, "one refund event added");
    let status: String = wh
        .reader()
        .unwrap()
        .query_row("SELECT status FROM orders WHERE source_order_id = ?1", [&id], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "refunded");
}
