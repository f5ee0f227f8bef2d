//! A token never appears in the warehouse file, in the logs, or in an error
//! — through successful syncs, failures, and an API that echoes the token.

use parlance_connectors::{SyncOptions, Token};
use serde_json::json;

use crate::mock_server::{Fault, Reply};
use crate::shopify_fake::ShopifyServer;
use crate::stripe_fake::StripeServer;
use crate::support::{Fixture, capture_logs, captured_logs, contains_bytes};

const SHOPIFY_TOKEN: &str = "shpat_LEAKCHECK_9d8c7b6a5f4e3d2c1b0a";
const STRIPE_KEY: &str = "sk_test_LEAKCHECK_1a2b3c4d5e6f7a8b9c0d";

#[test]
fn tokens_never_reach_the_warehouse_the_logs_or_errors() {
    capture_logs();
    let fixture = Fixture::new();
    let mut errors = Vec::new();

    let shop = ShopifyServer::start(4, 2);
    shop.state.lock().unwrap().token = SHOPIFY_TOKEN.into();
    fixture
        .sync("shopify-main", &mut shop.connector(&fixture, SHOPIFY_TOKEN), &SyncOptions::default())
        .unwrap();
    shop.server.inject(Fault {
        after: shop.server.request_count(),
        times: usize::MAX,
        reply: Reply::text(500, "text/plain", "boom"),
    });
    errors.push(
        fixture
            .sync("shopify-main", &mut shop.connector(&fixture, SHOPIFY_TOKEN), &SyncOptions::default())
            .unwrap_err(),
    );
    shop.server.clear_faults();
    shop.state.lock().unwrap().token = "rotated".into();
    errors.push(
        fixture
            .sync("shopify-main", &mut shop.connector(&fixture, SHOPIFY_TOKEN), &SyncOptions::default())
            .unwrap_err(),
    );

    let stripe = StripeServer::start(3, 1, 1);
    stripe.state.lock().unwrap().key = STRIPE_KEY.into();
    fixture.sync("stripe-eu", &mut stripe.connector(&fixture, STRIPE_KEY), &SyncOptions::default()).unwrap();
    // An API that echoes the key back in its error message.
    let echo = Reply::json(
        400,
        &json!({"error": {"type": "invalid_request_error", "message": format!("bad key {STRIPE_KEY}")}}),
    );
    stripe.server.inject(Fault { after: stripe.server.request_count(), times: 1, reply: echo });
    errors.push(
        fixture
            .sync("stripe-eu", &mut stripe.connector(&fixture, STRIPE_KEY), &SyncOptions::default())
            .unwrap_err(),
    );
    stripe.server.clear_faults();
    stripe.state.lock().unwrap().key = "sk_test_other".into();
    errors.push(
        fixture
            .sync("stripe-eu", &mut stripe.connector(&fixture, STRIPE_KEY), &SyncOptions::default())
            .unwrap_err(),
    );

    assert!(errors[2].to_string().contains("bad key [redacted]"), "{}", errors[2]);
    let bytes = fixture.file_bytes();
    let logs = captured_logs();
    assert!(logs.contains("source shopify-main"), "the logs were captured");
    for secret in [SHOPIFY_TOKEN, STRIPE_KEY] {
        assert!(!contains_bytes(&bytes, secret), "{secret} is in the warehouse file");
        assert!(!logs.contains(secret), "{secret} is in the logs");
        for error in &errors {
            assert!(!error.to_string().contains(secret), "{secret} is in {error}");
            assert!(!format!("{error:?}").contains(secret), "{secret} is in {error:?}");
        }
    }
    let runs = fixture.runs();
    assert_eq!(runs.iter().filter(|r| r.status == "failed").count(), 4);
    assert!(
        runs.iter()
            .filter_map(|r| r.error.as_deref())
            .all(|e| !e.contains(SHOPIFY_TOKEN) && !e.contains(STRIPE_KEY))
    );
    assert_eq!(format!("{:?}", Token::new(STRIPE_KEY)), "Token([redacted])");
}
