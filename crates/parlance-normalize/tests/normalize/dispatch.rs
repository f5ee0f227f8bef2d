//! Choosing the normaliser: shapes, streams and payloads that are not JSON.

use expect_test::expect;

use crate::check;

#[test]
fn an_unknown_shape_is_an_error() {
    check(
        "crm",
        "salesforce",
        "contacts",
        "{}",
        expect![[r#"
            error unknown-shape: crm/contacts: unknown payload shape "salesforce" (known: shopify, mailchimp, zendesk, segment, survey, stripe, ga4, csv, hubspot, klaviyo)
        "#]],
    );
}

#[test]
fn an_unknown_stream_is_an_error() {
    check(
        "demo-shop",
        "shopify",
        "products",
        "{}",
        expect![[r#"
            error unknown-stream: demo-shop/products: payload shape "shopify" has no stream "products" (known: customers, orders)
        "#]],
    );
    check(
        "stripe",
        "stripe",
        "invoices",
        "{}",
        expect![[r#"
            error unknown-stream: stripe/invoices: payload shape "stripe" has no stream "invoices" (known: customers, charges, refunds)
        "#]],
    );
}

#[test]
fn a_payload_that_is_not_a_json_object_is_an_error() {
    check(
        "demo-shop",
        "shopify",
        "orders",
        "{\"id\": ",
        expect![[r#"
            error not-json: demo-shop/orders: payload is not JSON: EOF while parsing a value at line 1 column 7
        "#]],
    );
    check(
        "demo-shop",
        "shopify",
        "orders",
        "[1, 2]",
        expect![[r#"
            error wrong-type: demo-shop/orders: payload is an array, expected an object
        "#]],
    );
}

#[test]
fn errors_serialize_with_their_code() {
    let error = parlance_normalize::normalize("demo-shop", "shopify", "orders", "{}").unwrap_err();
    expect![[
        r#"{"source_name":"demo-shop","stream":"orders","problem":{"code":"missing-field","field":"id"}}"#
    ]]
    .assert_eq(&serde_json::to_string(&error).unwrap());
}
