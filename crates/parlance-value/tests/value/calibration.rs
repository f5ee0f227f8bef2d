//! Calibration / hold-out on CDNOW: calibrate to 1997-09-30, hold out to
//! 1998-06-30 (39 weeks), as in Fader, Hardie & Lee (2005), figure 4.
//! Expected figures computed with `lifetimes` 0.11.3 (its BG/NBD predictions on
//! the same split, hold-out purchases as distinct purchase days).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use parlance_value::{FitOptions, TimeUnit, Transaction, ValueError, calibrate_and_hold_out};
use time::macros::date;

use crate::cdnow_data::{OBSERVATION_END, sample_transactions};

#[test]
fn cdnow_hold_out_groups_match_lifetimes() {
    let report = calibrate_and_hold_out(
        sample_transactions(),
        OBSERVATION_END,
        date!(1998 - 06 - 30),
        TimeUnit::Weeks,
        &FitOptions::default(),
    )
    .unwrap();
    assert_eq!(report.holdout_length, 39.0);
    assert_eq!(report.customers.len(), 2357);
    assert!((report.fit.model.r() - 0.243).abs() < 0.0005);
    let total_actual: u32 = report.customers.iter().map(|c| c.holdout_purchases).sum();
    let total_predicted: f64 = report.customers.iter().map(|c| c.predicted_purchases).sum();
    assert_eq!(total_actual, 1882);
    assert!((total_predicted - 1653.4087).abs() < 0.01, "{total_predicted}");

    // (calibration frequency, customers, mean actual, mean predicted)
    let expected = [
        (0, 1411, 0.2367115521, 0.2250873378),
        (1, 439, 0.6970387244, 0.5231311297),
        (2, 214, 1.3925233645, 1.0441341006),
        (3, 100, 1.5600000000, 1.5202795287),
        (4, 62, 2.5322580645, 2.1638658541),
        (5, 38, 2.9473684211, 2.6538459804),
        (6, 29, 3.8620689655, 3.5040424584),
        (7, 64, 6.3593750000, 6.1571908224),
    ];
    assert_eq!(report.groups.len(), expected.len());
    for (group, (frequency, customers, actual, predicted)) in report.groups.iter().zip(expected) {
        assert_eq!(group.calibration_frequency, frequency);
        assert_eq!(group.pooled, frequency == 7);
        assert_eq!(group.customers, customers);
        assert!((group.mean_actual - actual).abs() < 1e-9, "{group:?}");
        assert!((group.mean_predicted - predicted).abs() < 1e-5, "{group:?}");
    }
}

#[test]
fn customers_first_seen_in_the_hold_out_are_left_out() {
    let day = |d| date!(2024 - 01 - 01) + time::Duration::days(d);
    let mut transactions = Vec::new();
    for customer in 0..40_u32 {
        // every customer buys every (customer % 5 + 3) days from day customer % 7
        let mut d = i64::from(customer % 7);
        while d < 200 {
            transactions.push(Transaction { customer, date: day(d), amount: 10.0 });
            d += i64::from(customer % 5 + 3) * (1 + i64::from(customer % 3));
        }
    }
    transactions.push(Transaction { customer: 1000, date: day(150), amount: 5.0 });
    let report =
        calibrate_and_hold_out(&transactions, day(100), day(199), TimeUnit::Days, &FitOptions::default())
            .unwrap();
    assert_eq!(report.customers.len(), 40);
    assert!(report.customers.iter().all(|c| c.calibration.customer < 1000));
    assert!(report.customers.iter().all(|c| c.holdout_purchases > 0));
}

#[test]
fn calibration_end_must_precede_observation_end() {
    let error = calibrate_and_hold_out::<u32>(
        &[],
        date!(2024 - 02 - 01),
        date!(2024 - 01 - 01),
        TimeUnit::Days,
        &FitOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(error, ValueError::InvalidPeriod { .. }));
}
