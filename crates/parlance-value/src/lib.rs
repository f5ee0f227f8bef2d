//! The universal customer-value metric's models: RFM summaries, BG/NBD
//! purchase counts, Gamma-Gamma spend, discounted CLV and a calibration /
//! hold-out check.
//!
//! The models are pure: no IO, no clock (every date, including the
//! observation end, is passed in), no global state. They turn transactions
//! into numbers. The warehouse IO of the value refresh lives apart, in
//! `inputs.rs` (read), `store.rs` (write and read back) and `refresh.rs`
//! (orchestration); the only "time" they know is the `as_of` date and the
//! `now` stamp they are given.
//!
//! # The universal value of a profile
//!
//! [`refresh_values`]`(warehouse, parameters, as_of, now)` values every live
//! profile:
//!
//! ```text
//! value = discounted expected margin − discounted expected cost to serve   (over the horizon)
//!       = Σₘ E[purchases in month m]/(1+d)ᵐ × (E[spend] × margin rate − E[cost per purchase])
//! ```
//!
//! - **Parameters** ([`ValueParameters`]) come from the vocabulary's `value`
//!   definition (the warehouse's, else the built-in starter
//!   `vocabulary/value.parlance`, [`STARTER_VALUE_DEFINITION`]): horizon,
//!   discount rate (an annual rate is spread as (1+y)^(1/12) − 1 a month),
//!   margin global and per category, contact cost per channel (with a
//!   default for unlisted channels; none given means such contacts cost 0),
//!   return cost, tiers. Errors name line, column and clause
//!   ([`ClauseProblem`]).
//! - **Orders**: cancelled orders are left out; amounts are net of refunds
//!   and netted per day ([`summarize_transactions`]); time is in days. The
//!   value currency is the most common currency of the orders; orders in
//!   another currency count as purchase occasions but not as spend (there
//!   are no exchange rates in the warehouse), and each profile's inputs say
//!   how many there were.
//! - **Purchases and spend**: BG/NBD and Gamma-Gamma fitted across all
//!   customers; CLV summed month by month (30 days) and discounted, as
//!   [`customer_values`] does.
//! - **Margin rate**: the mean of the configured margins of each order's
//!   categories (orders list category names, not per-category amounts, so
//!   each category counts equally), weighted by order amount before
//!   refunds; the global margin for orders without categories. The margin a
//!   source may report per order (`orders.margin`) is not used: the
//!   vocabulary is the one definition.
//! - **Cost to serve** ([`RatePrior`], `serve.rs`): each customer has a rate
//!   of support contacts per purchase on each channel, and of returns per
//!   purchase (a return is an order returned, refunded or partly refunded).
//!   The rate is the customer's own count over their purchase occasions
//!   shrunk toward the population rate — the posterior mean of a
//!   Gamma-Poisson model, (count + k·ρ)/(purchases + k), with ρ and k
//!   estimated across customers by the method of moments (k capped at 100
//!   purchases, so more contacts always mean a higher rate). Expected cost
//!   per purchase = Σ channel cost × contact rate + return cost × return
//!   rate; it is incurred with each predicted purchase and discounted the
//!   same way, so cost to serve covers the same horizon as the margin.
//!   Contacts up to the as-of date count, on every channel the data has.
//! - **Tiers and deciles**: the tier is the first whose `from` the value
//!   reaches (the `otherwise` tier catches the rest, zeros included).
//!   Deciles rank profiles *with purchases* by value, 10 = the top tenth;
//!   equal values share a decile; profiles without purchases have none.
//! - **Written**: `profile_value` (value, components JSON with every
//!   component and input — [`ValueComponents`] —, tier, decile, model
//!   version) for every live profile, upserted in batches of
//!   [`WRITE_BATCH`] per write transaction, rows of merged-away profiles
//!   removed; one `value_history` row per profile per refresh; and the
//!   [`ModelReport`] (parameters, log-likelihoods, hold-out check by
//!   frequency group, cost-to-serve priors, counts, model version, as-of)
//!   in the `value.model` setting. A reader during a refresh may briefly
//!   see some profiles' new values beside others' old ones; the model
//!   version on each row tells them apart.
//! - **Model version** `v1-<as-of>-<8 hex>`: the method, the observation
//!   end, and a fingerprint of the parameters and fitted models; the same
//!   data and definition give the same version and the same values.
//!
//! Edge cases of the refresh (the models' own are listed below):
//!
//! - **No purchases** (anonymous visitors, subscribers, people whose only
//!   orders were cancelled or are after the as-of date): value exactly 0,
//!   components with `"basis": "no purchases"`, no decile. There is nothing
//!   to predict from; their support contacts are not costed.
//! - **Single purchase**: `"basis": "single purchase"`; BG/NBD from the
//!   prior (P(alive) = 1), spend the Gamma-Gamma population mean.
//! - **No customers at all, or nobody bought twice**: the models cannot be
//!   fitted; the refresh fails with [`RefreshError::NoCustomers`] /
//!   [`RefreshError::Model`] ([`RefreshError::is_insufficient_data`]) and
//!   writes nothing. With fewer than [`FEW_CUSTOMERS`] customers any model
//!   failure (a maximum on the boundary, say) counts as too little data;
//!   after demo generation (and syncs) too little data is not an error.
//! - **Hold-out**: the last third of the observed period (at most the
//!   horizon, at least 14 days) is held out; when that is impossible the
//!   report says why instead of failing the refresh.
//!
//! # Pipeline
//!
//! ```
//! use parlance_value::*;
//! use time::macros::date;
//!
//! # fn main() -> Result<(), ValueError> {
//! let orders = vec![
//!     Transaction { customer: 1, date: date!(2024 - 01 - 03), amount: 20.0 },
//!     Transaction { customer: 1, date: date!(2024 - 02 - 10), amount: 35.0 },
//!     Transaction { customer: 2, date: date!(2024 - 01 - 20), amount: 12.0 },
//!     Transaction { customer: 3, date: date!(2024 - 02 - 01), amount: 50.0 },
//!     Transaction { customer: 3, date: date!(2024 - 02 - 15), amount: 45.0 },
//!     Transaction { customer: 3, date: date!(2024 - 03 - 20), amount: 55.0 },
//! ];
//! let customers = summarize_transactions(&orders, date!(2024 - 03 - 31), TimeUnit::Weeks)?;
//! let histories: Vec<_> = customers.iter().map(CustomerSummary::purchase_history).collect();
//! let spends: Vec<_> = customers.iter().map(CustomerSummary::spend_history).collect();
//! let purchases = BgNbd::fit(&histories, &FitOptions::default())?.model;
//! let spend = GammaGamma::new(6.25, 3.74, 15.44)?; // or GammaGamma::fit(&spends, …) on real data
//! # let _ = spends;
//! let values = customer_values(&purchases, &spend, &customers, &ClvSettings::for_unit(TimeUnit::Weeks))?;
//! assert!(values.iter().all(|v| v.value.is_finite()));
//! # Ok(())
//! # }
//! ```
//!
//! [`calibrate_and_hold_out`] splits transactions at a calibration date, fits
//! on the first part and compares predicted with actual purchases in the
//! second, grouped by calibration frequency 0, 1, …, 6, 7+ (the "model fit"
//! view).
//!
//! # Models and sources
//!
//! - **RFM** ([`summarize_transactions`]) follows `lifetimes`'
//!   `summary_data_from_transaction_data(freq="D")` (with
//!   `freq_multiplier=7` for [`TimeUnit::Weeks`]): frequency x is the number
//!   of purchase *days* after the first, recency tₓ the time from the first
//!   to the last purchase day, age T the time from the first purchase day to
//!   the observation end, transactions after the observation end are
//!   ignored.
//! - **BG/NBD** ([`BgNbd`]): Fader, Hardie & Lee (2005), "Counting your
//!   customers the easy way: an alternative to the Pareto/NBD model",
//!   *Marketing Science* 24(2) — likelihood eq. 6, E[X(t)] eq. 9,
//!   E[Y(t) | x, tₓ, T] eq. 10, P(alive) from the accompanying note. Eq. 10's
//!   ₂F₁ is evaluated in a transformed, better-conditioned form (see
//!   `bgnbd.rs`); [`special::hyp2f1`] is a general real ₂F₁ (series, Pfaff,
//!   the 1−z connection formula, and Abramowitz & Stegun 15.3.10–12 for the
//!   degenerate integer cases), tested against mpmath.
//! - **Gamma-Gamma** ([`GammaGamma`]): Fader & Hardie (2013), "The
//!   Gamma-Gamma model of monetary value" (note), eqs. 4–5; after Colombo &
//!   Jiang (1999).
//! - **CLV** ([`customer_value`], [`customer_values`]): `lifetimes`'
//!   `customer_lifetime_value`: Σᵢ₌₁ᴴ (E[Y(i·f)] − E[Y((i−1)·f)]) · spend ·
//!   margin / (1+d)ⁱ with f time units per month (4.345 weeks or 30 days, as
//!   `lifetimes` counts them; configurable). Every value comes with its
//!   components: expected purchases over the horizon, expected spend, P(alive)
//!   and discounted purchases.
//!
//! # Monetary value, and which definition the published figures use
//!
//! The monetary value of a customer is the mean *net per-day* amount of their
//! repeat purchase days (the first purchase day is excluded, as in
//! `lifetimes` and the Gamma-Gamma note). On CDNOW this reproduces the
//! published Gamma-Gamma fit p = 6.25, q = 3.74, γ = 15.44 (measured:
//! 6.2496, 3.7442, 15.4435). The `zbar` column of
//! `cdnow_customers_summary_with_transactions.csv` is the same quantity
//! rounded to cents; fitting on the rounded values gives γ = 15.448, which
//! does not round to the published figure — so the published fit used the
//! unrounded per-day means (the test
//! `gamma_gamma_on_rounded_zbar_misses_the_published_gamma` pins this).
//!
//! # Edge cases (policy)
//!
//! - **Single-purchase customers** (x = 0): BG/NBD applies as is (P(alive) =
//!   1, since dropout happens only after a repeat purchase; predictions come
//!   from the prior). Their expected spend is the Gamma-Gamma population mean
//!   pγ/(q−1), and they are left out of the Gamma-Gamma fit.
//! - **Anonymous visitors** who never bought have no transactions and no
//!   value in the models; the refresh gives them value 0 with the basis
//!   "no purchases" (above).
//! - **No repeat buyers at all**: [`GammaGamma::fit`] returns
//!   [`ValueError::NoRepeatBuyers`] and [`BgNbd::fit`] returns
//!   [`ValueError::NoRepeatPurchases`] (its parameters are not identified);
//!   neither panics.
//! - **Zero and negative (refund) amounts**: amounts are netted per customer
//!   and day. Every day with a transaction is a purchase occasion for
//!   frequency and recency, whatever its net amount (a refund or a free
//!   order is still contact, and `lifetimes` counts it too). Only repeat days
//!   with a *positive* net amount enter the monetary mean;
//!   [`CustomerSummary::monetary_days`] says how many did, and it — not the
//!   frequency — is the Gamma-Gamma x. A repeat buyer all of whose repeat
//!   days net to ≤ 0 is treated like a single-purchase customer for spend.
//!   NaN or infinite amounts are an error.
//! - **First purchase on the last day** (T = 0): the customer contributes
//!   exactly 0 to the log-likelihood, P(alive) = 1 and E[Y(t) | 0, 0, 0] =
//!   E[X(t)]: no NaN anywhere. If *every* customer has T = 0 the fit returns
//!   [`ValueError::NoObservationTime`].
//! - **All purchases on one day**: one purchase occasion, x = 0.
//! - **BG/NBD a = 1**: eq. 10 has a removable singularity there; it is
//!   evaluated as the mean of a = 1 ± 10⁻⁵.
//! - **Maximum on the boundary** (e.g. nobody is seen to drop out, so a → 0
//!   and b → ∞): when L-BFGS can make no further progress and the gradient
//!   is below 10⁻³, the fit is accepted (predictions there are the limiting
//!   model's); otherwise [`ValueError::NotConverged`] says after how many
//!   iterations and with what gradient.
//! - Impossible histories (tₓ > T, negative or non-finite times, tₓ ≠ 0 with
//!   x = 0), out-of-domain parameters and arguments are errors naming the
//!   value. No function panics; library code has no `unwrap`/`expect`.
//!
//! # Design decisions
//!
//! - **Optimiser**: argmin's L-BFGS with a Moré–Thuente line search over
//!   log-parameters, on the *mean* negative log-likelihood with analytic
//!   gradients (checked against finite differences in unit tests): about 20
//!   iterations (60 evaluations) where Nelder–Mead needs hundreds of
//!   evaluations. L-BFGS is restarted with fresh memory when it stalls, and
//!   argmin's Nelder–Mead is the fallback if it fails. No optimiser is
//!   written here.
//! - **Likelihood evaluation without allocation in the inner loop**:
//!   customers with identical (x, tₓ, T) are merged into weighted rows,
//!   sorted by x; everything that depends on x alone (ln Γ, ψ) is computed
//!   once per distinct x per evaluation, and ln(α + time), 1/(α + time) once
//!   per distinct time value (rows hold indices into that table). What is
//!   left per BG/NBD row is one exponential and one division (the
//!   `ln(1 + e^(−|d|))` terms of weight-one rows are multiplied together and
//!   logged once per 512 rows); per Gamma-Gamma row, one logarithm. Fits
//!   with more than 20,000 distinct histories first fit an evenly strided
//!   10,000-customer subsample and start the full fit from its optimum.
//! - **CLV in batches** ([`customer_values`]): the expected purchases of a
//!   customer are P(alive) times the expected purchases *if alive*, which
//!   depend on (x, T) only, so the twelve ₂F₁ evaluations are shared by all
//!   customers with the same x and T.
//! - **Special functions**: `statrs` for ln Γ and ψ, `libm::lgamma_r` for
//!   the signed ln |Γ| of negative arguments in the connection formulas;
//!   ₂F₁ is written here (no maintained crate has a real ₂F₁ that handles
//!   z → 1), in [`special`].
//! - **Validated parameter types**: [`BgNbd`] and [`GammaGamma`] can only
//!   hold valid parameters (and [`GammaGamma`] only q > 1, so expected spend
//!   always exists), so predictions need not re-check them.
//! - **One error type**, [`ValueError`], whose messages say what was wrong.
//!
//! # CDNOW (the correctness anchor, checked by the integration tests)
//!
//! On the 2,357-customer sample, weeks, observation end 1997-09-30: the RFM
//! summary equals `cdnow_customers_summary.csv` for every customer; BG/NBD
//! r = 0.2426, α = 4.4136, a = 0.7929, b = 2.4259, log-likelihood
//! −9582.43 (published: 0.243, 4.414, 0.793, 2.426, −9582.4);
//! E[Y(39) | 2, 30.43, 38.86] = 1.2259 (published 1.226); Gamma-Gamma on
//! the 946 repeat buyers as above. CLV, expected spend and the hold-out
//! comparison agree with `lifetimes` 0.11.3 to 10⁻⁵.
//!
//! # Speed
//!
//! `cargo run --release -p parlance-value --example cdnow` times the CDNOW
//! pipeline (summary 0.2 ms, BG/NBD fit 0.7 ms, Gamma-Gamma fit 0.2 ms, CLV
//! 1.5 ms on the development machine); `--example synthetic` simulates
//! 100,000 customers with 1.6 million orders over two years (days) and times
//! the whole refresh: about 0.15 s, against 3.8 s for `lifetimes` 0.11.3 on
//! the same orders (written out with `--example synthetic 100000 FILE.csv`).

mod bgnbd;
mod calibration;
mod clv;
mod error;
mod gamma_gamma;
mod inputs;
mod optimise;
mod parameters;
mod refresh;
mod report;
mod rfm;
mod serve;
pub mod special;
mod store;
mod universal;

pub use bgnbd::{BgNbd, BgNbdFit};
pub use calibration::{
    CalibrationReport, FrequencyGroup, HoldoutCustomer, POOLED_FREQUENCY, calibrate_and_hold_out,
};
pub use clv::{ClvSettings, CustomerValue, customer_value, customer_values};
pub use error::ValueError;
pub use gamma_gamma::{GammaGamma, GammaGammaFit};
pub use inputs::{LiveProfile, ReadOrders, live_profiles, read_contacts, read_orders, value_currency};
pub use optimise::FitOptions;
pub use parameters::{
    ClauseProblem, ParameterError, STARTER_ORIGIN, STARTER_VALUE_DEFINITION, Tier, ValueParameters,
};
pub use refresh::{
    FEW_CUSTOMERS, METHOD_VERSION, RefreshError, RefreshInputs, ValueRefreshReport, ValuedProfiles,
    parameters_in_force, refresh_values, stored_value_definition,
};
pub use report::{
    BgNbdReport, GammaGammaReport, HoldoutGroup, HoldoutReport, ModelReport, ParametersReport, ProfileCounts,
    RateReport, ServeReport, TierReport,
};
pub use rfm::{
    CustomerSummary, PurchaseHistory, SpendHistory, TimeUnit, Transaction, summarize_transactions,
};
pub use serve::{MAX_PRIOR_PURCHASES, MIN_PRIOR_PURCHASES, RatePrior};
pub use store::{
    ComponentTotals, Distribution, MODEL_SETTING_KEY, StoredValue, ValueRow, WRITE_BATCH, finish_refresh,
    read_distribution, read_model_report, read_profile_value, read_value_history, write_values,
};
pub use universal::{
    Basis, ContactCount, DAYS_PER_MONTH, Holdout, ModelFit, Order, Valuation, ValueComponents, ValueInputs,
    deciles, value_customers,
};
