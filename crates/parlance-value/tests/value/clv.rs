//! Discounted CLV, cross-checked against `lifetimes` 0.11.3 on CDNOW
//! (`GammaGammaFitter.customer_lifetime_value(bgf, ..., time=12,
//! discount_rate=0.01, freq="W")` with both models fitted on the sample).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use parlance_value::{ClvSettings, TimeUnit, customer_value, customer_values};

use crate::cdnow::{bgnbd_fit, gamma_gamma_fit};
use crate::cdnow_data::sample_summary;

fn relative_error(actual: f64, expected: f64) -> f64 {
    ((actual - expected) / expected).abs()
}

#[test]
fn cdnow_clv_matches_lifetimes() {
    let (purchases, spend) = (bgnbd_fit().model, gamma_gamma_fit().model);
    let summary = sample_summary();
    let values =
        customer_values(&purchases, &spend, summary, &ClvSettings::for_unit(TimeUnit::Weeks)).unwrap();
    assert_eq!(values.len(), summary.len());
    // lifetimes: clv of customers 1..=3 and the total.
    for (value, expected) in values.iter().zip([36.27397745116055, 4.640936126483924, 8.344480971584327]) {
        assert!(relative_error(value.value, expected) < 1e-5, "{} vs {expected}", value.value);
    }
    let total: f64 = values.iter().map(|v| v.value).sum();
    assert!(relative_error(total, 71507.95331613798) < 1e-5, "total {total}");
    // lifetimes: conditional_expected_average_profit of customers 1..=3.
    for (value, expected) in values.iter().zip([24.65391871323535, 18.910018475339093, 35.170371330454046]) {
        assert!(
            relative_error(value.expected_spend, expected) < 1e-5,
            "{} vs {expected}",
            value.expected_spend
        );
    }
}

#[test]
fn batch_values_equal_one_at_a_time_values_and_compose_from_components() {
    let (purchases, spend) = (bgnbd_fit().model, gamma_gamma_fit().model);
    let settings = ClvSettings {
        horizon_months: 24,
        monthly_discount_rate: 0.02,
        margin: 0.3,
        ..ClvSettings::default()
    };
    let summary = &sample_summary()[..200];
    let batch = customer_values(&purchases, &spend, summary, &settings).unwrap();
    for (customer, from_batch) in summary.iter().zip(&batch) {
        let single = customer_value(
            &purchases,
            &spend,
            &customer.purchase_history(),
            &customer.spend_history(),
            &settings,
        )
        .unwrap();
        assert_eq!(&single, from_batch);
        assert!((single.value - single.discounted_purchases * single.expected_spend * 0.3).abs() < 1e-12);
        assert!(single.discounted_purchases < single.expected_purchases);
        let horizon =
            purchases.conditional_expected_purchases(24.0 * 4.345, &customer.purchase_history()).unwrap();
        assert!((single.expected_purchases - horizon).abs() < 1e-12);
        assert_eq!(
            single.probability_alive,
            purchases.probability_alive(&customer.purchase_history()).unwrap()
        );
    }
}

#[test]
fn without_discounting_value_is_purchases_times_spend_times_margin() {
    let (purchases, spend) = (bgnbd_fit().model, gamma_gamma_fit().model);
    let settings = ClvSettings { monthly_discount_rate: 0.0, margin: 0.5, ..ClvSettings::default() };
    let customer = &sample_summary()[0];
    let value = customer_value(
        &purchases,
        &spend,
        &customer.purchase_history(),
        &customer.spend_history(),
        &settings,
    )
    .unwrap();
    let expected = value.expected_purchases * value.expected_spend * 0.5;
    assert!((value.value - expected).abs() < 1e-9 * expected);
}
