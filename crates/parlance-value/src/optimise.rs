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

use argmin::core::{CostFunction, Error as ArgminError, Executor, Gradient, State, TerminationReason};
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
    /// with respect to the log-parameters is below this; L-BFGS itself stops
    /// at a tenth of it (much lower and its line search only chases rounding
    /// noise in the cost).
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
    /// The solver stopped by its own criterion (the gradient vanished or the
    /// cost stopped changing at machine precision), not by running out of
    /// iterations.
    pub solver_converged: bool,
}

/// Log-parameters beyond ±`LOG_PARAM_LIMIT` (e^60 ≈ 1e26) are treated as
/// infinitely bad, so the line search never evaluates overflowing models.
const LOG_PARAM_LIMIT: f64 = 60.0;

/// A solver that stopped by its own criterion with a gradient below this is
/// accepted even above [`FitOptions::gradient_tolerance`]: the likelihood is
/// flat to machine precision there, which happens when the maximum lies on
/// the boundary (for BG/NBD, a → 0 and b → ∞ when nobody is seen to drop
/// out). An interior point with such a gradient would still let the line
/// search make progress, so this only admits flat ridges.
const FLAT_GRADIENT_TOLERANCE: f64 = 1e-3;

/// The solvers ask for the cost and the gradient separately and revisit
/// recent points; this many recent evaluations are remembered.
const CACHED_EVALUATIONS: usize = 8;

/// (log-parameters, value, gradient) of one evaluation.
type Evaluation = (Vec<f64>, f64, Vec<f64>);

struct Problem<'a, O> {
    objective: &'a O,
    cache: RefCell<Vec<Evaluation>>,
}

impl<O: Objective> Problem<'_, O> {
    fn evaluate(&self, log_params: &[f64]) -> (f64, Vec<f64>) {
        if let Some((_, value, gradient)) =
            self.cache.borrow().iter().find(|(cached_at, _, _)| cached_at.as_slice() == log_params)
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
        let mut cache = self.cache.borrow_mut();
        if cache.len() == CACHED_EVALUATIONS {
            cache.remove(0);
        }
        cache.push((log_params.to_vec(), value, gradient.clone()));
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
    Problem { objective, cache: RefCell::new(Vec::with_capacity(CACHED_EVALUATIONS)) }
}

/// Runs L-BFGS from `start`, restarting it with fresh curvature memory when
/// it stops early (argmin's L-BFGS gives up when its quasi-Newton direction
/// stops being a descent direction, which happens on flat ridges). `None` if
/// the solver errored outright.
fn lbfgs<O: Objective>(objective: &O, start: Vec<f64>, options: &FitOptions) -> Option<Minimum> {
    const RESTARTS: usize = 5;
    let mut best = lbfgs_once(objective, start, options)?;
    for _ in 0..RESTARTS {
        if best.solver_converged || best.iterations >= options.max_iterations {
            break;
        }
        let Some(next) = lbfgs_once(objective, best.log_params.clone(), options) else { break };
        let iterations = best.iterations + next.iterations;
        let progress = best.value - next.value;
        if next.value <= best.value {
            best = Minimum { iterations, ..next };
        } else {
            best.iterations = iterations;
        }
        if progress.is_nan() || progress <= RESTART_PROGRESS * best.value.abs().max(1.0) {
            // A fresh start could not improve the cost: the solver is
            // stalled on a plateau of the likelihood.
            best.solver_converged = true;
        }
    }
    Some(best)
}

/// A restart must improve the cost by more than this (relative) to count as
/// progress.
const RESTART_PROGRESS: f64 = 1e-13;

fn lbfgs_once<O: Objective>(objective: &O, start: Vec<f64>, options: &FitOptions) -> Option<Minimum> {
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(options.gradient_tolerance * 0.1)
        .ok()?;
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
        solver_converged: matches!(state.get_termination_reason(), Some(TerminationReason::SolverConverged)),
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
        solver_converged: matches!(state.get_termination_reason(), Some(TerminationReason::SolverConverged)),
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
        let gradient = gradient_norm(objective, &minimum.log_params);
        minimum.value.is_finite()
            && (gradient <= options.gradient_tolerance
                || (minimum.solver_converged && gradient <= FLAT_GRADIENT_TOLERANCE))
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
            if best.as_ref().is_none_or(|b| b.value.is_nan() || candidate.value < b.value) {
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
