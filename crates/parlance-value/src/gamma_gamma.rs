//! The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The
//! Gamma-Gamma Model of Monetary Value", note; after Colombo & Jiang 1999).
//!
//! A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ)
//! across customers, independent of the purchase process. For a customer
//! with x transactions of average value m̄:
//!
//! - likelihood (note, eq. 4):
//!   f(m̄ | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q xᵖˣ m̄^(px−1) / (γ + x m̄)^(px+q);
//! - conditional expected spend per transaction (eq. 5):
//!   E[M | p, q, γ, m̄, x] = p (γ + x m̄) / (px + q − 1),
//!   a weighted average of the population mean pγ/(q−1) and m̄.

use std::ops::Range;

use crate::error::{ValueError, require_positive};
use crate::optimise::{FitOptions, Objective, minimise};
use crate::rfm::SpendHistory;
use crate::special::{digamma, ln_gamma};

const MODEL: &str = "Gamma-Gamma";

/// Gamma-Gamma parameters p, q, γ; all finite and positive, and q > 1 so
/// that the population mean spend exists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaGamma {
    p: f64,
    q: f64,
    gamma: f64,
}

/// The result of [`GammaGamma::fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct GammaGammaFit {
    /// The maximum-likelihood parameters.
    pub model: GammaGamma,
    /// The log-likelihood at the maximum over the customers used.
    pub log_likelihood: f64,
    /// Customers used: those with at least one repeat purchase of positive
    /// value.
    pub customers: usize,
    /// Optimiser iterations used.
    pub iterations: u64,
}

impl GammaGamma {
    /// Parameters p (shape of transaction values), q (shape) and γ (rate)
    /// of the distribution of the per-customer scale ν.
    pub fn new(p: f64, q: f64, gamma: f64) -> Result<Self, ValueError> {
        let p = require_positive("p", p)?;
        let q = require_positive("q", q)?;
        let gamma = require_positive("gamma", gamma)?;
        if q <= 1.0 {
            return Err(ValueError::SpendMeanUndefined { q });
        }
        Ok(Self { p, q, gamma })
    }

    /// Shape of each customer's transaction-value distribution.
    pub fn p(&self) -> f64 {
        self.p
    }
    /// Shape of the distribution of the customers' scale ν.
    pub fn q(&self) -> f64 {
        self.q
    }
    /// Rate of the distribution of the customers' scale ν (in money).
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// Maximum-likelihood fit on the customers with `purchases > 0`; others
    /// are skipped (they carry no information about spend).
    ///
    /// Errors: no customers; no usable customer ([`ValueError::NoRepeatBuyers`]);
    /// a usable customer with a non-positive or non-finite average; the
    /// optimiser failing; or a fit with q ≤ 1.
    pub fn fit(spends: &[SpendHistory], options: &FitOptions) -> Result<GammaGammaFit, ValueError> {
        if spends.is_empty() {
            return Err(ValueError::NoCustomers { model: MODEL });
        }
        let data = GroupedSpends::new(spends)?;
        if data.total_weight == 0.0 {
            return Err(ValueError::NoRepeatBuyers { customers: spends.len() });
        }
        // Start at p = 1, q = 2 and γ equal to the mean average spend, so the
        // population mean pγ/(q−1) matches the data.
        let start = vec![0.0, 2.0_f64.ln(), data.mean_spend.ln()];
        let minimum = minimise(MODEL, &data, start, options)?;
        let [p, q, gamma] = [0, 1, 2].map(|i| minimum.log_params.get(i).copied().unwrap_or(f64::NAN).exp());
        let model = GammaGamma::new(p, q, gamma).map_err(|error| match error {
            ValueError::SpendMeanUndefined { .. } => error,
            other => ValueError::OptimiserFailed {
                model: MODEL,
                message: format!("ended at invalid parameters: {other}"),
            },
        })?;
        Ok(GammaGammaFit {
            model,
            log_likelihood: -minimum.value * data.total_weight,
            customers: data.total_weight as usize,
            iterations: minimum.iterations,
        })
    }

    /// The log-likelihood of the customers with `purchases > 0`.
    pub fn log_likelihood(&self, spends: &[SpendHistory]) -> Result<f64, ValueError> {
        let data = GroupedSpends::new(spends)?;
        let log_params = [self.p.ln(), self.q.ln(), self.gamma.ln()];
        Ok(-data.evaluate(&log_params, &mut [0.0; 3]) * data.total_weight)
    }

    /// The population mean spend per transaction, pγ/(q−1): the expected
    /// spend of a customer about whom nothing is known.
    pub fn population_mean_spend(&self) -> f64 {
        self.p * self.gamma / (self.q - 1.0)
    }

    /// E[spend per transaction | history]. A customer without repeat
    /// purchases of positive value gets the population mean.
    pub fn conditional_expected_spend(&self, spend: &SpendHistory) -> Result<f64, ValueError> {
        if spend.purchases == 0 {
            return Ok(self.population_mean_spend());
        }
        validate_spend(0, spend)?;
        let x = f64::from(spend.purchases);
        Ok(self.p * (self.gamma + x * spend.average_spend) / (self.p * x + self.q - 1.0))
    }
}

fn validate_spend(index: usize, spend: &SpendHistory) -> Result<(), ValueError> {
    let average = spend.average_spend;
    if spend.purchases > 0 && !(average.is_finite() && average > 0.0) {
        return Err(ValueError::invalid_history(
            index,
            format!("average spend {average} over {} purchases must be finite and > 0", spend.purchases),
        ));
    }
    Ok(())
}

/// Usable customers sorted by x, with per-row ln m̄ precomputed, so each
/// evaluation costs one logarithm per customer plus ln Γ / ψ per distinct x.
#[derive(Debug)]
struct GroupedSpends {
    blocks: Vec<PurchasesBlock>,
    average_spend: Vec<f64>,
    total_weight: f64,
    mean_spend: f64,
}

#[derive(Debug)]
struct PurchasesBlock {
    purchases: f64,
    rows: Range<usize>,
    weight: f64,
    /// Σ ln m̄ over the block.
    sum_ln_spend: f64,
}

impl GroupedSpends {
    fn new(spends: &[SpendHistory]) -> Result<Self, ValueError> {
        let mut usable = Vec::with_capacity(spends.len());
        for (index, spend) in spends.iter().enumerate() {
            validate_spend(index, spend)?;
            if spend.purchases > 0 {
                usable.push((spend.purchases, spend.average_spend));
            }
        }
        usable.sort_unstable_by_key(|&(purchases, _)| purchases);
        let mut data = Self {
            blocks: Vec::new(),
            average_spend: Vec::with_capacity(usable.len()),
            total_weight: 0.0,
            mean_spend: 0.0,
        };
        for same_purchases in usable.chunk_by(|x, y| x.0 == y.0) {
            let Some(&(purchases, _)) = same_purchases.first() else { continue };
            let start = data.average_spend.len();
            data.average_spend.extend(same_purchases.iter().map(|&(_, m)| m));
            data.blocks.push(PurchasesBlock {
                purchases: f64::from(purchases),
                rows: start..data.average_spend.len(),
                weight: same_purchases.len() as f64,
                sum_ln_spend: same_purchases.iter().map(|&(_, m)| m.ln()).sum(),
            });
        }
        data.total_weight = data.average_spend.len() as f64;
        data.mean_spend = data.average_spend.iter().sum::<f64>() / data.total_weight.max(1.0);
        Ok(data)
    }
}

impl Objective for GroupedSpends {
    /// Mean negative log-likelihood over log(p, q, γ) and its gradient.
    fn evaluate(&self, log_params: &[f64], gradient: &mut [f64]) -> f64 {
        let [p, q, gamma] = [0, 1, 2].map(|i| log_params.get(i).copied().unwrap_or(f64::NAN).exp());
        let (ln_gamma_q, digamma_q, ln_gamma_rate) = (ln_gamma(q), digamma(q), gamma.ln());
        let (mut ll, mut d_p, mut d_q, mut d_gamma) = (0.0, 0.0, 0.0, 0.0);
        for block in &self.blocks {
            let x = block.purchases;
            let px = p * x;
            let (ln_x, weight) = (x.ln(), block.weight);
            let (sum_ln_total, sum_inverse_total) =
                self.average_spend[block.rows.clone()].iter().fold((0.0, 0.0), |(ln_sum, inv_sum), &m| {
                    let total = gamma + x * m;
                    (ln_sum + total.ln(), inv_sum + 1.0 / total)
                });
            let digamma_pxq = digamma(px + q);
            ll += weight * (ln_gamma(px + q) - ln_gamma(px) - ln_gamma_q + q * ln_gamma_rate + px * ln_x)
                + (px - 1.0) * block.sum_ln_spend
                - (px + q) * sum_ln_total;
            d_p += x * (weight * (digamma_pxq - digamma(px) + ln_x) + block.sum_ln_spend - sum_ln_total);
            d_q += weight * (digamma_pxq - digamma_q + ln_gamma_rate) - sum_ln_total;
            d_gamma += weight * q / gamma - (px + q) * sum_inverse_total;
        }
        let scale = -1.0 / self.total_weight;
        for (g, (param, derivative)) in gradient.iter_mut().zip([(p, d_p), (q, d_q), (gamma, d_gamma)]) {
            *g = scale * param * derivative;
        }
        scale * ll
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn spend(purchases: u32, average_spend: f64) -> SpendHistory {
        SpendHistory { purchases, average_spend }
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let data = GroupedSpends::new(&[
            spend(1, 10.0),
            spend(1, 30.0),
            spend(3, 22.5),
            spend(0, 0.0),
            spend(8, 41.0),
        ])
        .unwrap();
        let at = [6.0_f64.ln(), 3.7_f64.ln(), 15.0_f64.ln()];
        let mut gradient = [0.0; 3];
        data.evaluate(&at, &mut gradient);
        for i in 0..3 {
            let h = 1e-6;
            let (mut up, mut down) = (at, at);
            up[i] += h;
            down[i] -= h;
            let numeric =
                (data.evaluate(&up, &mut [0.0; 3]) - data.evaluate(&down, &mut [0.0; 3])) / (2.0 * h);
            assert!((numeric - gradient[i]).abs() < 1e-7, "parameter {i}: {numeric} vs {}", gradient[i]);
        }
    }

    #[test]
    fn expected_spend_shrinks_towards_the_population_mean() {
        let model = GammaGamma::new(6.25, 3.74, 15.44).unwrap();
        let population = model.population_mean_spend();
        assert!((population - 6.25 * 15.44 / 2.74).abs() < 1e-12);
        assert_eq!(model.conditional_expected_spend(&spend(0, 0.0)).unwrap(), population);
        let one = model.conditional_expected_spend(&spend(1, 100.0)).unwrap();
        let many = model.conditional_expected_spend(&spend(50, 100.0)).unwrap();
        assert!(population < one && one < many && many < 100.0);
    }

    #[test]
    fn q_at_most_one_is_rejected() {
        assert!(matches!(GammaGamma::new(1.0, 1.0, 1.0), Err(ValueError::SpendMeanUndefined { .. })));
    }
}
