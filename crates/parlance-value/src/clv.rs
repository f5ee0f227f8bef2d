//! Discounted customer lifetime value over a horizon of months, computed the
//! way `lifetimes`' `GammaGammaFitter.customer_lifetime_value` does:
//!
//! CLV = Σᵢ₌₁ᴴ (E[Y(i·f) | x, tₓ, T] − E[Y((i−1)·f) | x, tₓ, T]) · spend · margin / (1 + d)ⁱ
//!
//! with f the number of time units per month, d the monthly discount rate and
//! spend the Gamma-Gamma conditional expected spend per transaction.

use crate::bgnbd::BgNbd;
use crate::error::{ValueError, require_positive};
use crate::gamma_gamma::GammaGamma;
use crate::rfm::{CustomerSummary, PurchaseHistory, SpendHistory, TimeUnit};

/// How value is discounted and over which horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClvSettings {
    /// Horizon in months (the design's default is 12).
    pub horizon_months: u32,
    /// Discount rate per month (0.01 = 1 % a month, `lifetimes`' default).
    pub monthly_discount_rate: f64,
    /// Share of a transaction's value that is profit (1.0 = revenue).
    pub margin: f64,
    /// Model time units per month: 4.345 for weeks and 30 for days, as in
    /// `lifetimes` (see [`TimeUnit::periods_per_month`]).
    pub periods_per_month: f64,
}

impl ClvSettings {
    /// 12 months, 1 % a month, margin 1, `lifetimes`' month length for `unit`.
    pub fn for_unit(unit: TimeUnit) -> Self {
        Self {
            horizon_months: 12,
            monthly_discount_rate: 0.01,
            margin: 1.0,
            periods_per_month: unit.periods_per_month(),
        }
    }

    fn validate(&self) -> Result<(), ValueError> {
        require_positive("periods_per_month", self.periods_per_month)?;
        let rate = self.monthly_discount_rate;
        if !(rate.is_finite() && rate > -1.0) {
            return Err(ValueError::InvalidArgument {
                name: "monthly_discount_rate",
                requirement: "finite and > -1",
                value: rate,
            });
        }
        if !self.margin.is_finite() {
            return Err(ValueError::InvalidArgument {
                name: "margin",
                requirement: "finite",
                value: self.margin,
            });
        }
        Ok(())
    }
}

impl Default for ClvSettings {
    fn default() -> Self {
        Self::for_unit(TimeUnit::Weeks)
    }
}

/// One customer's value with the components it is made of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomerValue {
    /// Expected purchases over the whole horizon (undiscounted).
    pub expected_purchases: f64,
    /// Expected spend per purchase (Gamma-Gamma; population mean for
    /// customers without repeat purchases of positive value).
    pub expected_spend: f64,
    /// Probability that the customer is still alive at the observation end.
    pub probability_alive: f64,
    /// Σ over months of expected purchases that month, discounted to today
    /// (so `value = discounted_purchases · expected_spend · margin`).
    pub discounted_purchases: f64,
    /// The discounted value: the customer-value metric.
    pub value: f64,
}

/// Expected purchases *if alive* over the horizon, plain and discounted. They
/// depend on (x, T) only; a customer's figures are these times P(alive),
/// which is where tₓ enters.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OutlookIfAlive {
    expected_purchases: f64,
    discounted_purchases: f64,
}

fn outlook_if_alive(
    purchases: &BgNbd,
    frequency: u32,
    age: f64,
    settings: &ClvSettings,
) -> Result<OutlookIfAlive, ValueError> {
    let mut previous = 0.0;
    let mut discounted = 0.0;
    let mut discount = 1.0;
    for month in 1..=settings.horizon_months {
        let t = f64::from(month) * settings.periods_per_month;
        let cumulative = purchases.expected_purchases_if_alive(t, frequency, age)?;
        discount /= 1.0 + settings.monthly_discount_rate;
        discounted += (cumulative - previous) * discount;
        previous = cumulative;
    }
    Ok(OutlookIfAlive { expected_purchases: previous, discounted_purchases: discounted })
}

fn combine(
    outlook: OutlookIfAlive,
    probability_alive: f64,
    expected_spend: f64,
    settings: &ClvSettings,
) -> CustomerValue {
    let discounted_purchases = probability_alive * outlook.discounted_purchases;
    CustomerValue {
        expected_purchases: probability_alive * outlook.expected_purchases,
        expected_spend,
        probability_alive,
        discounted_purchases,
        value: discounted_purchases * expected_spend * settings.margin,
    }
}

/// The value of one customer.
pub fn customer_value(
    purchases: &BgNbd,
    spend: &GammaGamma,
    purchase_history: &PurchaseHistory,
    spend_history: &SpendHistory,
    settings: &ClvSettings,
) -> Result<CustomerValue, ValueError> {
    settings.validate()?;
    let probability_alive = purchases.probability_alive(purchase_history)?;
    let outlook = outlook_if_alive(purchases, purchase_history.frequency, purchase_history.age, settings)?;
    Ok(combine(outlook, probability_alive, spend.conditional_expected_spend(spend_history)?, settings))
}

/// The values of many customers, in the order given. Customers with the same
/// x and T share one evaluation of the horizon's expected purchases (the
/// costly part: one ₂F₁ per month).
pub fn customer_values<C>(
    purchases: &BgNbd,
    spend: &GammaGamma,
    customers: &[CustomerSummary<C>],
    settings: &ClvSettings,
) -> Result<Vec<CustomerValue>, ValueError> {
    settings.validate()?;
    let key = |c: &CustomerSummary<C>| (c.frequency, (c.age + 0.0).to_bits());
    let mut order: Vec<usize> = (0..customers.len()).collect();
    order.sort_unstable_by_key(|&i| customers.get(i).map(key));
    let mut values = vec![None; customers.len()];
    let mut last: Option<((u32, u64), OutlookIfAlive)> = None;
    for index in order {
        let Some(customer) = customers.get(index) else { continue };
        let history = customer.purchase_history();
        let probability_alive =
            purchases.probability_alive(&history).map_err(|error| in_customer(index, error))?;
        let outlook = match last {
            Some((last_key, outlook)) if last_key == key(customer) => outlook,
            _ => {
                let outlook = outlook_if_alive(purchases, history.frequency, history.age, settings)
                    .map_err(|error| in_customer(index, error))?;
                last = Some((key(customer), outlook));
                outlook
            }
        };
        let expected_spend = spend
            .conditional_expected_spend(&customer.spend_history())
            .map_err(|error| in_customer(index, error))?;
        if let Some(slot) = values.get_mut(index) {
            *slot = Some(combine(outlook, probability_alive, expected_spend, settings));
        }
    }
    Ok(values.into_iter().flatten().collect())
}

/// Re-labels a per-customer validation error with the customer's position.
fn in_customer(index: usize, error: ValueError) -> ValueError {
    match error {
        ValueError::InvalidHistory { reason, .. } => ValueError::InvalidHistory { index, reason },
        other => other,
    }
}
