//! Shopify Admin GraphQL `Customer` and `Order` nodes.

use expect_test::expect;
use parlance_normalize::{OrderStatus, normalize};
use serde_json::json;

use crate::{check, check_errors, edited};

/// A `Customer` node as `customers(first:, query: "updated_at:>…")` returns it.
pub const CUSTOMER: &str = r#"{
  "id": "gid://shopify/Customer/7000000024",
  "firstName": "Anna",
  "lastName": "Müller",
  "email": "Anna.Muller12@Mailbox.demo",
  "phone": "+44 7400 000012",
  "createdAt": "2025-03-04T09:15:00Z",
  "updatedAt": "2026-01-10T18:02:44Z",
  "numberOfOrders": "3",
  "amountSpent": { "amount": "182.40", "currencyCode": "GBP" },
  "defaultAddress": { "city": "Leeds", "countryCodeV2": "GB" },
  "emailMarketingConsent": {
    "marketingState": "SUBSCRIBED",
    "marketingOptInLevel": "SINGLE_OPT_IN",
    "consentUpdatedAt": "2025-03-04T09:15:00Z"
  },
  "tags": ["vip", "newsletter"]
}"#;

/// An `Order` node with line items and one partial refund.
pub const ORDER: &str = r##"{
  "id": "gid://shopify/Order/5000000128",
  "name": "#1128",
  "email": "anna.muller12@mailbox.demo",
  "phone": null,
  "createdAt": "2025-06-01T12:30:05Z",
  "processedAt": "2025-06-01T12:30:00Z",
  "updatedAt": "2025-06-20T08:00:00Z",
  "cancelledAt": null,
  "customer": { "id": "gid://shopify/Customer/7000000024" },
  "currencyCode": "GBP",
  "totalPriceSet": {
    "shopMoney": { "amount": "94.50", "currencyCode": "GBP" },
    "presentmentMoney": { "amount": "94.50", "currencyCode": "GBP" }
  },
  "displayFinancialStatus": "PARTIALLY_REFUNDED",
  "displayFulfillmentStatus": "FULFILLED",
  "returnStatus": "NO_RETURN",
  "lineItems": { "nodes": [
    { "title": "Slow Cooking", "quantity": 1, "productType": "books",
      "originalUnitPriceSet": { "shopMoney": { "amount": "24.50", "currencyCode": "GBP" } } },
    { "title": "Linen Throw", "quantity": 2, "productType": "home",
      "originalUnitPriceSet": { "shopMoney": { "amount": "30.00", "currencyCode": "GBP" } } },
    { "title": "Field Notes Journal", "quantity": 1, "productType": "books",
      "originalUnitPriceSet": { "shopMoney": { "amount": "10.00", "currencyCode": "GBP" } } }
  ] },
  "refunds": [
    { "id": "gid://shopify/Refund/901", "createdAt": "2025-06-20T08:00:00Z",
      "totalRefundedSet": { "shopMoney": { "amount": "30.00", "currencyCode": "GBP" } } }
  ]
}"##;

#[test]
fn a_customer_gives_ids_traits_and_account_created() {
    check(
        "demo-shop",
        "shopify",
        "customers",
        CUSTOMER,
        expect![[r#"
            identifier customer_id:demo-shop 7000000024
            identifier email Anna.Muller12@Mailbox.demo
            identifier phone +44 7400 000012
            event 2025-03-04T09:15:00Z shop.account_created {"customer_id":"7000000024"}
            trait first_name = "Anna" at 2026-01-10T18:02:44Z
            trait last_name = "Müller" at 2026-01-10T18:02:44Z
            trait city = "Leeds" at 2026-01-10T18:02:44Z
            trait shop.email_consent = "subscribed" at 2026-01-10T18:02:44Z
            trait shop.tags = ["vip","newsletter"] at 2026-01-10T18:02:44Z
        "#]],
    );
}

#[test]
fn a_customer_in_the_2025_api_shape_reads_the_default_email_and_phone() {
    let payload = edited(
        CUSTOMER,
        &[
            ("/email", None),
            ("/phone", None),
            ("/emailMarketingConsent", None),
            ("/tags", Some(json!([]))),
            (
                "/defaultEmailAddress",
                Some(json!({ "emailAddress": "anna@mailbox.demo", "marketingState": "UNSUBSCRIBED" })),
            ),
            ("/defaultPhoneNumber", Some(json!({ "phoneNumber": "+447400000012" }))),
        ],
    );
    check(
        "demo-shop",
        "shopify",
        "customers",
        &payload,
        expect![[r#"
            identifier customer_id:demo-shop 7000000024
            identifier email anna@mailbox.demo
            identifier phone +447400000012
            event 2025-03-04T09:15:00Z shop.account_created {"customer_id":"7000000024"}
            trait first_name = "Anna" at 2026-01-10T18:02:44Z
            trait last_name = "Müller" at 2026-01-10T18:02:44Z
            trait city = "Leeds" at 2026-01-10T18:02:44Z
            trait shop.email_consent = "unsubscribed" at 2026-01-10T18:02:44Z
        "#]],
    );
}

#[test]
fn an_order_gives_the_order_row_placed_and_refunded_events() {
    check(
        "demo-shop",
        "shopify",
        "orders",
        ORDER,
        expect![[r##"
            identifier customer_id:demo-shop 7000000024
            identifier email anna.muller12@mailbox.demo
            event 2025-06-01T12:30:00Z shop.order_placed revenue=94.5 {"categories":["books","home"],"currency":"GBP","item_count":4,"order_id":"5000000128","order_number":"#1128"}
            event 2025-06-20T08:00:00Z shop.order_refunded revenue=-30 {"currency":"GBP","order_id":"5000000128","refund_id":"901"}
            order 5000000128 at 2025-06-01T12:30:00Z amount=94.5 GBP margin=None status=partially_refunded refunded=30 categories=["books", "home"]
        "##]],
    );
}

#[test]
fn a_guest_order_with_line_item_edges_links_by_email_only() {
    let payload = edited(
        ORDER,
        &[
            ("/customer", Some(json!(null))),
            ("/refunds", Some(json!([]))),
            ("/displayFinancialStatus", Some(json!("PAID"))),
            ("/lineItems", Some(json!({ "edges": [{ "node": { "quantity": 1, "productType": "music" } }] }))),
        ],
    );
    check(
        "demo-shop",
        "shopify",
        "orders",
        &payload,
        expect![[r##"
            identifier email anna.muller12@mailbox.demo
            event 2025-06-01T12:30:00Z shop.order_placed revenue=94.5 {"categories":["music"],"currency":"GBP","item_count":1,"order_id":"5000000128","order_number":"#1128"}
            order 5000000128 at 2025-06-01T12:30:00Z amount=94.5 GBP margin=None status=fulfilled refunded=0 categories=["music"]
        "##]],
    );
}

#[test]
fn amounts_are_exact_in_the_currency_minor_unit() {
    let order = |amount: &str, currency: &str| {
        let payload = edited(
            ORDER,
            &[
                ("/totalPriceSet/shopMoney", Some(json!({ "amount": amount, "currencyCode": currency }))),
                ("/refunds", Some(json!([]))),
            ],
        );
        let rows = normalize("demo-shop", "shopify", "orders", &payload).unwrap();
        let order = rows.order.unwrap();
        (order.amount, order.currency)
    };
    assert_eq!(order("19.99", "GBP"), (19.99, "GBP".to_owned()));
    assert_eq!(order("0.1", "EUR"), (0.1, "EUR".to_owned()));
    assert_eq!(order("19.999", "usd"), (20.0, "USD".to_owned()));
    assert_eq!(order("1500.0", "JPY"), (1500.0, "JPY".to_owned()));
    assert_eq!(order("12.345", "KWD"), (12.345, "KWD".to_owned()));
}

#[test]
fn refunds_add_up_exactly() {
    let refund = |at: &str, amount: &str| json!({ "createdAt": at, "totalRefundedSet": { "shopMoney": { "amount": amount, "currencyCode": "GBP" } } });
    let payload = edited(
        ORDER,
        &[(
            "/refunds",
            Some(json!([
                refund("2025-06-10T00:00:00Z", "0.10"),
                refund("2025-06-11T00:00:00Z", "0.20"),
                refund("2025-06-12T00:00:00Z", "0"),
            ])),
        )],
    );
    let rows = normalize("demo-shop", "shopify", "orders", &payload).unwrap();
    assert_eq!(rows.order.unwrap().refunded_amount, 0.3);
    let revenues: Vec<_> = rows.events.iter().map(|e| (e.name.as_str(), e.revenue)).collect();
    assert_eq!(
        revenues,
        [
            ("order_placed", Some(94.5)),
            ("order_refunded", Some(-0.1)),
            ("order_refunded", Some(-0.2)),
            ("order_refunded", Some(0.0)),
        ]
    );
}

#[test]
fn order_status_follows_cancellation_returns_refunds_and_fulfilment() {
    let status = |edits: &[(&str, Option<serde_json::Value>)]| {
        let payload = edited(ORDER, edits);
        normalize("demo-shop", "shopify", "orders", &payload).unwrap().order.unwrap().status
    };
    let financial = |state: &str| ("/displayFinancialStatus", Some(json!(state)));
    let fulfilment = |state: &str| ("/displayFulfillmentStatus", Some(json!(state)));
    assert_eq!(status(&[("/cancelledAt", Some(json!("2025-06-02T00:00:00Z")))]), OrderStatus::Cancelled);
    assert_eq!(status(&[financial("VOIDED")]), OrderStatus::Cancelled);
    assert_eq!(status(&[("/returnStatus", Some(json!("RETURNED")))]), OrderStatus::Returned);
    assert_eq!(status(&[financial("REFUNDED")]), OrderStatus::Refunded);
    assert_eq!(status(&[financial("PARTIALLY_REFUNDED")]), OrderStatus::PartiallyRefunded);
    assert_eq!(status(&[financial("PAID")]), OrderStatus::Fulfilled);
    assert_eq!(status(&[financial("PAID"), fulfilment("UNFULFILLED")]), OrderStatus::Placed);
    assert_eq!(status(&[financial("PENDING"), fulfilment("PARTIALLY_FULFILLED")]), OrderStatus::Placed);
    assert_eq!(status(&[financial("SOME_NEW_STATE")]), OrderStatus::Fulfilled);
    // Without a financial status, the refunds decide.
    assert_eq!(status(&[("/displayFinancialStatus", None)]), OrderStatus::PartiallyRefunded);
    let full_refund = json!([{ "createdAt": "2025-06-20T08:00:00Z",
        "totalRefundedSet": { "shopMoney": { "amount": "94.50", "currencyCode": "GBP" } } }]);
    assert_eq!(
        status(&[("/displayFinancialStatus", None), ("/refunds", Some(full_refund))]),
        OrderStatus::Refunded
    );
    assert_eq!(
        status(&[("/displayFinancialStatus", None), ("/refunds", Some(json!([])))]),
        OrderStatus::Fulfilled
    );
}

#[test]
fn malformed_customers_name_the_field() {
    check_errors(
        "demo-shop",
        "shopify",
        "customers",
        CUSTOMER,
        &[
            ("/id", None),
            ("/id", Some(json!(7000000024_u64))),
            ("/createdAt", Some(json!("yesterday"))),
            ("/createdAt", None),
            ("/updatedAt", Some(json!("2026-13-01T00:00:00Z"))),
            ("/email", Some(json!(["anna@mailbox.demo"]))),
            ("/defaultAddress", Some(json!("Leeds"))),
            ("/tags", Some(json!(["vip", 3]))),
        ],
        expect![[r#"
            remove /id → missing-field: demo-shop/customers: id is missing
            /id = 7000000024 → wrong-type: demo-shop/customers: id is a number, expected a string
            /createdAt = "yesterday" → bad-timestamp: demo-shop/customers: createdAt "yesterday" is not RFC 3339
            remove /createdAt → missing-field: demo-shop/customers: createdAt is missing
            /updatedAt = "2026-13-01T00:00:00Z" → bad-timestamp: demo-shop/customers: updatedAt "2026-13-01T00:00:00Z" is not RFC 3339
            /email = ["anna@mailbox.demo"] → wrong-type: demo-shop/customers: email is an array, expected a string
            /defaultAddress = "Leeds" → wrong-type: demo-shop/customers: defaultAddress is a string, expected an object
            /tags = ["vip",3] → wrong-type: demo-shop/customers: tags[1] is a number, expected a string
        "#]],
    );
}

#[test]
fn malformed_orders_name_the_field() {
    check_errors(
        "demo-shop",
        "shopify",
        "orders",
        ORDER,
        &[
            ("/totalPriceSet/shopMoney/amount", None),
            ("/totalPriceSet", None),
            ("/totalPriceSet/shopMoney/amount", Some(json!("abc"))),
            ("/totalPriceSet/shopMoney/amount", Some(json!("-5.00"))),
            ("/totalPriceSet/shopMoney/amount", Some(json!(true))),
            ("/totalPriceSet/shopMoney/amount", Some(json!(null))),
            ("/totalPriceSet/shopMoney/amount", Some(json!("1,000.00"))),
            ("/refunds/0/totalRefundedSet/shopMoney/amount", Some(json!("-1"))),
            ("/refunds/0/createdAt", Some(json!("2025-06-20"))),
            ("/refunds", Some(json!({ "nodes": [] }))),
            ("/createdAt", Some(json!("yesterday"))),
            ("/processedAt", Some(json!(1_717_245_000))),
            ("/lineItems/nodes/1/quantity", Some(json!(-2))),
            ("/lineItems/nodes/0/productType", Some(json!(5))),
            ("/customer/id", Some(json!({ "id": 1 }))),
            ("/id", None),
        ],
        expect![[r#"
            remove /totalPriceSet/shopMoney/amount → missing-field: demo-shop/orders: totalPriceSet.shopMoney.amount is missing
            remove /totalPriceSet → missing-field: demo-shop/orders: totalPriceSet.shopMoney.amount is missing
            /totalPriceSet/shopMoney/amount = "abc" → bad-amount: demo-shop/orders: totalPriceSet.shopMoney.amount "abc" is not a decimal amount
            /totalPriceSet/shopMoney/amount = "-5.00" → negative-amount: demo-shop/orders: totalPriceSet.shopMoney.amount -5.00 is negative
            /totalPriceSet/shopMoney/amount = true → wrong-type: demo-shop/orders: totalPriceSet.shopMoney.amount is a boolean, expected a decimal amount string
            /totalPriceSet/shopMoney/amount = null → wrong-type: demo-shop/orders: totalPriceSet.shopMoney.amount is null, expected a value
            /totalPriceSet/shopMoney/amount = "1,000.00" → bad-amount: demo-shop/orders: totalPriceSet.shopMoney.amount "1,000.00" is not a decimal amount
            /refunds/0/totalRefundedSet/shopMoney/amount = "-1" → negative-amount: demo-shop/orders: refunds[0].totalRefundedSet.shopMoney.amount -1 is negative
            /refunds/0/createdAt = "2025-06-20" → bad-timestamp: demo-shop/orders: refunds[0].createdAt "2025-06-20" is not RFC 3339
            /refunds = {"nodes":[]} → wrong-type: demo-shop/orders: refunds is an object, expected an array
            /createdAt = "yesterday" → bad-timestamp: demo-shop/orders: createdAt "yesterday" is not RFC 3339
            /processedAt = 1717245000 → wrong-type: demo-shop/orders: processedAt is a number, expected an RFC 3339 timestamp string
            /lineItems/nodes/1/quantity = -2 → out-of-range: demo-shop/orders: lineItems.nodes[1].quantity -2 is outside the whole numbers from 0
            /lineItems/nodes/0/productType = 5 → wrong-type: demo-shop/orders: lineItems.nodes[0].productType is a number, expected a string
            /customer/id = {"id":1} → wrong-type: demo-shop/orders: customer.id is an object, expected a string
            remove /id → missing-field: demo-shop/orders: id is missing
        "#]],
    );
}

#[test]
fn an_order_naming_no_one_is_an_error() {
    let payload = edited(ORDER, &[("/customer", None), ("/email", Some(json!(""))), ("/phone", None)]);
    check(
        "demo-shop",
        "shopify",
        "orders",
        &payload,
        expect![[r#"
            error no-identifier: demo-shop/orders: the record names no one: customer.id, email and phone are all missing
        "#]],
    );
}
