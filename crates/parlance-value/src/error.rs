//! The one error type of this crate.

use time::Date;

/// Everything that can go wrong while summarising transactions, fitting the
/// models or predicting with them. Each variant says what was wrong with the
/// input (or which numerical procedure gave up), never just "invalid".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A fit was asked for with an empty list of customers.
    #[error("no customers: {model} needs at least one customer to fit")]
    NoCustomers {
        /// The model that was being fitted.
        model: &'static str,
    },

    /// No customer made a repeat purchase, so the purchase rate and the
    /// dropout probability cannot be told apart (the likelihood has no
    /// maximum).
    #[error(
        "no repeat purchases among {customers} customers: BG/NBD parameters cannot be \
         identified until at least one customer has bought twice"
    )]
    NoRepeatPurchases {
        /// How many customers were given.
        customers: usize,
    },

    /// Every customer was observed for zero time (all first purchases fall on
    /// the observation end), so the data say nothing about purchase rates.
    #[error(
        "all {customers} customers were observed for zero time (first purchase on the \
         observation end): nothing to fit"
    )]
    NoObservationTime {
        /// How many customers were given.
        customers: usize,
    },

    /// Gamma-Gamma needs customers with at least one repeat purchase of
    /// positive value; none were given.
    #[error(
        "no repeat buyers: Gamma-Gamma needs customers with at least one repeat purchase \
         of positive value ({customers} customers given, none usable)"
    )]
    NoRepeatBuyers {
        /// How many customers were given.
        customers: usize,
    },

    /// A transaction's amount is NaN or infinite.
    #[error("transaction {index} has a non-finite amount ({amount})")]
    NonFiniteAmount {
        /// Position of the transaction in the input slice.
        index: usize,
        /// The offending amount.
        amount: f64,
    },

    /// A customer's (frequency, recency, age) or spend history is impossible.
    #[error("customer {index}: {reason}")]
    InvalidHistory {
        /// Position of the customer in the input slice.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },

    /// A model parameter or a prediction argument is out of its domain.
    #[error("{name} must be {requirement}, got {value}")]
    InvalidArgument {
        /// The parameter's name as in the formulas (`r`, `alpha`, `t`, …).
        name: &'static str,
        /// What it must be.
        requirement: &'static str,
        /// The value given.
        value: f64,
    },

    /// The calibration period must end before the observation period.
    #[error("calibration end {calibration_end} must be before observation end {observation_end}")]
    InvalidPeriod {
        /// End of the calibration period.
        calibration_end: Date,
        /// End of the observation (hold-out) period.
        observation_end: Date,
    },

    /// The optimiser ran out of iterations before the gradient vanished.
    #[error(
        "{model}: optimiser did not converge after {iterations} iterations \
         (gradient norm {gradient_norm:.3e})"
    )]
    NotConverged {
        /// The model that was being fitted.
        model: &'static str,
        /// Iterations performed.
        iterations: u64,
        /// Norm of the gradient of the mean log-likelihood (log-parameters)
        /// at the best point found.
        gradient_norm: f64,
    },

    /// The optimiser stopped with an error of its own.
    #[error("{model}: optimiser failed: {message}")]
    OptimiserFailed {
        /// The model that was being fitted.
        model: &'static str,
        /// The optimiser's message.
        message: String,
    },

    /// The fitted Gamma-Gamma spend distribution has no finite mean (q ≤ 1),
    /// so expected spend is undefined.
    #[error(
        "Gamma-Gamma fit has q = {q} <= 1: the population spend distribution has no \
         finite mean, so expected spend is undefined"
    )]
    SpendMeanUndefined {
        /// The fitted q.
        q: f64,
    },

    /// The Gaussian hypergeometric series could not be summed to full
    /// precision for these arguments.
    #[error("2F1({a}, {b}; {c}; {z}) could not be evaluated: {reason}")]
    Hypergeometric {
        /// First numerator parameter.
        a: f64,
        /// Second numerator parameter.
        b: f64,
        /// Denominator parameter.
        c: f64,
        /// Argument.
        z: f64,
        /// Why it failed.
        reason: &'static str,
    },
}

impl ValueError {
    pub(crate) fn invalid_history(index: usize, reason: impl Into<String>) -> Self {
        Self::InvalidHistory { index, reason: reason.into() }
    }
}

/// Checks that a value is finite and strictly positive.
pub(crate) fn require_positive(name: &'static str, value: f64) -> Result<f64, ValueError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(ValueError::InvalidArgument { name, requirement: "finite and > 0", value })
    }
}

/// Checks that a value is finite and not negative.
pub(crate) fn require_non_negative(name: &'static str, value: f64) -> Result<f64, ValueError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(ValueError::InvalidArgument { name, requirement: "finite and >= 0", value })
    }
}
