//! The cost-to-serve rate model: how many support contacts (per channel) and
//! returns a customer is expected to cause per purchase.
//!
//! Each customer i has an unobserved rate λᵢ of events (contacts on one
//! channel, or returns) per purchase occasion; across customers
//! λ ~ Gamma(s, β), and given λᵢ the customer's count over nᵢ purchase
//! occasions is Poisson(λᵢ nᵢ). The posterior mean of λᵢ is then
//!
//! ```text
//!   E[λᵢ | cᵢ, nᵢ] = (cᵢ + k·ρ) / (nᵢ + k),   ρ = s/β (population rate), k = β
//! ```
//!
//! — the customer's own rate shrunk toward the population rate, with k acting
//! as "k purchases' worth" of prior evidence: a one-order customer who
//! called once is not assumed to call on every future order, while a
//! twenty-order customer's own history dominates. ρ and k are estimated by
//! the method of moments (empirical Bayes): ρ = Σc / Σn, and the variance of
//! λ across customers from the exposure-weighted spread of the raw rates,
//! σ² = (Σ nᵢ (cᵢ/nᵢ − ρ)² − N ρ) / Σ nᵢ, giving k = ρ / σ². When the data
//! show no spread beyond Poisson noise (σ² ≤ 0) everyone gets (nearly) the
//! population rate: k is capped at [`MAX_PRIOR_PURCHASES`], so a customer
//! with more contacts than another with the same purchases always has a
//! higher rate, never an equal one.

use serde::{Deserialize, Serialize};

/// Upper bound on k: the prior never outweighs this many purchases.
pub const MAX_PRIOR_PURCHASES: f64 = 100.0;
/// Lower bound on k, so a rate is always defined.
pub const MIN_PRIOR_PURCHASES: f64 = 0.1;

/// The fitted prior of one kind of event per purchase occasion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatePrior {
    /// ρ: events per purchase occasion over all customers.
    pub population_rate: f64,
    /// k: how many purchase occasions of evidence the prior is worth.
    pub prior_purchases: f64,
}

impl RatePrior {
    /// Method-of-moments fit over customers' (events, purchase occasions);
    /// customers with no purchase occasions are skipped.
    pub fn fit(counts: impl IntoIterator<Item = (u32, u32)> + Clone) -> Self {
        let (mut events, mut exposure, mut customers) = (0.0, 0.0, 0.0);
        for (c, n) in counts.clone() {
            if n > 0 {
                events += f64::from(c);
                exposure += f64::from(n);
                customers += 1.0;
            }
        }
        if exposure == 0.0 || events == 0.0 {
            return Self { population_rate: 0.0, prior_purchases: MAX_PRIOR_PURCHASES };
        }
        let rate = events / exposure;
        let spread: f64 = counts
            .into_iter()
            .filter(|&(_, n)| n > 0)
            .map(|(c, n)| {
                let n = f64::from(n);
                n * (f64::from(c) / n - rate).powi(2)
            })
            .sum();
        let variance = (spread - customers * rate) / exposure;
        let prior_purchases = if variance > 0.0 { rate / variance } else { MAX_PRIOR_PURCHASES };
        Self {
            population_rate: rate,
            prior_purchases: prior_purchases.clamp(MIN_PRIOR_PURCHASES, MAX_PRIOR_PURCHASES),
        }
    }

    /// E[rate | `events` over `purchases` occasions].
    pub fn rate(&self, events: u32, purchases: u32) -> f64 {
        (f64::from(events) + self.prior_purchases * self.population_rate)
            / (f64::from(purchases) + self.prior_purchases)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn rates_shrink_toward_the_population_and_grow_with_events() {
        let customers = [(0, 1), (0, 1), (1, 1), (0, 2), (3, 3), (0, 5), (2, 10), (0, 1)];
        let prior = RatePrior::fit(customers);
        assert!((prior.population_rate - 6.0 / 24.0).abs() < 1e-12);
        let one_call_one_order = prior.rate(1, 1);
        assert!(one_call_one_order < 1.0 && one_call_one_order > prior.population_rate);
        assert!(prior.rate(0, 1) < prior.population_rate);
        assert!(prior.rate(2, 4) > prior.rate(1, 4));
        // More evidence moves the rate further from the prior.
        assert!((prior.rate(10, 10) - 1.0).abs() < (one_call_one_order - 1.0).abs());
    }

    #[test]
    fn no_spread_beyond_noise_gives_the_population_rate_but_stays_monotone() {
        let prior = RatePrior::fit([(1, 4), (1, 4), (1, 4), (1, 4)]);
        assert_eq!(prior.prior_purchases, MAX_PRIOR_PURCHASES);
        assert!(prior.rate(2, 4) > prior.rate(1, 4));
    }

    #[test]
    fn no_events_means_a_zero_rate() {
        let prior = RatePrior::fit([(0, 3), (0, 1)]);
        assert_eq!(prior.rate(0, 3), 0.0);
        assert_eq!(RatePrior::fit(std::iter::empty::<(u32, u32)>()).rate(0, 1), 0.0);
    }
}
