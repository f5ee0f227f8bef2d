//! Stripe customers, charges and refunds.

use expect_test::expect;
use parlance_normalize::normalize;
use serde_json::json;

use crate::{check, check_errors, edited};

/// A `Customer` object, as `GET /v1/customers` lists it.
pub const CUSTOMER: &str = r#"{
  "id": "cus_NffrFeUfNV2Hib",
  "object": "customer",
  "address": { "city": "Leeds", "country": "GB", "line1": "1 Park Row", "line2": null, "postal_code": "LS1 5AB", "state": null },
  "balance": 0,
  "created": 1680893993,
  "currency": "gbp",
  "default_source": null,
  "delinquent": false,
  "description": null,
  "email": "anna.muller12@mailbox.demo",
  "invoice_prefix": "0759376C",
  "invoice_settings": { "custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null },
  "livemode": false,
  "metadata": {},
  "name": "Anna Müller",
  "next_invoice_sequence": 1,
  "phone": "+447400000012",
  "preferred_locales": [],
  "shipping": null,
  "tax_exempt": "none",
  "test_clock": null
}"#;

/// A succeeded `Charge`, partly refunded, as `GET /v1/charges` lists it.
pub const CHARGE: &str = r#"{
  "id": "ch_3MmlLrLkdIwHu7ix0snN0B15",
  "object": "charge",
  "amount": 9450,
  "amount_captured": 9450,
  "amount_refunded": 3000,
  "balance_transaction": "txn_3MmlLrLkdIwHu7ix0uke3Ezy",
  "billing_details": {
    "address": { "city": "Leeds", "country": "GB", "line1": null, "line2": null, "postal_code": "LS1 5AB", "state": null },
    "email": "Anna.Muller12@mailbox.demo",
    "name": "Anna Müller",
    "phone": null
  },
  "captured": true,
  "created": 1679090539,
  "currency": "gbp",
  "customer": "cus_NffrFeUfNV2Hib",
  "description": "Order #1128",
  "disputed": false,
  "livemode": false,
  "metadata": {},
  "paid": true,
  "payment_intent": "pi_3MmlLrLkdIwHu7ix0Ehnj8VJ",
  "payment_method": "pm_1MmlLrLkdIwHu7ixAbCdEf",
  "receipt_email": null,
  "refunded": false,
  "status": "succeeded"
}"#;

/// A `Refund` listed with `expand[]=data.charge`.
pub const REFUND: &str = r#"{
  "id": "re_1Nispe2eZvKYlo2Cd31jOCgZ",
  "object": "refund",
  "amount": 3000,
  "balance_transaction": "txn_1Nispe2eZvKYlo2CYezqFhEx",
  "charge": {
    "id": "ch_3MmlLrLkdIwHu7ix0snN0B15",
    "object": "charge",
    "amount": 9450,
    "currency": "gbp",
    "customer": "cus_NffrFeUfNV2Hib",
    "billing_details": { "email": "Anna.Muller12@mailbox.demo", "phone": null },
    "receipt_email": null,
    "status": "succeeded"
  },
  "created": 1692942318,
  "currency": "gbp",
  "metadata": {},
  "payment_intent": "pi_3MmlLrLkdIwHu7ix0Ehnj8VJ",
  "reason": "requested_by_customer",
  "receipt_number": null,
  "source_transfer_reversal": null,
  "status": "succeeded",
  "transfer_reversal": null
}"#;

#[test]
fn a_customer_gives_id_email_phone_name_and_city() {
    check(
        "stripe",
        "stripe",
        "customers",
        CUSTOMER,
        expect![[r#"
            identifier customer_id:stripe cus_NffrFeUfNV2Hib
            identifier email anna.muller12@mailbox.demo
            identifier phone +447400000012
            trait name = "Anna Müller" at 2023-04-07T18:59:53Z
            trait city = "Leeds" at 2023-04-07T18:59:53Z
        "#]],
    );
    let deleted = json!({ "id": "cus_NffrFeUfNV2Hib", "object": "customer", "deleted": true });
    check(
        "stripe",
        "stripe",
        "customers",
        &deleted.to_string(),
        expect![[r#"
            identifier customer_id:stripe cus_NffrFeUfNV2Hib
        "#]],
    );
}

#[test]
fn a_succeeded_charge_is_a_payment_in_major_units() {
    check(
        "stripe",
        "stripe",
        "charges",
        CHARGE,
        expect![[r##"
            identifier customer_id:stripe cus_NffrFeUfNV2Hib
            identifier email Anna.Muller12@mailbox.demo
            event 2023-03-17T22:02:19Z payments.payment_succeeded revenue=94.5 {"amount_refunded":30.0,"charge_id":"ch_3MmlLrLkdIwHu7ix0snN0B15","currency":"GBP","description":"Order #1128","payment_intent":"pi_3MmlLrLkdIwHu7ix0Ehnj8VJ","refunded":false}
        "##]],
    );
}

#[test]
fn zero_decimal_currencies_are_not_divided() {
    let revenue = |amount: i64, currency: &str| {
        let payload = edited(
            CHARGE,
            &[
                ("/amount", Some(json!(amount))),
                ("/currency", Some(json!(currency))),
                ("/amount_refunded", Some(json!(0))),
            ],
        );
        normalize("stripe", "stripe", "charges", &payload).unwrap().events[0].revenue
    };
    assert_eq!(revenue(1999, "usd"), Some(19.99));
    assert_eq!(revenue(5000, "jpy"), Some(5000.0));
    assert_eq!(revenue(15000, "krw"), Some(15000.0));
    assert_eq!(revenue(5120, "kwd"), Some(5.12));
    assert_eq!(revenue(0, "eur"), Some(0.0));
}

#[test]
fn a_charge_that_did_not_succeed_names_the_payer_but_records_no_payment() {
    for status in ["failed", "pending"] {
        let payload = edited(CHARGE, &[("/status", Some(json!(status))), ("/paid", Some(json!(false)))]);
        let rows = normalize("stripe", "stripe", "charges", &payload).unwrap();
        assert!(rows.events.is_empty(), "{status}");
        assert_eq!(rows.identifiers.len(), 2, "{status}");
    }
}

#[test]
fn a_charge_with_an_expanded_customer_or_only_an_email() {
    let expanded = edited(CHARGE, &[("/customer", Some(json!({ "id": "cus_X", "object": "customer" })))]);
    let rows = normalize("stripe", "stripe", "charges", &expanded).unwrap();
    assert_eq!(rows.identifiers[0].value, "cus_X");
    let guest = edited(
        CHARGE,
        &[("/customer", Some(json!(null))), ("/receipt_email", Some(json!("anna@mailbox.demo")))],
    );
    let rows = normalize("stripe", "stripe", "charges", &guest).unwrap();
    let ids: Vec<_> = rows.identifiers.iter().map(|id| format!("{} {}", id.kind, id.value)).collect();
    assert_eq!(ids, ["email Anna.Muller12@mailbox.demo", "email anna@mailbox.demo"]);
}

#[test]
fn a_refund_is_negative_revenue_for_the_charge_customer() {
    check(
        "stripe",
        "stripe",
        "refunds",
        REFUND,
        expect![[r#"
            identifier customer_id:stripe cus_NffrFeUfNV2Hib
            identifier email Anna.Muller12@mailbox.demo
            event 2023-08-25T05:45:18Z payments.payment_refunded revenue=-30 {"charge_id":"ch_3MmlLrLkdIwHu7ix0snN0B15","currency":"GBP","reason":"requested_by_customer","refund_id":"re_1Nispe2eZvKYlo2Cd31jOCgZ"}
        "#]],
    );
    let pending = edited(REFUND, &[("/status", Some(json!("pending")))]);
    assert!(normalize("stripe", "stripe", "refunds", &pending).unwrap().events.is_empty());
}

#[test]
fn a_refund_without_its_charge_customer_is_an_error_that_says_why() {
    let unexpanded = edited(REFUND, &[("/charge", Some(json!("ch_3MmlLrLkdIwHu7ix0snN0B15")))]);
    check(
        "stripe",
        "stripe",
        "refunds",
        &unexpanded,
        expect![[r#"
            error no-identifier: stripe/refunds: the record names no one: the refund has no customer: charge is not expanded, so the payer is unknown (list refunds with expand[]=data.charge)
        "#]],
    );
    let no_customer = edited(
        REFUND,
        &[("/charge/customer", Some(json!(null))), ("/charge/billing_details/email", Some(json!(null)))],
    );
    check(
        "stripe",
        "stripe",
        "refunds",
        &no_customer,
        expect![[r#"
            error no-identifier: stripe/refunds: the record names no one: the refund has no customer: its charge has no customer, billing_details.email or receipt_email
        "#]],
    );
}

#[test]
fn malformed_stripe_objects_name_the_field() {
    check_errors(
        "stripe",
        "stripe",
        "charges",
        CHARGE,
        &[
            ("/amount", None),
            ("/amount", Some(json!("9450"))),
            ("/amount", Some(json!(-100))),
            ("/amount", Some(json!(94.5))),
            ("/amount_refunded", Some(json!(-1))),
            ("/currency", None),
            ("/created", Some(json!("2023-03-17T22:02:19Z"))),
            ("/created", Some(json!(1.5e15))),
            ("/created", Some(json!(99_999_999_999_999_i64))),
            ("/status", None),
            ("/customer", Some(json!(42))),
            ("/customer", Some(json!({ "object": "customer", "id": 42 }))),
        ],
        expect![[r#"
            remove /amount → missing-field: stripe/charges: amount is missing
            /amount = "9450" → wrong-type: stripe/charges: amount is a string, expected an integer amount in minor units
            /amount = -100 → negative-amount: stripe/charges: amount -100 is negative
            /amount = 94.5 → wrong-type: stripe/charges: amount is a number with a fraction, expected an integer amount in minor units
            /amount_refunded = -1 → negative-amount: stripe/charges: amount_refunded -1 is negative
            remove /currency → missing-field: stripe/charges: currency is missing
            /created = "2023-03-17T22:02:19Z" → wrong-type: stripe/charges: created is a string, expected an integer of unix seconds
            /created = 1500000000000000.0 → bad-unix-time: stripe/charges: created 1500000000000000.0 is not a time in unix seconds
            /created = 99999999999999 → bad-unix-time: stripe/charges: created 99999999999999 is not a time in unix seconds
            remove /status → missing-field: stripe/charges: status is missing
            /customer = 42 → wrong-type: stripe/charges: customer is a number, expected an id or an expanded object
            /customer = {"id":42,"object":"customer"} → wrong-type: stripe/charges: customer.id is a number, expected a string
        "#]],
    );
    check_errors(
        "stripe",
        "stripe",
        "refunds",
        REFUND,
        &[("/amount", Some(json!(-3000))), ("/charge/id", None), ("/created", None)],
        expect![[r#"
            /amount = -3000 → negative-amount: stripe/refunds: amount -3000 is negative
            remove /charge/id → no error (1 events)
            remove /created → missing-field: stripe/refunds: created is missing
        "#]],
    );
}
