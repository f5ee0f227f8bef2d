//! Parameter recovery: simulate customers from known parameters, fit, and
//! check the estimates land near the truth, for several seeds.
//!
//! Tolerances are relative errors of about three standard errors at the
//! simulated sample sizes (measured over twelve seeds), so a failure means a
//! biased fit, not bad luck.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use parlance_value::{BgNbd, FitOptions, GammaGamma, PurchaseHistory, SpendHistory};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};

const SEEDS: [u64; 4] = [1, 2, 3, 4];

/// Draws customers' (x, tₓ, T) from BG/NBD with the given parameters; each
/// customer is observed for T ~ Uniform(min_age, max_age).
pub fn simulate_bgnbd(
    truth: (f64, f64, f64, f64),
    customers: usize,
    (min_age, max_age): (f64, f64),
    seed: u64,
) -> Vec<PurchaseHistory> {
    let (r, alpha, a, b) = truth;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rates = Gamma::new(r, 1.0 / alpha).unwrap();
    let dropouts = Beta::new(a, b).unwrap();
    (0..customers)
        .map(|_| {
            let rate: f64 = rates.sample(&mut rng);
            let dropout: f64 = dropouts.sample(&mut rng);
            let age = min_age + (max_age - min_age) * rng.random::<f64>();
            let gaps = Exp::new(rate.max(1e-300)).unwrap();
            let (mut t, mut frequency, mut recency) = (0.0, 0, 0.0);
            loop {
                t += gaps.sample(&mut rng);
                if t > age {
                    break;
                }
                frequency += 1;
                recency = t;
                if rng.random::<f64>() < dropout {
                    break;
                }
            }
            PurchaseHistory { frequency, recency, age }
        })
        .collect()
}

/// Draws customers' (number of transactions, average value) from
/// Gamma-Gamma: ν ~ Gamma(q, rate γ), each value ~ Gamma(p, rate ν), with
/// 1 to 10 transactions each.
pub fn simulate_gamma_gamma(truth: (f64, f64, f64), customers: usize, seed: u64) -> Vec<SpendHistory> {
    let (p, q, gamma) = truth;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let scales = Gamma::new(q, 1.0 / gamma).unwrap();
    (0..customers)
        .map(|_| {
            let nu: f64 = scales.sample(&mut rng);
            let values = Gamma::new(p, 1.0 / nu).unwrap();
            let purchases = rng.random_range(1..=10_u32);
            let total: f64 = (0..purchases).map(|_| values.sample(&mut rng)).sum();
            SpendHistory { purchases, average_spend: total / f64::from(purchases) }
        })
        .collect()
}

fn assert_within(name: &str, estimate: f64, truth: f64, relative_tolerance: f64, seed: u64) {
    let relative_error = (estimate - truth).abs() / truth;
    assert!(
        relative_error <= relative_tolerance,
        "seed {seed}: {name} = {estimate:.4}, truth {truth}, relative error {relative_error:.3} > {relative_tolerance}"
    );
}

#[test]
fn bgnbd_recovers_cdnow_like_parameters() {
    let truth = (0.25, 4.0, 0.8, 2.5);
    for seed in SEEDS {
        let histories = simulate_bgnbd(truth, 20_000, (26.0, 52.0), seed);
        let fit = BgNbd::fit(&histories, &FitOptions::default()).unwrap();
        let m = fit.model;
        assert_within("r", m.r(), truth.0, 0.06, seed);
        assert_within("alpha", m.alpha(), truth.1, 0.08, seed);
        assert_within("a", m.a(), truth.2, 0.25, seed);
        assert_within("b", m.b(), truth.3, 0.30, seed);
    }
}

#[test]
fn bgnbd_recovers_frequent_buyer_parameters_in_days() {
    // A daily time unit: mean rate r/α = 1/30 a day, observed 1-2 years.
    let truth = (1.5, 45.0, 1.2, 6.0);
    for seed in SEEDS {
        let histories = simulate_bgnbd(truth, 10_000, (365.0, 730.0), seed);
        let fit = BgNbd::fit(&histories, &FitOptions::default()).unwrap();
        let m = fit.model;
        assert_within("r", m.r(), truth.0, 0.05, seed);
        assert_within("alpha", m.alpha(), truth.1, 0.07, seed);
        assert_within("a", m.a(), truth.2, 0.12, seed);
        assert_within("b", m.b(), truth.3, 0.17, seed);
    }
}

#[test]
fn gamma_gamma_recovers_parameters() {
    let truth = (6.0, 4.0, 15.0);
    for seed in SEEDS {
        let spends = simulate_gamma_gamma(truth, 20_000, seed);
        let fit = GammaGamma::fit(&spends, &FitOptions::default()).unwrap();
        let m = fit.model;
        // p and γ trade off along a ridge of the likelihood (their standard
        // errors here are about 6 % and 8 %, q's about 2 %).
        assert_within("p", m.p(), truth.0, 0.20, seed);
        assert_within("q", m.q(), truth.1, 0.08, seed);
        assert_within("gamma", m.gamma(), truth.2, 0.25, seed);
        // The population mean is far better determined than p, q, γ alone.
        assert_within("population mean", m.population_mean_spend(), 6.0 * 15.0 / 3.0, 0.03, seed);
    }
}

#[test]
fn large_bgnbd_fit_through_the_subsample_warm_start_reaches_the_maximum() {
    // More than 20,000 distinct histories: the fit starts from a subsample's optimum.
    let truth = (0.25, 4.0, 0.8, 2.5);
    let histories = simulate_bgnbd(truth, 50_000, (26.0, 52.0), 99);
    let fit = BgNbd::fit(&histories, &FitOptions::default()).unwrap();
    assert!(fit.distinct_histories > 20_000);
    let m = fit.model;
    assert_within("r", m.r(), truth.0, 0.04, 99);
    assert_within("alpha", m.alpha(), truth.1, 0.05, 99);
    assert_within("a", m.a(), truth.2, 0.16, 99);
    assert_within("b", m.b(), truth.3, 0.19, 99);
    // No nearby parameters do better.
    for (i, step) in
        [(0, 1e-3), (1, 1e-3), (2, 1e-3), (3, 1e-3), (0, -1e-3), (1, -1e-3), (2, -1e-3), (3, -1e-3)]
    {
        let mut params = [m.r(), m.alpha(), m.a(), m.b()];
        params[i] *= 1.0 + step;
        let nearby = BgNbd::new(params[0], params[1], params[2], params[3]).unwrap();
        assert!(nearby.log_likelihood(&histories).unwrap() <= fit.log_likelihood + 1e-9);
    }
}
