//! What a refresh stores about the model (the `value.model` setting): the
//! fitted parameters, log-likelihoods, the hold-out check by frequency
//! group, the cost-to-serve priors, the parameters used and the model
//! version. It is JSON in the warehouse; this is its shape, both ways.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::parameters::ValueParameters;
use crate::serve::RatePrior;
use crate::universal::{Holdout, ModelFit};

/// The stored description of the last value refresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    /// `v1-<as-of>-<fingerprint>`, also on every `profile_value` row.
    pub model_version: String,
    /// Observation end, YYYY-MM-DD.
    pub as_of: String,
    /// When the refresh ran (RFC 3339).
    pub computed_at: String,
    /// The unit of α, recency and age: always `days`.
    pub time_unit: String,
    /// Currency of every amount.
    pub currency: String,
    /// The parameters used.
    pub parameters: ParametersReport,
    /// The BG/NBD fit.
    pub bgnbd: BgNbdReport,
    /// The Gamma-Gamma fit.
    pub gamma_gamma: GammaGammaReport,
    /// The hold-out check, when it could be run.
    pub holdout: Option<HoldoutReport>,
    /// Why the hold-out check could not be run.
    pub holdout_error: Option<String>,
    /// The cost-to-serve rate priors.
    pub cost_to_serve: ServeReport,
    /// How many profiles were valued, by basis.
    pub profiles: ProfileCounts,
    /// Sum of all values.
    pub total_value: f64,
}

/// The value definition's parameters as used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParametersReport {
    /// Definition name.
    pub name: String,
    /// Where the text came from.
    pub origin: String,
    /// Horizon in months.
    pub horizon_months: u32,
    /// The discount rate per month actually applied.
    pub monthly_discount_rate: f64,
    /// Global margin.
    pub margin: f64,
    /// Margin per category.
    pub category_margins: BTreeMap<String, f64>,
    /// Contact cost for unlisted channels.
    pub default_contact_cost: Option<f64>,
    /// Contact cost per channel.
    pub channel_contact_costs: BTreeMap<String, f64>,
    /// Cost per return.
    pub return_cost: f64,
    /// Tiers, highest first.
    pub tiers: Vec<TierReport>,
}

/// One tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierReport {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Threshold; `None` for the fallback.
    pub from: Option<f64>,
}

/// BG/NBD parameters (α in days) and fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BgNbdReport {
    /// r.
    pub r: f64,
    /// α, days.
    pub alpha: f64,
    /// a.
    pub a: f64,
    /// b.
    pub b: f64,
    /// Log-likelihood at the maximum.
    pub log_likelihood: f64,
    /// Customers fitted.
    pub customers: usize,
    /// Optimiser iterations.
    pub iterations: u64,
}

/// Gamma-Gamma parameters and fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GammaGammaReport {
    /// p.
    pub p: f64,
    /// q.
    pub q: f64,
    /// γ.
    pub gamma: f64,
    /// Log-likelihood at the maximum.
    pub log_likelihood: f64,
    /// Repeat buyers fitted.
    pub customers: usize,
    /// Optimiser iterations.
    pub iterations: u64,
    /// pγ/(q−1): the expected spend of a single-purchase customer.
    pub population_mean_spend: f64,
}

/// The calibration / hold-out check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutReport {
    /// Last day of the calibration period.
    pub calibration_end: String,
    /// Days in the hold-out period.
    pub holdout_days: i64,
    /// The calibration fit.
    pub bgnbd: BgNbdReport,
    /// Predicted vs actual mean purchases in the hold-out, by calibration
    /// frequency 0…6 and 7+.
    pub groups: Vec<HoldoutGroup>,
}

/// One frequency group of the hold-out check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutGroup {
    /// Calibration frequency (lower bound for the pooled group).
    pub frequency: u32,
    /// Whether this is the pooled 7+ group.
    pub pooled: bool,
    /// Customers in the group.
    pub customers: usize,
    /// Mean predicted hold-out purchases.
    pub mean_predicted: f64,
    /// Mean actual hold-out purchases.
    pub mean_actual: f64,
}

/// The cost-to-serve priors and the costs applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServeReport {
    /// Per contact channel seen in the data.
    pub contacts: BTreeMap<String, RateReport>,
    /// Returns.
    pub returns: RateReport,
}

/// One rate prior and its unit cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateReport {
    /// Events per purchase over all customers.
    pub population_rate: f64,
    /// Purchases' worth of evidence the prior carries.
    pub prior_purchases: f64,
    /// Cost of one event.
    pub cost: f64,
}

/// Profiles valued, by basis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileCounts {
    /// Every live profile (one value row each).
    pub live: u64,
    /// With at least two purchase days.
    pub repeat_purchases: u64,
    /// With one purchase day.
    pub single_purchase: u64,
    /// Without purchases (value 0).
    pub no_purchases: u64,
}

impl ParametersReport {
    /// The report of these parameters.
    pub fn of(p: &ValueParameters) -> Self {
        Self {
            name: p.name.clone(),
            origin: p.origin.clone(),
            horizon_months: p.horizon_months,
            monthly_discount_rate: p.monthly_discount_rate(),
            margin: p.margin,
            category_margins: p.category_margins.clone(),
            default_contact_cost: p.default_contact_cost,
            channel_contact_costs: p.channel_contact_costs.clone(),
            return_cost: p.return_cost,
            tiers: p
                .tiers
                .iter()
                .map(|t| TierReport { name: t.name.clone(), title: t.title.clone(), from: t.from })
                .collect(),
        }
    }
}

impl BgNbdReport {
    fn of(fit: &crate::BgNbdFit) -> Self {
        let m = fit.model;
        Self {
            r: m.r(),
            alpha: m.alpha(),
            a: m.a(),
            b: m.b(),
            log_likelihood: fit.log_likelihood,
            customers: fit.customers,
            iterations: fit.iterations,
        }
    }
}

impl HoldoutReport {
    fn of(h: &Holdout) -> Self {
        Self {
            calibration_end: h.calibration_end.to_string(),
            holdout_days: h.holdout_days,
            bgnbd: BgNbdReport::of(&h.fit),
            groups: h
                .groups
                .iter()
                .map(|g| HoldoutGroup {
                    frequency: g.calibration_frequency,
                    pooled: g.pooled,
                    customers: g.customers,
                    mean_predicted: g.mean_predicted,
                    mean_actual: g.mean_actual,
                })
                .collect(),
        }
    }
}

/// Everything about a refresh except what only the caller knows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReportContext<'a> {
    pub model_version: &'a str,
    pub as_of: time::Date,
    pub computed_at: &'a str,
    pub currency: &'a str,
    pub parameters: &'a ValueParameters,
    pub profiles: ProfileCounts,
    pub total_value: f64,
}

impl ModelReport {
    pub(crate) fn new(model: &ModelFit, c: ReportContext<'_>) -> Self {
        let spend = model.spend.model;
        let rate = |prior: &RatePrior, cost: f64| RateReport {
            population_rate: prior.population_rate,
            prior_purchases: prior.prior_purchases,
            cost,
        };
        Self {
            model_version: c.model_version.to_owned(),
            as_of: c.as_of.to_string(),
            computed_at: c.computed_at.to_owned(),
            time_unit: "days".to_owned(),
            currency: c.currency.to_owned(),
            parameters: ParametersReport::of(c.parameters),
            bgnbd: BgNbdReport::of(&model.purchases),
            gamma_gamma: GammaGammaReport {
                p: spend.p(),
                q: spend.q(),
                gamma: spend.gamma(),
                log_likelihood: model.spend.log_likelihood,
                customers: model.spend.customers,
                iterations: model.spend.iterations,
                population_mean_spend: spend.population_mean_spend(),
            },
            holdout: model.holdout.as_ref().ok().map(HoldoutReport::of),
            holdout_error: model.holdout.as_ref().err().cloned(),
            cost_to_serve: ServeReport {
                contacts: model
                    .contact_priors
                    .iter()
                    .map(|(channel, prior)| {
                        (channel.clone(), rate(prior, c.parameters.contact_cost(channel)))
                    })
                    .collect(),
                returns: rate(&model.return_prior, c.parameters.return_cost),
            },
            profiles: c.profiles,
            total_value: c.total_value,
        }
    }
}
