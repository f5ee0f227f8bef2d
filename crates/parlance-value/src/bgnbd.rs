//! The BG/NBD model of purchase counts (Fader, Hardie & Lee 2005, "Counting
//! your customers the easy way", Marketing Science 24(2)).
//!
//! While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α);
//! after each purchase they drop out with probability p ~ Beta(a, b).
//!
//! Formulas (equation numbers from the paper):
//!
//! - Likelihood of one customer (eq. 6), evaluated in log space:
//!   L = B(a, b+x)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+T)^(r+x))
//!     + δ(x>0) · B(a+1, b+x−1)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+tₓ)^(r+x)).
//! - E[X(t)] (eq. 9) and E[Y(t) | x, tₓ, T] (eq. 10). Eq. 10's
//!   (1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)) with
//!   z = t/(α+T+t) is rewritten with Euler's and Pfaff's transformations as
//!   1 − (1+t/(α+T))^(1−a) ₂F₁(a+b−1−r, a−1; a+b+x−1; z), whose series has a
//!   small second parameter and converges at z = 1 whenever x+r+1−a > 0
//!   (instead of diverging like (1−z)^(a−1−r−x)).
//! - P(alive | x, tₓ, T) = 1 / (1 + δ(x>0) a/(b+x−1) ((α+T)/(α+tₓ))^(r+x)).

use std::ops::Range;

use crate::error::{ValueError, require_non_negative, require_positive};
use crate::optimise::{FitOptions, Objective, minimise};
use crate::rfm::PurchaseHistory;
use crate::special::{digamma, hyp2f1, ln_gamma};

const MODEL: &str = "BG/NBD";

/// Size of the subsample that finds a starting point for large fits.
const WARM_START_HISTORIES: usize = 10_000;

/// Fitted (or given) BG/NBD parameters. All four are finite and positive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgNbd {
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
}

/// The result of [`BgNbd::fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct BgNbdFit {
    /// The maximum-likelihood parameters.
    pub model: BgNbd,
    /// The log-likelihood at the maximum (natural log, full constants).
    pub log_likelihood: f64,
    /// Number of customers fitted.
    pub customers: usize,
    /// Number of distinct (x, tₓ, T) triples the likelihood was evaluated
    /// over (identical customers are weighted, not repeated).
    pub distinct_histories: usize,
    /// Optimiser iterations used.
    pub iterations: u64,
}

impl BgNbd {
    /// Parameters r, α (in the time unit of the data), a and b.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self, ValueError> {
        Ok(Self {
            r: require_positive("r", r)?,
            alpha: require_positive("alpha", alpha)?,
            a: require_positive("a", a)?,
            b: require_positive("b", b)?,
        })
    }

    /// Shape of the Gamma distribution of purchase rates.
    pub fn r(&self) -> f64 {
        self.r
    }
    /// Rate (inverse scale) of the Gamma distribution of purchase rates, in
    /// the data's time unit.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// First shape of the Beta distribution of dropout probabilities.
    pub fn a(&self) -> f64 {
        self.a
    }
    /// Second shape of the Beta distribution of dropout probabilities.
    pub fn b(&self) -> f64 {
        self.b
    }

    /// Maximum-likelihood fit to customers' (x, tₓ, T).
    ///
    /// Errors: no customers; every T = 0; nobody with a repeat purchase (the
    /// parameters are not identified); an impossible history; or the
    /// optimiser failing to converge.
    pub fn fit(histories: &[PurchaseHistory], options: &FitOptions) -> Result<BgNbdFit, ValueError> {
        let data = GroupedHistories::new(histories)?;
        if histories.is_empty() {
            return Err(ValueError::NoCustomers { model: MODEL });
        }
        if data.total_age <= 0.0 {
            return Err(ValueError::NoObservationTime { customers: histories.len() });
        }
        if data.total_frequency <= 0.0 {
            return Err(ValueError::NoRepeatPurchases { customers: histories.len() });
        }
        // Start at r = 1, a = 1, b = 1 with α matching the mean purchase rate
        // r/α to Σx / ΣT.
        let alpha_start = (data.total_age / data.total_frequency).clamp(1e-6, 1e6);
        let mut start = vec![0.0, alpha_start.ln(), 0.0, 0.0];
        // With many distinct histories, most iterations are spent getting
        // near the maximum: do that on a subsample, then finish on all.
        if data.distinct_histories() > 2 * WARM_START_HISTORIES {
            let sample = GroupedHistories::subsample(histories, histories.len() / WARM_START_HISTORIES)?;
            if sample.total_frequency > 0.0
                && sample.total_age > 0.0
                && let Ok(rough) = minimise(MODEL, &sample, start.clone(), options)
            {
                start = rough.log_params;
            }
        }
        let minimum = minimise(MODEL, &data, start, options)?;
        let [r, alpha, a, b] =
            [0, 1, 2, 3].map(|i| minimum.log_params.get(i).copied().unwrap_or(f64::NAN).exp());
        let model = BgNbd::new(r, alpha, a, b).map_err(|error| ValueError::OptimiserFailed {
            model: MODEL,
            message: format!("ended at invalid parameters: {error}"),
        })?;
        Ok(BgNbdFit {
            model,
            log_likelihood: -minimum.value * data.total_weight,
            customers: histories.len(),
            distinct_histories: data.distinct_histories(),
            iterations: minimum.iterations,
        })
    }

    /// The log-likelihood of these customers under this model.
    pub fn log_likelihood(&self, histories: &[PurchaseHistory]) -> Result<f64, ValueError> {
        let data = GroupedHistories::new(histories)?;
        let mut gradient = [0.0; 4];
        let log_params = [self.r.ln(), self.alpha.ln(), self.a.ln(), self.b.ln()];
        Ok(-data.evaluate(&log_params, &mut gradient) * data.total_weight)
    }

    /// P(alive at T | x, tₓ, T). Always 1 for a customer without repeat
    /// purchases (in BG/NBD dropout happens only right after a purchase).
    pub fn probability_alive(&self, history: &PurchaseHistory) -> Result<f64, ValueError> {
        validate_history(0, history)?;
        Ok(1.0 / self.alive_denominator(history))
    }

    /// 1 + δ(x>0) a/(b+x−1) ((α+T)/(α+tₓ))^(r+x); overflows to +∞ (P(alive)
    /// = 0), never to NaN, for valid histories.
    pub(crate) fn alive_denominator(&self, history: &PurchaseHistory) -> f64 {
        if history.frequency == 0 {
            return 1.0;
        }
        let x = f64::from(history.frequency);
        let log_odds = self.a.ln() - (self.b + x - 1.0).ln()
            + (self.r + x) * ((self.alpha + history.age).ln() - (self.alpha + history.recency).ln());
        1.0 + log_odds.exp()
    }

    /// E[X(t)]: expected purchases in the first `t` time units of a new
    /// customer's life (the first purchase not counted).
    pub fn expected_purchases(&self, t: f64) -> Result<f64, ValueError> {
        self.conditional_expected_purchases(t, &PurchaseHistory::default())
    }

    /// E[Y(t) | x, tₓ, T]: expected purchases in the `t` time units after the
    /// end of observation, for a customer with this history.
    pub fn conditional_expected_purchases(
        &self,
        t: f64,
        history: &PurchaseHistory,
    ) -> Result<f64, ValueError> {
        require_non_negative("t", t)?;
        validate_history(0, history)?;
        Ok(self.expected_purchases_if_alive(t, history.frequency, history.age)?
            / self.alive_denominator(history))
    }

    /// E[Y(t) | alive at T, x, T] = E[Y(t) | x, tₓ, T] / P(alive | x, tₓ, T):
    /// the numerator of eq. 10, which does not depend on tₓ. Arguments are
    /// assumed valid.
    pub(crate) fn expected_purchases_if_alive(
        &self,
        t: f64,
        frequency: u32,
        age: f64,
    ) -> Result<f64, ValueError> {
        if t == 0.0 {
            return Ok(0.0);
        }
        // Eq. 10 has a removable singularity at a = 1: average the two sides.
        const NEAR_ONE: f64 = 1e-7;
        const STEP: f64 = 1e-5;
        if (self.a - 1.0).abs() < NEAR_ONE {
            let below = self.if_alive_at(1.0 - STEP, t, frequency, age)?;
            let above = self.if_alive_at(1.0 + STEP, t, frequency, age)?;
            return Ok(0.5 * (below + above));
        }
        self.if_alive_at(self.a, t, frequency, age)
    }

    fn if_alive_at(&self, a: f64, t: f64, frequency: u32, age: f64) -> Result<f64, ValueError> {
        let Self { r, alpha, b, .. } = *self;
        let x = f64::from(frequency);
        let observed = alpha + age;
        let z = t / (observed + t);
        let remaining =
            (1.0 + t / observed).powf(1.0 - a) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)?;
        Ok((a + b + x - 1.0) / (a - 1.0) * (1.0 - remaining))
    }
}

/// Checks that a history is possible: finite, 0 ≤ tₓ ≤ T, tₓ = 0 when x = 0.
pub(crate) fn validate_history(index: usize, history: &PurchaseHistory) -> Result<(), ValueError> {
    let PurchaseHistory { frequency, recency, age } = *history;
    if !(recency.is_finite() && age.is_finite()) {
        return Err(ValueError::invalid_history(
            index,
            format!("recency {recency} and age {age} must be finite"),
        ));
    }
    if !(0.0 <= recency && recency <= age) {
        return Err(ValueError::invalid_history(
            index,
            format!("recency {recency} must lie between 0 and the age {age}"),
        ));
    }
    if frequency == 0 && recency != 0.0 {
        return Err(ValueError::invalid_history(
            index,
            format!("recency {recency} must be 0 for a customer without repeat purchases"),
        ));
    }
    Ok(())
}

/// Customers' histories with identical (x, tₓ, T) merged into weighted rows,
/// sorted by x so that everything depending on x alone (ln Γ, ψ) is computed
/// once per distinct x per evaluation. Rows refer to tₓ and T through indices
/// into one table of distinct times, so ln(α + time) and 1/(α + time) are
/// also computed once per distinct value (with daily data there are at most
/// a few thousand, however many customers there are).
#[derive(Debug)]
struct GroupedHistories {
    blocks: Vec<FrequencyBlock>,
    recency_index: Vec<u32>,
    age_index: Vec<u32>,
    weight: Vec<f64>,
    times: Vec<f64>,
    total_weight: f64,
    total_frequency: f64,
    total_age: f64,
}

#[derive(Debug)]
struct FrequencyBlock {
    frequency: f64,
    rows: Range<usize>,
    weight: f64,
}

/// Rows of weight one multiply (1 + e^(−|d|)) ∈ [1, 2] into a running product
/// and take its logarithm once per this many rows (2^512 is far from
/// overflow), instead of calling `ln_1p` per row.
const ROWS_PER_LOGARITHM: u32 = 512;

impl GroupedHistories {
    fn new(histories: &[PurchaseHistory]) -> Result<Self, ValueError> {
        let mut keys = Vec::with_capacity(histories.len());
        let mut times = Vec::with_capacity(2 * histories.len());
        for (index, history) in histories.iter().enumerate() {
            validate_history(index, history)?;
            // `+ 0.0` turns -0.0 into 0.0 so that equal values have equal bits.
            let (recency, age) = ((history.recency + 0.0).to_bits(), (history.age + 0.0).to_bits());
            keys.push((history.frequency, recency, age));
            times.extend([recency, age]);
        }
        keys.sort_unstable();
        // Non-negative floats order like their bit patterns.
        times.sort_unstable();
        times.dedup();
        let index_of = |bits: u64| u32::try_from(times.partition_point(|&t| t < bits)).unwrap_or(u32::MAX);
        let mut data = Self {
            blocks: Vec::new(),
            recency_index: Vec::new(),
            age_index: Vec::new(),
            weight: Vec::new(),
            times: Vec::new(),
            total_weight: histories.len() as f64,
            total_frequency: 0.0,
            total_age: 0.0,
        };
        for same_history in keys.chunk_by(|x, y| x == y) {
            let Some(&(frequency, recency, age)) = same_history.first() else { continue };
            let weight = same_history.len() as f64;
            let frequency = f64::from(frequency);
            let row = data.weight.len();
            match data.blocks.last_mut() {
                Some(block) if block.frequency == frequency => {
                    block.rows.end = row + 1;
                    block.weight += weight;
                }
                _ => data.blocks.push(FrequencyBlock { frequency, rows: row..row + 1, weight }),
            }
            data.recency_index.push(index_of(recency));
            data.age_index.push(index_of(age));
            data.weight.push(weight);
            data.total_frequency += weight * frequency;
            data.total_age += weight * f64::from_bits(age);
        }
        data.times = times.into_iter().map(f64::from_bits).collect();
        Ok(data)
    }

    /// Every `stride`-th history, for a cheap first fit whose result starts
    /// the fit on all of them.
    fn subsample(histories: &[PurchaseHistory], stride: usize) -> Result<Self, ValueError> {
        let sample: Vec<PurchaseHistory> = histories.iter().step_by(stride.max(1)).copied().collect();
        Self::new(&sample)
    }

    fn distinct_histories(&self) -> usize {
        self.weight.len()
    }
}

impl Objective for GroupedHistories {
    /// Mean negative log-likelihood over log(r, α, a, b) and its gradient.
    fn evaluate(&self, log_params: &[f64], gradient: &mut [f64]) -> f64 {
        let [r, alpha, a, b] = [0, 1, 2, 3].map(|i| log_params.get(i).copied().unwrap_or(f64::NAN).exp());
        let ln_alpha = alpha.ln();
        let (ln_gamma_r, digamma_r) = (ln_gamma(r), digamma(r));
        let (ln_gamma_ab, digamma_ab) = (ln_gamma(a + b), digamma(a + b));
        let (ln_gamma_b, digamma_b) = (ln_gamma(b), digamma(b));
        let ln_a = a.ln();
        // ln(α + time) and 1/(α + time) for every distinct time.
        let ln_shifted: Vec<f64> = self.times.iter().map(|&time| (alpha + time).ln()).collect();
        let inverse_shifted: Vec<f64> = self.times.iter().map(|&time| 1.0 / (alpha + time)).collect();
        let lookup = |table: &[f64], index: u32| table.get(index as usize).copied().unwrap_or(f64::NAN);

        let (mut ll, mut d_r, mut d_alpha, mut d_a, mut d_b) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for block in &self.blocks {
            let rows = block.rows.clone();
            let (recency_index, age_index, weight) =
                (&self.recency_index[rows.clone()], &self.age_index[rows.clone()], &self.weight[rows]);
            let x = block.frequency;
            if x == 0.0 {
                // L = (α/(α+T))^r
                let (mut sum_log_ratio, mut sum_inverse) = (0.0, 0.0);
                for (&age, &w) in age_index.iter().zip(weight) {
                    sum_log_ratio += w * (ln_alpha - lookup(&ln_shifted, age));
                    sum_inverse += w * lookup(&inverse_shifted, age);
                }
                ll += r * sum_log_ratio;
                d_r += sum_log_ratio;
                d_alpha += r * (block.weight / alpha - sum_inverse);
                continue;
            }
            let n = r + x;
            let constant = ln_gamma(n) - ln_gamma_r + r * ln_alpha + ln_gamma_ab + ln_gamma(b + x)
                - ln_gamma_b
                - ln_gamma(a + b + x);
            let (digamma_n, digamma_abx) = (digamma(n), digamma(a + b + x));
            let b_x_1 = b + x - 1.0;
            let ln_odds_at_recency = ln_a - b_x_1.ln();
            ll += block.weight * constant;
            d_r += block.weight * (digamma_n - digamma_r + ln_alpha);
            d_alpha += block.weight * r / alpha;
            d_a += block.weight * (digamma_ab - digamma_abx);
            d_b += block.weight * (digamma_ab + digamma(b + x) - digamma_b - digamma_abx);

            // Per row: ln L = max(alive, dropped) + ln(1 + e^(−|dropped − alive|)),
            // with "alive" the log of the still-alive term and "dropped" the log
            // of the dropped-after-the-last-purchase term.
            let (mut sum_ll, mut sum_r, mut sum_alpha, mut sum_dropped) = (0.0, 0.0, 0.0, 0.0);
            let (mut product, mut in_product) = (1.0_f64, 0_u32);
            for ((&recency, &age), &w) in recency_index.iter().zip(age_index).zip(weight) {
                let (ln_at_age, ln_at_recency) = (lookup(&ln_shifted, age), lookup(&ln_shifted, recency));
                let alive = -n * ln_at_age;
                let dropped = ln_odds_at_recency - n * ln_at_recency;
                let difference = dropped - alive;
                let small = (-difference.abs()).exp();
                let inverse = 1.0 / (1.0 + small);
                let share_dropped = if difference >= 0.0 { inverse } else { small * inverse };
                let share_alive = 1.0 - share_dropped;
                sum_ll += w * (alive + difference.max(0.0));
                if w == 1.0 {
                    product *= 1.0 + small;
                    in_product += 1;
                    if in_product == ROWS_PER_LOGARITHM {
                        sum_ll += product.ln();
                        (product, in_product) = (1.0, 0);
                    }
                } else {
                    sum_ll += w * small.ln_1p();
                }
                sum_r += w * (share_alive * ln_at_age + share_dropped * ln_at_recency);
                sum_alpha += w
                    * (share_alive * lookup(&inverse_shifted, age)
                        + share_dropped * lookup(&inverse_shifted, recency));
                sum_dropped += w * share_dropped;
            }
            sum_ll += product.ln();
            ll += sum_ll;
            d_r -= sum_r;
            d_alpha -= n * sum_alpha;
            d_a += sum_dropped / a;
            d_b -= sum_dropped / b_x_1;
        }
        let scale = -1.0 / self.total_weight;
        for (g, (param, derivative)) in
            gradient.iter_mut().zip([(r, d_r), (alpha, d_alpha), (a, d_a), (b, d_b)])
        {
            *g = scale * param * derivative;
        }
        scale * ll
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn history(frequency: u32, recency: f64, age: f64) -> PurchaseHistory {
        PurchaseHistory { frequency, recency, age }
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let data = GroupedHistories::new(&[
            history(0, 0.0, 30.0),
            history(0, 0.0, 30.0),
            history(1, 3.0, 20.0),
            history(2, 18.0, 25.0),
            history(7, 35.0, 38.0),
            history(3, 0.5, 0.5),
        ])
        .unwrap();
        let at = [0.3_f64.ln(), 4.0_f64.ln(), 0.8_f64.ln(), 2.4_f64.ln()];
        let mut gradient = [0.0; 4];
        data.evaluate(&at, &mut gradient);
        for i in 0..4 {
            let h = 1e-6;
            let (mut up, mut down) = (at, at);
            up[i] += h;
            down[i] -= h;
            let numeric =
                (data.evaluate(&up, &mut [0.0; 4]) - data.evaluate(&down, &mut [0.0; 4])) / (2.0 * h);
            assert!((numeric - gradient[i]).abs() < 1e-7, "parameter {i}: {numeric} vs {}", gradient[i]);
        }
    }

    #[test]
    fn transformed_expectation_matches_the_papers_form() {
        // Eq. 10 evaluated literally with 2F1(r+x, b+x; a+b+x-1; z).
        let model = BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap();
        for (x, recency, age, t) in [(2, 30.43, 38.86, 39.0), (0, 0.0, 38.86, 52.0), (5, 10.0, 12.0, 10.0)] {
            let (r, alpha, a, b) = (model.r, model.alpha, model.a, model.b);
            let xf = f64::from(x);
            let z = t / (alpha + age + t);
            let literal_numerator = (a + b + xf - 1.0) / (a - 1.0)
                * (1.0
                    - ((alpha + age) / (alpha + age + t)).powf(r + xf)
                        * hyp2f1(r + xf, b + xf, a + b + xf - 1.0, z).unwrap());
            let literal_denominator = if x > 0 {
                1.0 + a / (b + xf - 1.0) * ((alpha + age) / (alpha + recency)).powf(r + xf)
            } else {
                1.0
            };
            let literal = literal_numerator / literal_denominator;
            let ours = model.conditional_expected_purchases(t, &history(x, recency, age)).unwrap();
            assert!((ours - literal).abs() < 1e-10 * literal.abs(), "{ours} vs {literal}");
        }
    }

    #[test]
    fn a_equal_to_one_is_continuous() {
        let h = history(3, 20.0, 30.0);
        let at_one =
            BgNbd::new(0.5, 5.0, 1.0, 2.0).unwrap().conditional_expected_purchases(26.0, &h).unwrap();
        let near =
            BgNbd::new(0.5, 5.0, 1.0 + 1e-4, 2.0).unwrap().conditional_expected_purchases(26.0, &h).unwrap();
        assert!(at_one.is_finite());
        assert!((at_one - near).abs() < 1e-3, "{at_one} vs {near}");
    }
}
