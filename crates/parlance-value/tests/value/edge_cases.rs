//! The edge cases the crate documents: single purchases, no repeat buyers,
//! zero and negative amounts, T = 0, everything on one day, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use parlance_value::{
    BgNbd, ClvSettings, FitOptions, GammaGamma, PurchaseHistory, SpendHistory, TimeUnit, Transaction,
    ValueError, customer_value, customer_values, summarize_transactions,
};
use time::Date;
use time::macros::date;

const END: Date = date!(2024 - 12 - 31);

fn purchase(customer: u32, date: Date, amount: f64) -> Transaction<u32> {
    Transaction { customer, date, amount }
}

fn cdnow_models() -> (BgNbd, GammaGamma) {
    (BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap(), GammaGamma::new(6.25, 3.74, 15.44).unwrap())
}

fn history(frequency: u32, recency: f64, age: f64) -> PurchaseHistory {
    PurchaseHistory { frequency, recency, age }
}

#[test]
fn single_purchase_customer_gets_bgnbd_prediction_and_population_mean_spend() {
    let summary =
        summarize_transactions(&[purchase(1, date!(2024 - 06 - 01), 40.0)], END, TimeUnit::Weeks).unwrap();
    let customer = &summary[0];
    assert_eq!(
        (customer.frequency, customer.recency, customer.monetary_value, customer.monetary_days),
        (0, 0.0, 0.0, 0)
    );

    let (purchases, spend) = cdnow_models();
    let history = customer.purchase_history();
    assert_eq!(purchases.probability_alive(&history).unwrap(), 1.0);
    let expected = purchases.conditional_expected_purchases(52.0, &history).unwrap();
    assert!(expected > 0.0 && expected.is_finite());
    let value = customer_value(
        &purchases,
        &spend,
        &history,
        &customer.spend_history(),
        &ClvSettings::for_unit(TimeUnit::Weeks),
    )
    .unwrap();
    assert_eq!(value.expected_spend, 6.25 * 15.44 / (3.74 - 1.0));
    assert!(value.value > 0.0 && value.value.is_finite());
}

#[test]
fn no_repeat_buyers_is_a_clear_error_not_a_panic() {
    let spends = vec![SpendHistory { purchases: 0, average_spend: 0.0 }; 10];
    let error = GammaGamma::fit(&spends, &FitOptions::default()).unwrap_err();
    assert!(matches!(error, ValueError::NoRepeatBuyers { customers: 10 }), "{error:?}");
    assert!(error.to_string().contains("no repeat buyers"), "{error}");

    let histories = vec![history(0, 0.0, 10.0); 10];
    let error = BgNbd::fit(&histories, &FitOptions::default()).unwrap_err();
    assert!(matches!(error, ValueError::NoRepeatPurchases { customers: 10 }), "{error:?}");
}

#[test]
fn no_customers_is_an_error_for_both_fits() {
    let error = BgNbd::fit(&[], &FitOptions::default()).unwrap_err();
    assert_eq!(error.to_string(), "no customers: BG/NBD needs at least one customer to fit");
    let error = GammaGamma::fit(&[], &FitOptions::default()).unwrap_err();
    assert_eq!(error.to_string(), "no customers: Gamma-Gamma needs at least one customer to fit");
    assert!(summarize_transactions::<u32>(&[], END, TimeUnit::Days).unwrap().is_empty());
}

#[test]
fn refunds_net_within_a_day_and_non_positive_days_stay_out_of_the_monetary_mean() {
    let transactions = [
        purchase(1, date!(2024 - 01 - 01), 50.0),
        // a refund on its own day: still a purchase occasion, not spend
        purchase(1, date!(2024 - 01 - 05), -50.0),
        // bought 30, returned 10 the same day: nets to 20
        purchase(1, date!(2024 - 02 - 01), 30.0),
        purchase(1, date!(2024 - 02 - 01), -10.0),
        // a free order (zero value): an occasion, not spend
        purchase(1, date!(2024 - 03 - 01), 0.0),
        // bought and fully returned the same day
        purchase(1, date!(2024 - 04 - 01), 25.0),
        purchase(1, date!(2024 - 04 - 01), -25.0),
    ];
    let summary = summarize_transactions(&transactions, END, TimeUnit::Days).unwrap();
    let customer = &summary[0];
    assert_eq!(customer.frequency, 4);
    assert_eq!(customer.monetary_days, 1);
    assert_eq!(customer.monetary_value, 20.0);
    assert_eq!(customer.last_purchase, date!(2024 - 04 - 01));
}

#[test]
fn repeat_buyer_whose_repeat_days_are_all_refunds_falls_back_to_population_mean() {
    let transactions = [purchase(1, date!(2024 - 01 - 01), 50.0), purchase(1, date!(2024 - 01 - 05), -50.0)];
    let summary = summarize_transactions(&transactions, END, TimeUnit::Days).unwrap();
    assert_eq!((summary[0].frequency, summary[0].monetary_days), (1, 0));
    let (_, spend) = cdnow_models();
    assert_eq!(
        spend.conditional_expected_spend(&summary[0].spend_history()).unwrap(),
        spend.population_mean_spend()
    );
    // ... and is skipped by the Gamma-Gamma fit.
    let error = GammaGamma::fit(&[summary[0].spend_history()], &FitOptions::default()).unwrap_err();
    assert!(matches!(error, ValueError::NoRepeatBuyers { .. }));
}

#[test]
fn first_purchase_on_the_last_day_gives_t_zero_without_nan() {
    let summary = summarize_transactions(&[purchase(7, END, 12.0)], END, TimeUnit::Weeks).unwrap();
    let history = summary[0].purchase_history();
    assert_eq!(history, self::history(0, 0.0, 0.0));

    let (purchases, spend) = cdnow_models();
    assert_eq!(purchases.probability_alive(&history).unwrap(), 1.0);
    // With nothing observed, the conditional expectation is the unconditional one.
    let conditional = purchases.conditional_expected_purchases(39.0, &history).unwrap();
    let unconditional = purchases.expected_purchases(39.0).unwrap();
    assert!((conditional - unconditional).abs() < 1e-12, "{conditional} vs {unconditional}");
    assert!(purchases.log_likelihood(&[history]).unwrap() == 0.0);
    let values =
        customer_values(&purchases, &spend, &summary, &ClvSettings::for_unit(TimeUnit::Weeks)).unwrap();
    assert!(values[0].value.is_finite() && values[0].value > 0.0);

    // Customers with T = 0 in a fit contribute nothing and break nothing.
    let mut histories = vec![history; 5];
    histories.extend([
        self::history(2, 10.0, 30.0),
        self::history(0, 0.0, 25.0),
        self::history(5, 20.0, 21.0),
    ]);
    histories.extend(vec![self::history(1, 3.0, 40.0); 3]);
    let fit = BgNbd::fit(&histories, &FitOptions::default()).unwrap();
    assert!(fit.log_likelihood.is_finite());

    let error = BgNbd::fit(&[history; 3], &FitOptions::default()).unwrap_err();
    assert!(matches!(error, ValueError::NoObservationTime { customers: 3 }), "{error:?}");
}

#[test]
fn all_purchases_on_one_day_are_one_purchase() {
    let day = date!(2024 - 05 - 05);
    let transactions = [purchase(3, day, 10.0), purchase(3, day, 15.0), purchase(3, day, -5.0)];
    let summary = summarize_transactions(&transactions, END, TimeUnit::Days).unwrap();
    assert_eq!(summary.len(), 1);
    let customer = &summary[0];
    assert_eq!((customer.frequency, customer.recency, customer.monetary_days), (0, 0.0, 0));
    assert_eq!(customer.age, (END - day).whole_days() as f64);
}

#[test]
fn purchases_after_the_observation_end_do_not_exist_yet() {
    let transactions = [purchase(1, date!(2025 - 01 - 02), 10.0), purchase(2, date!(2024 - 01 - 02), 10.0)];
    let summary = summarize_transactions(&transactions, END, TimeUnit::Days).unwrap();
    assert_eq!(summary.iter().map(|c| c.customer).collect::<Vec<_>>(), [2]);
}

#[test]
fn impossible_histories_and_arguments_are_errors() {
    let (purchases, spend) = cdnow_models();
    for bad in [history(1, 5.0, 4.0), history(0, 1.0, 4.0), history(1, -1.0, 4.0), history(1, f64::NAN, 4.0)]
    {
        assert!(matches!(
            BgNbd::fit(&[bad, history(2, 3.0, 9.0)], &FitOptions::default()),
            Err(ValueError::InvalidHistory { index: 0, .. })
        ));
        assert!(purchases.conditional_expected_purchases(10.0, &bad).is_err());
        assert!(purchases.probability_alive(&bad).is_err());
    }
    assert!(purchases.conditional_expected_purchases(-1.0, &history(0, 0.0, 1.0)).is_err());
    assert!(purchases.expected_purchases(f64::INFINITY).is_err());
    assert!(BgNbd::new(0.0, 1.0, 1.0, 1.0).is_err());
    assert!(BgNbd::new(1.0, f64::NAN, 1.0, 1.0).is_err());
    assert!(GammaGamma::new(1.0, 0.5, 1.0).is_err());
    let bad_spend = SpendHistory { purchases: 2, average_spend: -3.0 };
    assert!(matches!(
        GammaGamma::fit(&[bad_spend], &FitOptions::default()),
        Err(ValueError::InvalidHistory { index: 0, .. })
    ));
    assert!(spend.conditional_expected_spend(&bad_spend).is_err());
    let settings = ClvSettings { monthly_discount_rate: -1.0, ..ClvSettings::default() };
    let ok_spend = SpendHistory { purchases: 1, average_spend: 3.0 };
    assert!(customer_value(&purchases, &spend, &history(1, 1.0, 2.0), &ok_spend, &settings).is_err());
    let transactions = [purchase(1, END, f64::INFINITY)];
    assert!(matches!(
        summarize_transactions(&transactions, END, TimeUnit::Days),
        Err(ValueError::NonFiniteAmount { index: 0, .. })
    ));
}

#[test]
fn optimiser_out_of_iterations_says_so() {
    let histories =
        [history(2, 10.0, 30.0), history(0, 0.0, 25.0), history(5, 20.0, 21.0), history(1, 3.0, 40.0)];
    let options = FitOptions { max_iterations: 1, ..FitOptions::default() };
    let error = BgNbd::fit(&histories, &options).unwrap_err();
    assert!(matches!(error, ValueError::NotConverged { model: "BG/NBD", .. }), "{error:?}");
    assert!(error.to_string().contains("optimiser did not converge after"), "{error}");
}

#[test]
fn extreme_but_valid_histories_give_finite_predictions() {
    let (purchases, spend) = cdnow_models();
    for h in [
        history(500, 51.9, 52.0),
        history(1, 1e-9, 1e6),
        history(200, 0.01, 1e5),
        history(3, 1e-3, 1e-3),
        history(0, 0.0, 1e9),
    ] {
        let alive = purchases.probability_alive(&h).unwrap();
        assert!((0.0..=1.0).contains(&alive), "{h:?}: {alive}");
        for t in [0.0, 1e-6, 1.0, 52.0, 520.0] {
            let expected = purchases.conditional_expected_purchases(t, &h).unwrap();
            assert!(expected.is_finite() && expected >= 0.0, "{h:?} t = {t}: {expected}");
        }
    }
    let huge = SpendHistory { purchases: u32::MAX, average_spend: 1e12 };
    assert!(spend.conditional_expected_spend(&huge).unwrap().is_finite());
}
