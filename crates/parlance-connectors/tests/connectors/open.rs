//! Building a connector from a source's stored kind and configuration.

use parlance_connectors::shopify::ShopifyConfig;
use parlance_connectors::stripe::StripeConfig;
use parlance_connectors::{SyncOptions, Token, open_connector};

use crate::shopify_fake::{ShopifyServer, TOKEN};
use crate::support::Fixture;

#[test]
fn a_stored_shopify_config_opens_a_working_connector() {
    let shop = ShopifyServer::start(2, 1);
    let fixture = Fixture::new();
    let config_json = serde_json::to_string(&shop.config()).unwrap();
    let mut connector =
        open_connector("shopify", "shopify-main", &config_json, Token::new(TOKEN), fixture.time()).unwrap();
    assert_eq!(
        connector.config_json(),
        parlance_connectors::json::canonical_json(&serde_json::to_value(shop.config()).unwrap())
    );
    let report = fixture.sync("shopify-main", connector.as_mut(), &SyncOptions::default()).unwrap();
    assert_eq!(report.totals().inserted, 3);
}

#[test]
fn a_minimal_stored_config_takes_the_documented_defaults() {
    let fixture = Fixture::new();
    let connector =
        open_connector("stripe", "stripe-eu", "{}", Token::new("sk_test_x"), fixture.time()).unwrap();
    let stored: StripeConfig = serde_json::from_str(&connector.config_json()).unwrap();
    assert_eq!(stored, StripeConfig::default());
    assert_eq!(stored.base_url, "https://api.stripe.com");
    let shopify =
        open_connector("shopify", "s", r#"{"shop":"acme"}"#, Token::new("t"), fixture.time()).unwrap();
    let stored: ShopifyConfig = serde_json::from_str(&shopify.config_json()).unwrap();
    assert_eq!(
        (stored.api_version.as_str(), stored.base_url()),
        ("2026-10", "https://acme.myshopify.com".to_owned())
    );
}

#[test]
fn bad_kinds_and_configs_are_clear_errors() {
    let fixture = Fixture::new();
    let error = open_connector("salesforce", "crm", "{}", Token::new("t"), fixture.time()).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"source crm: invalid configuration: unknown connector kind "salesforce" (known: shopify, stripe, hubspot, mailchimp, klaviyo, zendesk)"#
    );
    let error =
        open_connector("shopify", "s", r#"{"shop":"acme","token":"x"}"#, Token::new("t"), fixture.time())
            .unwrap_err();
    assert!(error.to_string().contains("unknown field `token`"), "{error}");
    let error = open_connector("shopify", "s", r#"{"shop":"Acme Shop"}"#, Token::new("t"), fixture.time())
        .unwrap_err();
    assert!(error.to_string().contains("must be the myshopify subdomain"), "{error}");
}
