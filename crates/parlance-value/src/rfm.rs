//! RFM summaries (frequency, recency, age T, monetary value) from raw
//! transactions, following the conventions of `lifetimes`'
//! `summary_data_from_transaction_data` with `freq="D"` (and
//! `freq_multiplier=7` for weeks).

use time::Date;

use crate::error::ValueError;

/// The unit in which recency and age (T) are expressed, and therefore the
/// unit of the BG/NBD α parameter and of prediction horizons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeUnit {
    /// Calendar days.
    Days,
    /// Weeks of seven days (the unit of the CDNOW papers).
    #[default]
    Weeks,
}

impl TimeUnit {
    /// Length of one unit in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
        }
    }

    /// Units per month as `lifetimes`' `customer_lifetime_value` counts them:
    /// 30 days, or 4.345 weeks.
    pub fn periods_per_month(self) -> f64 {
        match self {
            TimeUnit::Days => 30.0,
            TimeUnit::Weeks => 4.345,
        }
    }
}

/// One purchase (or refund, with a negative amount) by one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction<C> {
    /// Who bought.
    pub customer: C,
    /// On which day. Times of day are irrelevant: purchases on the same day
    /// are one purchase occasion.
    pub date: Date,
    /// Money, in any one currency; negative for refunds.
    pub amount: f64,
}

/// What BG/NBD needs to know about one customer: x, tₓ and T.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PurchaseHistory {
    /// x: the number of repeat purchase days (purchase days after the first).
    pub frequency: u32,
    /// tₓ: time from the first to the last purchase day (0 when x = 0).
    pub recency: f64,
    /// T: time from the first purchase day to the end of observation.
    pub age: f64,
}

/// What Gamma-Gamma needs to know about one customer: how many repeat
/// purchases the average spend is over, and that average.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SpendHistory {
    /// Number of repeat purchase days with a positive net amount.
    pub purchases: u32,
    /// Mean net amount of those days (0 when `purchases` is 0).
    pub average_spend: f64,
}

/// The RFM summary of one customer at an observation end date.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerSummary<C> {
    /// The customer.
    pub customer: C,
    /// First purchase day (on or before the observation end).
    pub first_purchase: Date,
    /// Last purchase day on or before the observation end.
    pub last_purchase: Date,
    /// x: number of repeat purchase days.
    pub frequency: u32,
    /// tₓ: time from first to last purchase day, in the summary's unit.
    pub recency: f64,
    /// T: time from first purchase day to the observation end, in the
    /// summary's unit.
    pub age: f64,
    /// Mean net amount of the repeat purchase days whose net amount is
    /// positive; 0 if there are none. The first purchase day is excluded, as
    /// in `lifetimes` and Fader & Hardie's Gamma-Gamma note.
    pub monetary_value: f64,
    /// How many repeat purchase days `monetary_value` averages over (≤
    /// `frequency`; smaller when some repeat days net to zero or less).
    pub monetary_days: u32,
}

impl<C> CustomerSummary<C> {
    /// The (x, tₓ, T) triple for BG/NBD.
    pub fn purchase_history(&self) -> PurchaseHistory {
        PurchaseHistory { frequency: self.frequency, recency: self.recency, age: self.age }
    }

    /// The (number of transactions, average spend) pair for Gamma-Gamma.
    pub fn spend_history(&self) -> SpendHistory {
        SpendHistory { purchases: self.monetary_days, average_spend: self.monetary_value }
    }
}

/// Summarises transactions into one [`CustomerSummary`] per customer, sorted
/// by customer.
///
/// - Transactions dated after `observation_end` are ignored; a customer whose
///   first purchase is after it does not appear.
/// - All transactions of a customer on one day are one purchase occasion;
///   their amounts are summed into a net day amount.
/// - Every purchase day counts towards frequency and recency, whatever its
///   net amount (zero-value orders and refund days are still contact with the
///   customer, as in `lifetimes`).
/// - The monetary value averages only repeat days with a positive net amount.
///
/// Errors if an amount is NaN or infinite.
pub fn summarize_transactions<C: Ord + Clone>(
    transactions: &[Transaction<C>],
    observation_end: Date,
    unit: TimeUnit,
) -> Result<Vec<CustomerSummary<C>>, ValueError> {
    let mut in_period: Vec<&Transaction<C>> = Vec::with_capacity(transactions.len());
    for (index, transaction) in transactions.iter().enumerate() {
        if !transaction.amount.is_finite() {
            return Err(ValueError::NonFiniteAmount { index, amount: transaction.amount });
        }
        if transaction.date <= observation_end {
            in_period.push(transaction);
        }
    }
    let by_customer_and_date =
        |x: &&Transaction<C>, y: &&Transaction<C>| x.customer.cmp(&y.customer).then(x.date.cmp(&y.date));
    if !in_period.is_sorted_by(|x, y| by_customer_and_date(x, y).is_le()) {
        in_period.sort_unstable_by(by_customer_and_date);
    }

    let unit_days = unit.days();
    let mut summaries = Vec::new();
    for customer_transactions in in_period.chunk_by(|x, y| x.customer == y.customer) {
        let mut days = customer_transactions.chunk_by(|x, y| x.date == y.date);
        let Some(&first) = days.next().and_then(<[_]>::first) else { continue };
        let mut last_purchase = first.date;
        let mut frequency = 0_u32;
        let mut monetary_total = 0.0;
        let mut monetary_days = 0_u32;
        for day in days {
            let Some(transaction) = day.first() else { continue };
            frequency += 1;
            last_purchase = transaction.date;
            let net: f64 = day.iter().map(|t| t.amount).sum();
            if net > 0.0 {
                monetary_total += net;
                monetary_days += 1;
            }
        }
        let elapsed = |from: Date, to: Date| (to - from).whole_days() as f64 / unit_days;
        summaries.push(CustomerSummary {
            customer: first.customer.clone(),
            first_purchase: first.date,
            last_purchase,
            frequency,
            recency: elapsed(first.date, last_purchase),
            age: elapsed(first.date, observation_end),
            monetary_value: if monetary_days > 0 { monetary_total / f64::from(monetary_days) } else { 0.0 },
            monetary_days,
        });
    }
    Ok(summaries)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use time::macros::date;

    fn purchase(customer: u32, date: Date, amount: f64) -> Transaction<u32> {
        Transaction { customer, date, amount }
    }

    #[test]
    fn same_day_purchases_collapse_and_first_day_is_excluded_from_monetary_value() {
        let transactions = vec![
            purchase(1, date!(2024 - 01 - 01), 10.0),
            purchase(1, date!(2024 - 01 - 08), 5.0),
            purchase(1, date!(2024 - 01 - 08), 7.0),
            purchase(1, date!(2024 - 01 - 15), 20.0),
            purchase(1, date!(2024 - 03 - 01), 99.0), // after the observation end
        ];
        let summary = summarize_transactions(&transactions, date!(2024 - 01 - 29), TimeUnit::Weeks).unwrap();
        assert_eq!(summary.len(), 1);
        let customer = &summary[0];
        assert_eq!(customer.frequency, 2);
        assert_eq!(customer.recency, 2.0);
        assert_eq!(customer.age, 4.0);
        assert_eq!(customer.monetary_value, 16.0);
        assert_eq!(customer.monetary_days, 2);
        assert_eq!(customer.last_purchase, date!(2024 - 01 - 15));
    }

    #[test]
    fn unsorted_input_gives_sorted_output() {
        let transactions = vec![
            purchase(2, date!(2024 - 01 - 05), 1.0),
            purchase(1, date!(2024 - 01 - 03), 1.0),
            purchase(2, date!(2024 - 01 - 01), 1.0),
        ];
        let summary = summarize_transactions(&transactions, date!(2024 - 01 - 10), TimeUnit::Days).unwrap();
        let customers: Vec<u32> = summary.iter().map(|s| s.customer).collect();
        assert_eq!(customers, [1, 2]);
        assert_eq!(summary[1].frequency, 1);
        assert_eq!(summary[1].recency, 4.0);
        assert_eq!(summary[1].age, 9.0);
    }

    #[test]
    fn non_finite_amount_is_an_error() {
        let transactions = vec![purchase(1, date!(2024 - 01 - 01), f64::NAN)];
        let error = summarize_transactions(&transactions, date!(2024 - 01 - 10), TimeUnit::Days).unwrap_err();
        assert!(matches!(error, ValueError::NonFiniteAmount { index: 0, .. }));
    }
}
