//! Calibration / hold-out validation of the BG/NBD model, after `lifetimes`'
//! `calibration_and_holdout_data` and its calibration-vs-hold-out purchases
//! plot: fit on the transactions up to a calibration end, predict each
//! customer's purchases in the hold-out period, and compare with what they
//! actually bought, grouped by calibration frequency 0, 1, …, 6 and 7+.

use time::Date;

use crate::bgnbd::{BgNbd, BgNbdFit};
use crate::error::ValueError;
use crate::optimise::FitOptions;
use crate::rfm::{CustomerSummary, TimeUnit, Transaction, summarize_transactions};

/// Calibration frequencies at or above this are pooled into one group.
pub const POOLED_FREQUENCY: u32 = 7;

/// One customer seen in the calibration period.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldoutCustomer<C> {
    /// The customer's RFM summary at the calibration end.
    pub calibration: CustomerSummary<C>,
    /// Distinct purchase days after the calibration end, up to and including
    /// the observation end.
    pub holdout_purchases: u32,
    /// E[Y(hold-out length) | calibration history] under the calibration fit.
    pub predicted_purchases: f64,
}

/// Predicted and actual hold-out purchases of the customers with one
/// calibration frequency (or, for the last group, at least
/// [`POOLED_FREQUENCY`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrequencyGroup {
    /// The calibration frequency x, or the lower bound of the pooled group.
    pub calibration_frequency: u32,
    /// True for the pooled "7+" group.
    pub pooled: bool,
    /// Customers in the group (never 0: empty groups are left out).
    pub customers: usize,
    /// Mean predicted hold-out purchases.
    pub mean_predicted: f64,
    /// Mean actual hold-out purchases.
    pub mean_actual: f64,
}

/// Everything the calibration check produced.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationReport<C> {
    /// The BG/NBD fit on the calibration period.
    pub fit: BgNbdFit,
    /// Length of the hold-out period in the time unit.
    pub holdout_length: f64,
    /// Every customer whose first purchase is in the calibration period,
    /// sorted by customer. Customers first seen in the hold-out period are
    /// not included: the model has nothing to predict for them.
    pub customers: Vec<HoldoutCustomer<C>>,
    /// Groups by calibration frequency 0, 1, …, 6, 7+ (empty ones left out).
    pub groups: Vec<FrequencyGroup>,
}

/// Splits `transactions` at `calibration_end`, fits BG/NBD on the calibration
/// part and compares predicted with actual purchases in
/// (`calibration_end`, `observation_end`].
pub fn calibrate_and_hold_out<C: Ord + Clone>(
    transactions: &[Transaction<C>],
    calibration_end: Date,
    observation_end: Date,
    unit: TimeUnit,
    options: &FitOptions,
) -> Result<CalibrationReport<C>, ValueError> {
    if calibration_end >= observation_end {
        return Err(ValueError::InvalidPeriod { calibration_end, observation_end });
    }
    let calibration = summarize_transactions(transactions, calibration_end, unit)?;
    let histories: Vec<_> = calibration.iter().map(CustomerSummary::purchase_history).collect();
    let fit = BgNbd::fit(&histories, options)?;
    let holdout_length = (observation_end - calibration_end).whole_days() as f64 / unit.days();

    let mut holdout_days: Vec<(&C, Date)> = transactions
        .iter()
        .filter(|t| t.date > calibration_end && t.date <= observation_end)
        .map(|t| (&t.customer, t.date))
        .collect();
    holdout_days.sort_unstable();
    holdout_days.dedup();

    let mut customers = Vec::with_capacity(calibration.len());
    let mut remaining = holdout_days.as_slice();
    for (summary, history) in calibration.into_iter().zip(&histories) {
        // Both lists are sorted by customer: skip hold-out days of customers
        // not in the calibration period, then count this customer's (walking,
        // as binary searches over the whole list miss the cache).
        let skipped = remaining.iter().take_while(|(customer, _)| *customer < &summary.customer).count();
        remaining = remaining.get(skipped..).unwrap_or_default();
        let own = remaining.iter().take_while(|(customer, _)| *customer == &summary.customer).count();
        remaining = remaining.get(own..).unwrap_or_default();
        customers.push(HoldoutCustomer {
            predicted_purchases: fit.model.conditional_expected_purchases(holdout_length, history)?,
            holdout_purchases: u32::try_from(own).unwrap_or(u32::MAX),
            calibration: summary,
        });
    }
    let groups = group_by_frequency(&customers);
    Ok(CalibrationReport { fit, holdout_length, customers, groups })
}

fn group_by_frequency<C>(customers: &[HoldoutCustomer<C>]) -> Vec<FrequencyGroup> {
    let mut sums = [(0_usize, 0.0_f64, 0.0_f64); POOLED_FREQUENCY as usize + 1];
    for customer in customers {
        let group = customer.calibration.frequency.min(POOLED_FREQUENCY) as usize;
        if let Some((count, predicted, actual)) = sums.get_mut(group) {
            *count += 1;
            *predicted += customer.predicted_purchases;
            *actual += f64::from(customer.holdout_purchases);
        }
    }
    (0..=POOLED_FREQUENCY)
        .zip(sums)
        .filter(|(_, (count, _, _))| *count > 0)
        .map(|(frequency, (count, predicted, actual))| FrequencyGroup {
            calibration_frequency: frequency,
            pooled: frequency == POOLED_FREQUENCY,
            customers: count,
            mean_predicted: predicted / count as f64,
            mean_actual: actual / count as f64,
        })
        .collect()
}
