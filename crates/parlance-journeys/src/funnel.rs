//! Funnels: how many profiles go through ordered steps within a window.
//!
//! The meaning, for each profile (on its raw touchpoints, repeats included):
//!
//! * An **attempt** starts at an occurrence of the first step. From it, each
//!   next step is matched to the earliest occurrence of its label that comes
//!   later in the profile's time order than the previous matched step
//!   (touchpoints at the same second count in the warehouse's row order) and
//!   no more than `window_seconds` after the attempt's start. Taking the
//!   earliest occurrence never completes fewer steps, so this is the most
//!   steps reachable from that start.
//! * The profile's result is the attempt that completes the **most steps**;
//!   among those, the one with the **earliest start**. A profile reaches step
//!   i when that attempt does; its times between steps are the attempt's.
//! * Steps are counted in order only: doing step 3 without step 2 before it
//!   reaches step 1 only.
//!
//! Conversion from the previous step is `profiles[i] / profiles[i - 1]`, from
//! the first `profiles[i] / profiles[0]` (both 1 for the first step, 0 when
//! the denominator is 0). Times from the previous step are over the
//! profiles reaching the step; the median of an even count is the mean of
//! the middle two. `profiles_considered` is every profile in the log.

use crate::error::JourneyError;
use crate::load::EventLog;

/// What a funnel looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunnelOptions {
    /// The step labels, in order (at least 2).
    pub steps: Vec<String>,
    /// How long after the first step the last may happen, in seconds.
    pub window_seconds: i64,
}

/// One step's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct FunnelStep {
    /// The label.
    pub label: String,
    /// Profiles reaching it.
    pub profiles: u64,
    /// `profiles / previous step's profiles`.
    pub conversion_from_previous: f64,
    /// `profiles / first step's profiles`.
    pub conversion_from_first: f64,
    /// Median seconds from the previous step; `None` for the first step or
    /// when no profile reaches it.
    pub median_seconds_from_previous: Option<f64>,
    /// Average seconds from the previous step.
    pub avg_seconds_from_previous: Option<f64>,
}

/// The result of [`funnel`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunnelResult {
    /// The steps, in order.
    pub steps: Vec<FunnelStep>,
    /// Profiles in the log.
    pub profiles_considered: u64,
}

fn resolve(log: &EventLog, options: &FunnelOptions) -> Result<Vec<u32>, JourneyError> {
    if options.steps.len() < 2 {
        return Err(JourneyError::Invalid(format!(
            "a funnel needs at least 2 steps, not {}",
            options.steps.len()
        )));
    }
    if options.window_seconds <= 0 {
        return Err(JourneyError::Invalid(format!(
            "the conversion window must be positive, not {} seconds",
            options.window_seconds
        )));
    }
    options
        .steps
        .iter()
        .enumerate()
        .map(|(i, label)| log.require(&format!("funnel step {}", i + 1), label))
        .collect()
}

/// The best attempt of one profile: steps reached and their times, written
/// into `times` (length = steps reached).
fn best_attempt(times: &[i64], labels: &[u32], steps: &[u32], window: i64, out: &mut Vec<i64>) {
    out.clear();
    let mut attempt: Vec<i64> = Vec::with_capacity(steps.len());
    for start in 0..labels.len() {
        if labels[start] != steps[0] {
            continue;
        }
        let limit = times[start].saturating_add(window);
        attempt.clear();
        attempt.push(times[start]);
        let mut k = start + 1;
        while attempt.len() < steps.len() && k < labels.len() && times[k] <= limit {
            if labels[k] == steps[attempt.len()] {
                attempt.push(times[k]);
            }
            k += 1;
        }
        if attempt.len() > out.len() {
            out.clone_from(&attempt);
            if out.len() == steps.len() {
                return;
            }
        }
    }
}

/// Runs the funnel.
///
/// # Errors
///
/// Fewer than 2 steps, a window that is not positive, or a step label not
/// in the log (the error lists the known ones).
pub fn funnel(log: &EventLog, options: &FunnelOptions) -> Result<FunnelResult, JourneyError> {
    let steps = resolve(log, options)?;
    let mut reached = vec![0u64; steps.len()];
    let mut gaps: Vec<Vec<i64>> = vec![Vec::new(); steps.len()];
    let mut best = Vec::new();
    for i in 0..log.profiles() {
        let (_, times, labels) = log.profile(i);
        best_attempt(times, labels, &steps, options.window_seconds, &mut best);
        for (s, &t) in best.iter().enumerate() {
            reached[s] += 1;
            if s > 0 {
                gaps[s].push(t - best[s - 1]);
            }
        }
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let out = options
        .steps
        .iter()
        .enumerate()
        .map(|(s, label)| {
            let (prev, first) = if s == 0 { (reached[0], reached[0]) } else { (reached[s - 1], reached[0]) };
            let first_step = s == 0 && reached[0] > 0;
            FunnelStep {
                label: label.clone(),
                profiles: reached[s],
                conversion_from_previous: if first_step { 1.0 } else { ratio(reached[s], prev) },
                conversion_from_first: if first_step { 1.0 } else { ratio(reached[s], first) },
                median_seconds_from_previous: median(&mut gaps[s]),
                avg_seconds_from_previous: (!gaps[s].is_empty())
                    .then(|| gaps[s].iter().map(|&g| g as f64).sum::<f64>() / gaps[s].len() as f64),
            }
        })
        .collect();
    Ok(FunnelResult { steps: out, profiles_considered: log.profiles() as u64 })
}

fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0
    })
}

/// The profiles (ascending ids) reaching step `step` (0-based) or, with
/// `reached = false`, reaching the step before it but not it.
///
/// # Errors
///
/// As [`funnel`], and a step out of range (or step 0 with `reached = false`).
pub fn funnel_step_profiles(
    log: &EventLog,
    options: &FunnelOptions,
    step: usize,
    reached: bool,
) -> Result<Vec<i64>, JourneyError> {
    let steps = resolve(log, options)?;
    if step >= steps.len() || (step == 0 && !reached) {
        return Err(JourneyError::Invalid(format!(
            "funnel step {step} has no {} profiles (steps are 0 to {}; drop-off starts at 1)",
            if reached { "reaching" } else { "dropped" },
            steps.len() - 1
        )));
    }
    let mut best = Vec::new();
    let mut out = Vec::new();
    for i in 0..log.profiles() {
        let (profile, times, labels) = log.profile(i);
        best_attempt(times, labels, &steps, options.window_seconds, &mut best);
        let hit = if reached { best.len() > step } else { best.len() == step };
        if hit {
            out.push(profile);
        }
    }
    Ok(out)
}
