//! CSV rows read through the column mapping in the source's configuration.

use expect_test::{Expect, expect};
use parlance_normalize::{SourceContext, normalize_with};
use serde_json::{Value, json};

use crate::render;

fn check_csv(stream: &str, config: Value, row: Value, expect: Expect) {
    let context = SourceContext { name: "file-shop", shape: "csv", config: &config };
    expect.assert_eq(&render(&normalize_with(&context, stream, &row.to_string())));
}

#[test]
fn conventional_columns_need_no_mapping() {
    check_csv(
        "orders",
        json!({ "shape": "csv" }),
        json!({ "order_id": "1001", "customer_id": "c-7", "ordered_at": "2026-03-01", "amount": "12.50",
                "currency": "eur", "category": "books; kitchen;books", "note": "gift" }),
        expect![[r#"
            identifier customer_id:file-shop c-7
            event 2026-03-01T00:00:00Z shop.order_placed revenue=12.5 {"categories":["books","kitchen"],"currency":"EUR","order_id":"1001"}
            order 1001 at 2026-03-01T00:00:00Z amount=12.5 EUR margin=None status=placed refunded=0 categories=["books", "kitchen"]
        "#]],
    );
}

#[test]
fn a_mapping_names_the_columns_and_defaults_fill_gaps() {
    check_csv(
        "orders",
        json!({ "shape": "csv", "mapping": { "order_id": "Order #", "email": "E-mail", "ordered_at": "Date",
                "amount": "Total", "refunded_amount": "Refunded", "status": "State" },
                "defaults": { "currency": "GBP" } }),
        json!({ "Order #": "A-1", "E-mail": "Anna@Example.com", "Date": "2026-03-01 10:11:12", "Total": "40",
                "Refunded": "10.00", "State": "" }),
        expect![[r#"
            identifier email Anna@Example.com
            event 2026-03-01T10:11:12Z shop.order_placed revenue=40 {"currency":"GBP","order_id":"A-1"}
            order A-1 at 2026-03-01T10:11:12Z amount=40 GBP margin=None status=partially_refunded refunded=10 categories=[]
        "#]],
    );
}

#[test]
fn customers_take_traits() {
    check_csv(
        "customers",
        // A source holding several kinds of rows maps each stream on its own.
        json!({ "shape": "csv", "streams": {
                    "customers": { "mapping": { "customer_id": "id", "email": "mail", "first_name": "First",
                                   "city": "Town", "trait.loyaltyTier": "Tier" } },
                    "orders": { "mapping": { "first_name": "Tier" } } },
                "observed_at": "2026-11-01T09:00:00Z" }),
        json!({ "id": "c-7", "mail": "anna@example.com", "First": "Anna", "Town": "", "Tier": "gold" }),
        expect![[r#"
            identifier customer_id:file-shop c-7
            identifier email anna@example.com
            trait first_name = "Anna" at 2026-11-01T09:00:00Z
            trait loyalty_tier = "gold" at 2026-11-01T09:00:00Z
        "#]],
    );
}

#[test]
fn events_take_their_channel_name_and_unmapped_columns() {
    check_csv(
        "events",
        json!({ "shape": "csv", "mapping": { "event_id": "id", "anonymous_id": "cookie", "occurred_at": "when",
                "channel": "via", "name": "what", "revenue": "value" } }),
        json!({ "id": "e1", "cookie": "ck-1", "when": "2026-03-01T10:00:00Z", "via": "Store",
                "what": "Store Visit", "value": "", "Store Name": "Leeds" }),
        expect![[r#"
            identifier anonymous_id ck-1
            event 2026-03-01T10:00:00Z store.store_visit {"event_id":"e1","store_name":"Leeds"}
        "#]],
    );
}

#[test]
fn bad_cells_name_the_field_and_its_column() {
    let config = json!({ "shape": "csv", "mapping": { "order_id": "Order #", "customer_id": "cust",
        "ordered_at": "Date", "amount": "Total", "currency": "cur", "status": "state" } });
    let good = json!({ "Order #": "1", "cust": "c", "Date": "2026-03-01", "Total": "1.00", "cur": "EUR", "state": "paid" });
    let mut out = String::new();
    for (column, value) in [
        ("Total", "12,50"),
        ("Total", "-3"),
        ("Date", "01/03/2026"),
        ("Order #", " "),
        ("state", "lost"),
        ("cust", ""),
    ] {
        let mut row = good.clone();
        row[column] = json!(value);
        let context = SourceContext { name: "file-shop", shape: "csv", config: &config };
        out.push_str(&format!(
            "{column}={value:?} → {}",
            render(&normalize_with(&context, "orders", &row.to_string()))
        ));
    }
    let mut row = good.clone();
    row.as_object_mut().unwrap().remove("Total");
    let context = SourceContext { name: "file-shop", shape: "csv", config: &config };
    out.push_str(&format!(
        "no Total column → {}",
        render(&normalize_with(&context, "orders", &row.to_string()))
    ));
    let context = SourceContext { name: "file-shop", shape: "csv", config: &config };
    out.push_str(&format!(
        "stream refunds → {}",
        render(&normalize_with(&context, "refunds", &good.to_string()))
    ));
    expect![[r#"
        Total="12,50" → error bad-amount: file-shop/orders: amount (column "Total") "12,50" is not a decimal amount
        Total="-3" → error negative-amount: file-shop/orders: amount (column "Total") -3 is negative
        Date="01/03/2026" → error bad-timestamp: file-shop/orders: ordered_at (column "Date") "01/03/2026" is not a date or time (RFC 3339, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)
        Order #=" " → error missing-field: file-shop/orders: order_id (empty in column "Order #") is missing
        state="lost" → error unknown-value: file-shop/orders: status (column "state") "lost" is not one of placed, fulfilled, returned, refunded, partially_refunded or cancelled
        cust="" → error no-identifier: file-shop/orders: the record names no one: customer_id and email are both empty
        no Total column → error missing-field: file-shop/orders: column "Total" (mapped to amount) is missing
        stream refunds → error unknown-stream: file-shop/refunds: payload shape "csv" has no stream "refunds" (known: customers, orders, events)
    "#]].assert_eq(&out);
}
