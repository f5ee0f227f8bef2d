//! Maximum-likelihood search shared by the BG/NBD and Gamma-Gamma fits.
//!
//! Both models' parameters are positive, so the search runs over their
//! logarithms (unconstrained). The objective is the *mean* negative
//! log-likelihood, which makes tolerances independent of the number of
//! customers. Analytic gradients are available, so the primary solver is
//! argmin's L-BFGS with a Moré–Thuente line search (tens of iterations where
//! Nelder–Mead, the `lifetimes` choice, needs hundreds of evaluations). If
//! L-BFGS fails or stalls away from a stationary point, argmin's Nelder–Mead
//! restarts from the initial point and L-BFGS polishes its result.

use std::cell::RefCell;

use argmin::core::{CostFunction, Error as ArgminError, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;

use crate::error::ValueError;

/// Settings shared by the fits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Iteration budget for each solver run.
    pub max_iterations: u64,
    /// A fit is accepted when the gradient norm of the mean log-likelihood
    /// with respect to the log-parameters is below this.
    pub gradient_tolerance: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self { max_iterations: 500, gradient_tolerance: 1e-6 }
    }
}

/// A differentiable objective over log-parameters.
pub(crate) trait Objective {
    /// Mean negative log-likelihood at `log_params`; writes its gradient into
    /// `gradient` (same length). May return a non-finite value far from the
    /// data, which the search treats as +∞.
    fn evaluate(&self, log_params: &[f64], gradient: &mut [f64]) -> f64;
}

/// Where the search ended.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub log_params: Vec<f64>,
    pub value: f64,
    pub iterations: u64,
}

/// Log-parameters beyond ±`LOG_PARAM_LIMIT` (e^60 ≈ 1e26) are treated as
/// infinitely bad, so the line search never evaluates overflowing models.
const LOG_PARAM_LIMIT: f64 = 60.0;

struct Problem<'a, O> {
    objective: &'a O,
    cache: RefCell<Option<(Vec<f64>, f64, Vec<f64>)>>,
}

impl<O: Objective> Problem<'_, O> {
    fn evaluate(&self, log_params: &[f64]) -> (f64, Vec<f64>) {
        if let Some((cached_at, value, gradient)) = self.cache.borrow().as_ref()
            && cached_at.as_slice() == log_params
        {
            return (*value, gradient.clone());
        }
        let mut gradient = vec![0.0; log_params.len()];
        let value = if log_params.iter().any(|p| !p.is_finite() || p.abs() > LOG_PARAM_LIMIT) {
            f64::INFINITY
        } else {
            self.objective.evaluate(log_params, &mut gradient)
        };
        let value = if value.is_finite() && gradient.iter().all(|g| g.is_finite()) {
            value
        } else {
            gradient.fill(0.0);
            f64::INFINITY
        };
        *self.cache.borrow_mut() = Some((log_params.to_vec(), value, gradient.clone()));
        (value, gradient)
    }
}

impl<O: Objective> CostFunction for Problem<'_, O> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, log_params: &Vec<f64>) -> Result<f64, ArgminError> {
        Ok(self.evaluate(log_params).0)
    }
}

impl<O: Objective> Gradient for Problem<'_, O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, log_params: &Vec<f64>) -> Result<Vec<f64>, ArgminError> {
        Ok(self.evaluate(log_params).1)
    }
}

fn problem<O: Objective>(objective: &O) -> Problem<'_, O> {
    Problem { objective, cache: RefCell::new(None) }
}

/// Runs L-BFGS from `start`; `None` if the solver errored.
fn lbfgs<O: Objective>(objective: &O, start: Vec<f64>, options: &FitOptions) -> Option<Minimum> {
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10).with_tolerance_grad(1e-12).ok()?;
    let result = Executor::new(problem(objective), solver)
        .configure(|state| state.param(start).max_iters(options.max_iterations))
        .timer(false)
        .run()
        .ok()?;
    let state = result.state();
    Some(Minimum {
        log_params: state.get_best_param()?.clone(),
        value: state.get_best_cost(),
        iterations: state.get_iter(),
    })
}

/// Runs Nelder–Mead from a simplex around `start`; `None` if it errored.
fn nelder_mead<O: Objective>(objective: &O, start: &[f64], options: &FitOptions) -> Option<Minimum> {
    let mut simplex = vec![start.to_vec()];
    for i in 0..start.len() {
        let mut vertex = start.to_vec();
        vertex[i] += 0.5;
        simplex.push(vertex);
    }
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-12).ok()?;
    let result = Executor::new(problem(objective), solver)
        .configure(|state| state.max_iters(options.max_iterations * 4))
        .timer(false)
        .run()
        .ok()?;
    let state = result.state();
    Some(Minimum {
        log_params: state.get_best_param()?.clone(),
        value: state.get_best_cost(),
        iterations: state.get_iter(),
    })
}

fn gradient_norm<O: Objective>(objective: &O, log_params: &[f64]) -> f64 {
    let mut gradient = vec![0.0; log_params.len()];
    let value = objective.evaluate(log_params, &mut gradient);
    if !value.is_finite() {
        return f64::INFINITY;
    }
    gradient.iter().map(|g| g * g).sum::<f64>().sqrt()
}

/// Minimises `objective` from `start`, returning an error naming `model` if
/// no stationary point within `options.gradient_tolerance` is found.
pub(crate) fn minimise<O: Objective>(
    model: &'static str,
    objective: &O,
    start: Vec<f64>,
    options: &FitOptions,
) -> Result<Minimum, ValueError> {
    let accept = |minimum: &Minimum| {
        minimum.value.is_finite() && gradient_norm(objective, &minimum.log_params) <= options.gradient_tolerance
    };
    let first = lbfgs(objective, start.clone(), options);
    if let Some(minimum) = &first
        && accept(minimum)
    {
        return Ok(minimum.clone());
    }
    let mut best = first;
    if let Some(rough) = nelder_mead(objective, &start, options) {
        let rough_iterations = rough.iterations;
        let polished = lbfgs(objective, rough.log_params.clone(), options)
            .map(|m| Minimum { iterations: m.iterations + rough_iterations, ..m });
        for candidate in [polished, Some(rough)].into_iter().flatten() {
            if accept(&candidate) {
                return Ok(candidate);
            }
            if best.as_ref().is_none_or(|b| !(b.value <= candidate.value)) {
                best = Some(candidate);
            }
        }
    }
    match best {
        Some(best) if best.value.is_finite() => Err(ValueError::NotConverged {
            model,
            iterations: best.iterations,
            gradient_norm: gradient_norm(objective, &best.log_params),
        }),
        _ => Err(ValueError::OptimiserFailed {
            model,
            message: "no finite log-likelihood was found from the starting point".to_owned(),
        }),
    }
}
