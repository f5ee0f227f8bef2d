//! The universal value of each customer, pure: from orders and support
//! contacts (already read from wherever they live) and the vocabulary's
//! parameters to a value with every component and input.
//!
//! value = discounted expected margin − discounted expected cost to serve,
//! over the horizon, where
//!
//! - discounted expected margin = Σ_months (E[purchases in month m]) / (1+d)ᵐ
//!   × E[spend per purchase] × margin rate (BG/NBD × Gamma-Gamma, as
//!   [`customer_values`] computes it, times the customer's margin rate);
//! - discounted expected cost to serve = the same discounted purchases × the
//!   expected cost per purchase, Σ_channels cost × contact rate + return cost
//!   × return rate, the rates from [`RatePrior`] (see `serve.rs`).
//!
//! Time is in days (α in days, a month is 30 days, as `lifetimes` counts
//! with `freq="D"`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calibration::{FrequencyGroup, calibrate_and_hold_out};
use crate::clv::{ClvSettings, CustomerValue, customer_values};
use crate::error::ValueError;
use crate::optimise::FitOptions;
use crate::parameters::ValueParameters;
use crate::rfm::{CustomerSummary, TimeUnit, Transaction, summarize_transactions};
use crate::serve::RatePrior;
use crate::{BgNbd, BgNbdFit, GammaGamma, GammaGammaFit};

/// Days per month in the CLV sum (`lifetimes`' convention for daily data).
pub const DAYS_PER_MONTH: f64 = 30.0;

/// One order as the value sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Order<C> {
    /// Who bought.
    pub customer: C,
    /// The day it was placed.
    pub date: Date,
    /// Amount before refunds in the value currency (weights the margin
    /// rate); ignored when `in_currency` is false.
    pub amount: f64,
    /// Amount net of refunds in the value currency; ignored (counted as 0)
    /// when `in_currency` is false.
    pub net_amount: f64,
    /// Gross margin rate of the order (from its product categories).
    pub margin_rate: f64,
    /// Whether it was returned or (partly) refunded.
    pub returned: bool,
    /// Whether `net_amount` is in the value currency.
    pub in_currency: bool,
}

/// Support contacts of one customer on one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactCount<C> {
    /// Who contacted support.
    pub customer: C,
    /// `email`, `phone`, `chat`, `web`, …
    pub channel: String,
    /// How many times, up to the as-of date.
    pub contacts: u32,
}

/// Which rule valued a profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Basis {
    /// At least two purchase days: BG/NBD and Gamma-Gamma with the
    /// customer's own history.
    #[serde(rename = "repeat purchases")]
    RepeatPurchases,
    /// One purchase day: BG/NBD from the prior (P(alive) = 1), spend the
    /// Gamma-Gamma population mean.
    #[serde(rename = "single purchase")]
    SinglePurchase,
    /// No purchase up to the as-of date (anonymous visitors, subscribers,
    /// cancelled orders only): value 0 by definition.
    #[serde(rename = "no purchases")]
    #[default]
    NoPurchases,
}

/// A profile's value with everything it is made of. Money is in `currency`;
/// `margin`, `cost_to_serve` and `total` are discounted; expected counts are
/// over the horizon, undiscounted. Fields missing from stored JSON read as
/// zero or empty: profiles without purchases are stored compactly.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValueComponents {
    /// Which rule valued the profile.
    pub basis: Basis,
    /// The value: `margin − cost_to_serve`.
    #[serde(serialize_with = "short")]
    pub total: f64,
    /// Currency of every amount.
    pub currency: String,
    /// The horizon in months.
    pub horizon_months: u32,
    /// Expected purchases over the horizon (BG/NBD).
    #[serde(serialize_with = "short")]
    pub purchases: f64,
    /// Expected purchases, each discounted to today.
    #[serde(serialize_with = "short")]
    pub discounted_purchases: f64,
    /// P(alive) at the as-of date.
    #[serde(serialize_with = "short")]
    pub probability_alive: f64,
    /// Expected spend per purchase (Gamma-Gamma).
    #[serde(serialize_with = "short")]
    pub spend: f64,
    /// Gross margin rate of the customer's orders: the mean of their
    /// category margins weighted by order amount (global without categories).
    #[serde(serialize_with = "short")]
    pub margin_rate: f64,
    /// Discounted expected margin: discounted purchases × spend × margin rate.
    #[serde(serialize_with = "short")]
    pub margin: f64,
    /// Discounted expected cost to serve: `contact_cost + return_cost`.
    #[serde(serialize_with = "short")]
    pub cost_to_serve: f64,
    /// Discounted expected cost of support contacts.
    #[serde(serialize_with = "short")]
    pub contact_cost: f64,
    /// Discounted expected cost of returns.
    #[serde(serialize_with = "short")]
    pub return_cost: f64,
    /// Expected support contacts over the horizon, per channel.
    #[serde(serialize_with = "short_map")]
    pub expected_contacts: BTreeMap<String, f64>,
    /// Expected returns over the horizon.
    #[serde(serialize_with = "short")]
    pub expected_returns: f64,
    /// What the customer did, and the per-purchase rates derived from it.
    pub inputs: ValueInputs,
}

/// The inputs of one profile's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValueInputs {
    /// x: purchase days after the first.
    pub frequency: u32,
    /// tₓ in days.
    #[serde(serialize_with = "short")]
    pub recency_days: f64,
    /// T in days.
    #[serde(serialize_with = "short")]
    pub age_days: f64,
    /// First purchase day, YYYY-MM-DD.
    pub first_purchase: Option<String>,
    /// Last purchase day, YYYY-MM-DD.
    pub last_purchase: Option<String>,
    /// Mean net amount of the repeat purchase days with a positive amount.
    #[serde(serialize_with = "short")]
    pub monetary_value: f64,
    /// How many days that mean is over.
    pub monetary_days: u32,
    /// Orders (cancelled ones excluded).
    pub orders: u32,
    /// Net revenue of those orders in the value currency.
    #[serde(serialize_with = "short")]
    pub net_revenue: f64,
    /// Orders in another currency (counted as purchases, not as spend).
    pub other_currency_orders: u32,
    /// Orders returned or (partly) refunded.
    pub returns: u32,
    /// Support contacts per channel.
    pub contacts: BTreeMap<String, u32>,
    /// Expected contacts per purchase, per channel (shrunk toward the population).
    #[serde(serialize_with = "short_map")]
    pub contact_rates: BTreeMap<String, f64>,
    /// Expected returns per purchase (shrunk toward the population).
    #[serde(serialize_with = "short")]
    pub return_rate: f64,
}

impl ValueComponents {
    /// The components of a profile without purchases: value 0.
    pub fn no_purchases(currency: &str, horizon_months: u32) -> Self {
        Self { basis: Basis::NoPurchases, currency: currency.to_owned(), horizon_months, ..Self::default() }
    }

    /// The compact JSON of a profile without purchases: only what is not
    /// zero (the rest reads back as zero).
    pub fn no_purchases_json(currency: &str, horizon_months: u32) -> String {
        serde_json::json!({
            "basis": Basis::NoPurchases,
            "total": 0.0,
            "currency": currency,
            "horizon_months": horizon_months,
        })
        .to_string()
    }
}

/// Significant digits kept in stored components: sub-penny for any value
/// below 100,000, and about 40% less JSON than full precision.
const STORED_DIGITS: i32 = 7;

/// `x` rounded to [`STORED_DIGITS`] significant digits (non-finite as is).
fn round_stored(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(STORED_DIGITS - 1 - x.abs().log10().floor() as i32);
    if scale.is_finite() && scale > 0.0 { (x * scale).round() / scale } else { x }
}

fn short<S: serde::Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(round_stored(*x))
}

fn short_map<S: serde::Serializer>(map: &BTreeMap<String, f64>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(map.iter().map(|(k, v)| (k, round_stored(*v))))
}

/// The fitted models behind a valuation.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFit {
    /// BG/NBD on every customer (days).
    pub purchases: BgNbdFit,
    /// Gamma-Gamma on the repeat buyers with positive spend.
    pub spend: GammaGammaFit,
    /// The hold-out check, or why it could not be run.
    pub holdout: Result<Holdout, String>,
    /// Contact rate prior per channel seen in the data.
    pub contact_priors: BTreeMap<String, RatePrior>,
    /// Return rate prior.
    pub return_prior: RatePrior,
}

/// Calibration / hold-out: fit on the orders up to `calibration_end`,
/// predict the purchases in the following `holdout_days`, compare.
#[derive(Debug, Clone, PartialEq)]
pub struct Holdout {
    /// Last day of the calibration period.
    pub calibration_end: Date,
    /// Length of the hold-out period in days.
    pub holdout_days: i64,
    /// The calibration fit.
    pub fit: BgNbdFit,
    /// Predicted and actual mean hold-out purchases by calibration frequency.
    pub groups: Vec<FrequencyGroup>,
}

/// Every customer's value, and the models.
#[derive(Debug, Clone, PartialEq)]
pub struct Valuation<C> {
    /// Customers with at least one purchase up to the as-of date, sorted.
    pub customers: Vec<(C, ValueComponents)>,
    /// The fits.
    pub model: ModelFit,
}

/// Per-customer aggregates of their orders and contacts.
#[derive(Debug, Default)]
struct Activity {
    orders: u32,
    returns: u32,
    other_currency: u32,
    net_revenue: f64,
    margin_weighted: f64,
    margin_weight: f64,
    contacts: Vec<u32>,
}

/// Values every customer with a purchase on or before `as_of`. `orders`
/// are sorted in place by customer and date. Errors: the model errors of
/// [`BgNbd::fit`] and [`GammaGamma::fit`] (no customers, no repeat
/// purchases, no repeat buyers, …) and invalid amounts.
pub fn value_customers<C: Ord + Clone + Send + Sync>(
    parameters: &ValueParameters,
    currency: &str,
    orders: &mut Vec<Order<C>>,
    contacts: &[ContactCount<C>],
    as_of: Date,
) -> Result<Valuation<C>, ValueError> {
    orders.retain(|o| o.date <= as_of);
    if !orders.is_sorted_by(|x, y| (&x.customer, x.date) <= (&y.customer, y.date)) {
        orders.sort_unstable_by(|x, y| x.customer.cmp(&y.customer).then(x.date.cmp(&y.date)));
    }
    let transactions: Vec<Transaction<C>> = orders
        .iter()
        .map(|o| Transaction {
            customer: o.customer.clone(),
            date: o.date,
            amount: if o.in_currency { o.net_amount } else { 0.0 },
        })
        .collect();
    let summaries = summarize_transactions(&transactions, as_of, TimeUnit::Days)?;
    let channels: Vec<String> =
        contacts.iter().map(|c| c.channel.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let activity = activities(orders, contacts, &channels, &summaries);

    let options = FitOptions::default();
    // The hold-out check needs only the transactions: it runs on a second
    // core while the main fits and the values are computed.
    let (main, holdout) = std::thread::scope(|scope| {
        let holdout = scope.spawn(|| holdout(&transactions, parameters, as_of, &summaries, &options));
        let main = fit_and_value(parameters, &summaries, &activity, &channels, &options);
        let holdout = holdout.join().unwrap_or_else(|_| Err("the hold-out check panicked".to_owned()));
        (main, holdout)
    });
    let (purchases, spend, values, contact_priors, return_prior) = main?;
    let context =
        Context { parameters, currency, channels: &channels, contact_priors: &contact_priors, return_prior };
    let customers = summaries
        .into_iter()
        .zip(values)
        .zip(activity)
        .map(|((summary, value), activity)| {
            let components = context.components(&summary, &value, &activity);
            (summary.customer, components)
        })
        .collect();
    Ok(Valuation { customers, model: ModelFit { purchases, spend, holdout, contact_priors, return_prior } })
}

/// The two fits, every customer's CLV and the cost-to-serve rate priors.
type MainFit = (BgNbdFit, GammaGammaFit, Vec<CustomerValue>, BTreeMap<String, RatePrior>, RatePrior);

fn fit_and_value<C>(
    parameters: &ValueParameters,
    summaries: &[CustomerSummary<C>],
    activity: &[Activity],
    channels: &[String],
    options: &FitOptions,
) -> Result<MainFit, ValueError> {
    let histories: Vec<_> = summaries.iter().map(CustomerSummary::purchase_history).collect();
    let spends: Vec<_> = summaries.iter().map(CustomerSummary::spend_history).collect();
    let purchases = BgNbd::fit(&histories, options)?;
    let spend = GammaGamma::fit(&spends, options)?;
    let settings = ClvSettings {
        horizon_months: parameters.horizon_months,
        monthly_discount_rate: parameters.monthly_discount_rate(),
        margin: 1.0,
        periods_per_month: DAYS_PER_MONTH,
    };
    let values = customer_values(&purchases.model, &spend.model, summaries, &settings)?;

    let occasions = |s: &CustomerSummary<C>| s.frequency.saturating_add(1);
    let contact_priors: BTreeMap<String, RatePrior> = channels
        .iter()
        .enumerate()
        .map(|(i, channel)| {
            let counts = summaries
                .iter()
                .zip(activity)
                .map(move |(s, a)| (a.contacts.get(i).copied().unwrap_or(0), occasions(s)));
            (channel.clone(), RatePrior::fit(counts))
        })
        .collect();
    let return_prior = RatePrior::fit(summaries.iter().zip(activity).map(|(s, a)| (a.returns, occasions(s))));
    Ok((purchases, spend, values, contact_priors, return_prior))
}

/// Aggregates orders (sorted by customer) and contacts per summarised
/// customer, in the summaries' order.
fn activities<C: Ord>(
    orders: &[Order<C>],
    contacts: &[ContactCount<C>],
    channels: &[String],
    summaries: &[CustomerSummary<C>],
) -> Vec<Activity> {
    let mut by_customer: Vec<Activity> = Vec::with_capacity(summaries.len());
    let mut remaining = orders;
    for summary in summaries {
        // A linear walk, not a binary search: both lists are sorted, and
        // millions of binary searches over all orders miss the cache.
        let skip = remaining.iter().take_while(|o| o.customer < summary.customer).count();
        remaining = remaining.get(skip..).unwrap_or_default();
        let own = remaining.iter().take_while(|o| o.customer == summary.customer).count();
        let mut activity = Activity { contacts: vec![0; channels.len()], ..Activity::default() };
        for order in remaining.get(..own).unwrap_or_default() {
            activity.orders += 1;
            activity.returns += u32::from(order.returned);
            if order.in_currency {
                activity.net_revenue += order.net_amount;
                // The category mix of what the customer buys, by order
                // amount before refunds (a refund lowers spend, not the mix).
                let weight = order.amount.max(0.0);
                activity.margin_weighted += weight * order.margin_rate;
                activity.margin_weight += weight;
            } else {
                activity.other_currency += 1;
            }
        }
        remaining = remaining.get(own..).unwrap_or_default();
        by_customer.push(activity);
    }
    for contact in contacts {
        let Ok(at) = summaries.binary_search_by(|s| s.customer.cmp(&contact.customer)) else { continue };
        let Ok(channel) = channels.binary_search(&contact.channel) else { continue };
        if let Some(slot) = by_customer.get_mut(at).and_then(|a| a.contacts.get_mut(channel)) {
            *slot = slot.saturating_add(contact.contacts);
        }
    }
    by_customer
}

/// The fixed inputs of every customer's components.
struct Context<'a> {
    parameters: &'a ValueParameters,
    currency: &'a str,
    channels: &'a [String],
    contact_priors: &'a BTreeMap<String, RatePrior>,
    return_prior: RatePrior,
}

impl Context<'_> {
    fn components<C>(
        &self,
        s: &CustomerSummary<C>,
        value: &CustomerValue,
        activity: &Activity,
    ) -> ValueComponents {
        let occasions = s.frequency.saturating_add(1);
        let margin_rate = if activity.margin_weight > 0.0 {
            activity.margin_weighted / activity.margin_weight
        } else {
            self.parameters.margin
        };
        let mut contact_rates = BTreeMap::new();
        let mut expected_contacts = BTreeMap::new();
        let mut contact_cost_per_purchase = 0.0;
        let mut contacts = BTreeMap::new();
        for (i, channel) in self.channels.iter().enumerate() {
            let count = activity.contacts.get(i).copied().unwrap_or(0);
            let rate = self.contact_priors.get(channel).map_or(0.0, |p| p.rate(count, occasions));
            contact_cost_per_purchase += rate * self.parameters.contact_cost(channel);
            contacts.insert(channel.clone(), count);
            contact_rates.insert(channel.clone(), rate);
            expected_contacts.insert(channel.clone(), rate * value.expected_purchases);
        }
        let return_rate = self.return_prior.rate(activity.returns, occasions);
        let margin = value.discounted_purchases * value.expected_spend * margin_rate;
        let contact_cost = value.discounted_purchases * contact_cost_per_purchase;
        let return_cost = value.discounted_purchases * return_rate * self.parameters.return_cost;
        let cost_to_serve = contact_cost + return_cost;
        ValueComponents {
            basis: if s.frequency > 0 { Basis::RepeatPurchases } else { Basis::SinglePurchase },
            total: margin - cost_to_serve,
            currency: self.currency.to_owned(),
            horizon_months: self.parameters.horizon_months,
            purchases: value.expected_purchases,
            discounted_purchases: value.discounted_purchases,
            probability_alive: value.probability_alive,
            spend: value.expected_spend,
            margin_rate,
            margin,
            cost_to_serve,
            contact_cost,
            return_cost,
            expected_contacts,
            expected_returns: return_rate * value.expected_purchases,
            inputs: ValueInputs {
                frequency: s.frequency,
                recency_days: s.recency,
                age_days: s.age,
                first_purchase: Some(s.first_purchase.to_string()),
                last_purchase: Some(s.last_purchase.to_string()),
                monetary_value: s.monetary_value,
                monetary_days: s.monetary_days,
                orders: activity.orders,
                net_revenue: activity.net_revenue,
                other_currency_orders: activity.other_currency,
                returns: activity.returns,
                contacts,
                contact_rates,
                return_rate,
            },
        }
    }
}

/// The hold-out check: the last third of the observed period, at most the
/// horizon, at least two weeks.
fn holdout<C: Ord + Clone>(
    transactions: &[Transaction<C>],
    parameters: &ValueParameters,
    as_of: Date,
    summaries: &[CustomerSummary<C>],
    options: &FitOptions,
) -> Result<Holdout, String> {
    let first = summaries.iter().map(|s| s.first_purchase).min().ok_or("no customers")?;
    let observed = (as_of - first).whole_days();
    let horizon_days = (f64::from(parameters.horizon_months) * DAYS_PER_MONTH) as i64;
    let holdout_days = (observed / 3).min(horizon_days);
    if holdout_days < 14 {
        return Err(format!(
            "{observed} days of orders are too few for a hold-out period of at least 14 days"
        ));
    }
    let calibration_end = as_of - time::Duration::days(holdout_days);
    let report = calibrate_and_hold_out(transactions, calibration_end, as_of, TimeUnit::Days, options)
        .map_err(|e| format!("calibration fit up to {calibration_end}: {e}"))?;
    Ok(Holdout { calibration_end, holdout_days, fit: report.fit, groups: report.groups })
}

/// Deciles of customers' values: 10 for the highest tenth, 1 for the
/// lowest; equal values share a decile (the best one their rank reaches).
/// `None` entries (profiles without purchases) get no decile.
pub fn deciles(values: &[Option<f64>]) -> Vec<Option<u8>> {
    let mut ranked: Vec<(usize, f64)> =
        values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    ranked.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let n = ranked.len();
    let mut out = vec![None; values.len()];
    let mut group_rank = 0;
    for (rank, &(index, value)) in ranked.iter().enumerate() {
        if rank == 0 || ranked.get(rank - 1).is_none_or(|&(_, previous)| previous.total_cmp(&value).is_ne()) {
            group_rank = rank;
        }
        let decile = 10 - (10 * group_rank / n.max(1)).min(9);
        if let Some(slot) = out.get_mut(index) {
            *slot = u8::try_from(decile).ok();
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn deciles_run_from_ten_at_the_top_and_ties_share_one() {
        let values: Vec<Option<f64>> = (0..20).map(|i| Some(f64::from(i))).chain([None]).collect();
        let d = deciles(&values);
        assert_eq!(d[19], Some(10));
        assert_eq!(d[18], Some(10));
        assert_eq!(d[17], Some(9));
        assert_eq!(d[0], Some(1));
        assert_eq!(d[20], None);
        let tied = deciles(&[Some(5.0), Some(5.0), Some(5.0), Some(1.0)]);
        assert_eq!(tied, [Some(10), Some(10), Some(10), Some(3)]);
    }
}
