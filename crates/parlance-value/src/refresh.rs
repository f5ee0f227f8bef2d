//! The value refresh: the warehouse's unified layer in, every live
//! profile's value out (`profile_value`, `value_history`, the `value.model`
//! setting). The models stay pure; this module only reads, calls
//! [`value_customers`] and writes.
//!
//! The three stages are public so the benchmark can time them apart:
//! [`RefreshInputs::read`], [`RefreshInputs::value`], [`ValuedProfiles::write`].

use parlance_warehouse::{Connection, Timestamp, Warehouse, WarehouseError};
use time::Date;

use crate::error::ValueError;
use crate::inputs::{LiveProfile, ReadOrders, live_profiles, read_contacts, read_orders};
use crate::parameters::{ParameterError, ValueParameters, fnv1a};
use crate::report::{ModelReport, ProfileCounts, ReportContext};
use crate::store::{ValueRow, finish_refresh, write_values};
use crate::universal::{Basis, ContactCount, ModelFit, Order, ValueComponents, deciles, value_customers};

/// Below this many customers a failed fit counts as too little data.
pub const FEW_CUSTOMERS: usize = 100;

/// Version of the value method; the first part of every model version.
pub const METHOD_VERSION: &str = "v1";

/// Why a refresh failed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Reading or writing the warehouse failed.
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    /// Nobody bought anything up to the as-of date.
    #[error(
        "no customers with purchases on or before {as_of} among {profiles} live profiles: there is nothing to fit \
         the value models on (sync or import orders, or run `parlance demo`)"
    )]
    NoCustomers {
        /// The as-of date.
        as_of: Date,
        /// Live profiles in the warehouse.
        profiles: usize,
    },
    /// The models could not be fitted (e.g. nobody bought twice yet).
    #[error(
        "the value models cannot be fitted on the {customers} customers with orders up to {as_of}: {source}"
    )]
    Model {
        /// The as-of date.
        as_of: Date,
        /// Customers with purchases.
        customers: usize,
        /// What the models said.
        #[source]
        source: ValueError,
    },
    /// The value definition is invalid.
    #[error(transparent)]
    Parameters(#[from] ParameterError),
    /// Data in the warehouse is not what the value expects.
    #[error("{what}: {detail}")]
    Data {
        /// Which data.
        what: String,
        /// What is wrong with it.
        detail: String,
    },
}

impl RefreshError {
    /// True when the data are simply too few to fit the models (no
    /// customers, nobody bought twice, or any model failure with fewer than
    /// [`FEW_CUSTOMERS`] customers, where the likelihood is often maximal
    /// on the boundary): not a fault, just not yet.
    pub fn is_insufficient_data(&self) -> bool {
        match self {
            RefreshError::NoCustomers { .. } => true,
            RefreshError::Model { customers, .. } if *customers < FEW_CUSTOMERS => true,
            RefreshError::Model { source, .. } => matches!(
                source,
                ValueError::NoCustomers { .. }
                    | ValueError::NoRepeatPurchases { .. }
                    | ValueError::NoRepeatBuyers { .. }
                    | ValueError::NoObservationTime { .. }
            ),
            _ => false,
        }
    }
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRefreshReport {
    /// The model report, as stored in the `value.model` setting.
    pub model: ModelReport,
}

/// Everything the value needs, read from the warehouse.
#[derive(Debug, Clone)]
pub struct RefreshInputs {
    /// The observation end.
    pub as_of: Date,
    /// The value currency (the most common one among orders).
    pub currency: String,
    /// Every live profile.
    pub profiles: Vec<LiveProfile>,
    /// Non-cancelled orders up to `as_of`.
    pub orders: Vec<Order<i64>>,
    /// Support contacts per profile and channel up to `as_of`.
    pub contacts: Vec<ContactCount<i64>>,
}

/// Every live profile's value row, and the model behind them.
#[derive(Debug, Clone)]
pub struct ValuedProfiles {
    /// One row per live profile, by profile id.
    pub rows: Vec<ValueRow>,
    /// The model report to store.
    pub report: ModelReport,
}

/// Recomputes every live profile's value as of `as_of` and writes it;
/// `now` stamps the rows and the history.
pub fn refresh_values(
    warehouse: &Warehouse,
    parameters: &ValueParameters,
    as_of: Date,
    now: Timestamp,
) -> Result<ValueRefreshReport, RefreshError> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let inputs = RefreshInputs::read(warehouse, parameters, as_of, threads)?;
    let valued = inputs.value(parameters, now)?;
    valued.write(warehouse, now)?;
    Ok(ValueRefreshReport { model: valued.report })
}

impl RefreshInputs {
    /// Reads profiles, orders and contacts (orders on up to `threads` readers).
    pub fn read(
        warehouse: &Warehouse,
        parameters: &ValueParameters,
        as_of: Date,
        threads: usize,
    ) -> Result<Self, RefreshError> {
        let reader = warehouse.reader()?;
        let profiles = live_profiles(&reader)?;
        let contacts = read_contacts(&reader, as_of)?;
        let ReadOrders { currency, orders } = read_orders(warehouse, parameters, as_of, threads)?;
        let Some(currency) = currency else {
            return Err(RefreshError::NoCustomers { as_of, profiles: profiles.len() });
        };
        Ok(Self { as_of, currency, profiles, orders, contacts })
    }

    /// Fits the models and values every live profile (consumes the orders).
    pub fn value(
        mut self,
        parameters: &ValueParameters,
        now: Timestamp,
    ) -> Result<ValuedProfiles, RefreshError> {
        let as_of = self.as_of;
        let customers_with_orders = {
            let mut ids: Vec<i64> = self.orders.iter().map(|o| o.customer).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        };
        if customers_with_orders == 0 {
            return Err(RefreshError::NoCustomers { as_of, profiles: self.profiles.len() });
        }
        let valuation = value_customers(parameters, &self.currency, &mut self.orders, &self.contacts, as_of)
            .map_err(|source| RefreshError::Model { as_of, customers: customers_with_orders, source })?;
        let model_version = model_version(parameters, &valuation.model, as_of);

        // Live profiles and valued customers are both sorted by id: merge.
        let mut valued = valuation.customers.into_iter().peekable();
        let mut components = Vec::with_capacity(self.profiles.len());
        for profile in &self.profiles {
            while valued.next_if(|(id, _)| *id < profile.id).is_some() {}
            match valued.next_if(|(id, _)| *id == profile.id) {
                Some((_, c)) => components.push((profile.id, c)),
                None => components.push((
                    profile.id,
                    ValueComponents::no_purchases(&self.currency, parameters.horizon_months),
                )),
            }
        }
        let decile_input: Vec<Option<f64>> =
            components.iter().map(|(_, c)| (c.basis != Basis::NoPurchases).then_some(c.total)).collect();
        let no_purchases_json = ValueComponents::no_purchases_json(&self.currency, parameters.horizon_months);
        let deciles = deciles(&decile_input);
        let live = components.len() as u64;
        // Serialising the components is the costliest per-profile step:
        // it is split over the cores.
        let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8);
        let chunk = components.len().div_ceil(threads).max(1);
        let parts: Vec<Result<RowsPart, RefreshError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = components
                .chunks(chunk)
                .zip(deciles.chunks(chunk))
                .map(|(components, deciles)| {
                    let no_purchases_json = &no_purchases_json;
                    scope.spawn(move || value_rows(parameters, components, deciles, no_purchases_json))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(RefreshError::Data {
                            what: "profile values".into(),
                            detail: "a worker thread panicked".into(),
                        })
                    })
                })
                .collect()
        });
        let mut counts = ProfileCounts { live, ..ProfileCounts::default() };
        let mut rows = Vec::with_capacity(components.len());
        for part in parts {
            let part = part?;
            counts.repeat_purchases += part.counts.repeat_purchases;
            counts.single_purchase += part.counts.single_purchase;
            counts.no_purchases += part.counts.no_purchases;
            rows.extend(part.rows);
        }
        // Summed in profile order, as before the split, so the total is
        // reproducible to the last bit.
        let total_value: f64 = rows.iter().map(|r| r.value).sum();
        let computed_at = now.to_string();
        let report = ModelReport::new(
            &valuation.model,
            ReportContext {
                model_version: &model_version,
                as_of,
                computed_at: &computed_at,
                currency: &self.currency,
                parameters,
                profiles: counts,
                total_value,
            },
        );
        Ok(ValuedProfiles { rows, report })
    }
}

impl ValuedProfiles {
    /// Writes the rows (batched), removes stale ones and stores the report.
    pub fn write(&self, warehouse: &Warehouse, now: Timestamp) -> Result<(), RefreshError> {
        write_values(warehouse, &self.rows, &self.report.model_version, now)?;
        finish_refresh(warehouse, &self.report, now)
    }
}

/// The value rows of a run of profiles, with their counts.
struct RowsPart {
    rows: Vec<ValueRow>,
    counts: ProfileCounts,
}

fn value_rows(
    parameters: &ValueParameters,
    components: &[(i64, ValueComponents)],
    deciles: &[Option<u8>],
    no_purchases_json: &str,
) -> Result<RowsPart, RefreshError> {
    let mut part = RowsPart { rows: Vec::with_capacity(components.len()), counts: ProfileCounts::default() };
    for ((profile_id, c), &decile) in components.iter().zip(deciles) {
        match c.basis {
            Basis::RepeatPurchases => part.counts.repeat_purchases += 1,
            Basis::SinglePurchase => part.counts.single_purchase += 1,
            Basis::NoPurchases => part.counts.no_purchases += 1,
        }
        let components_json = if c.basis == Basis::NoPurchases {
            no_purchases_json.to_owned()
        } else {
            serde_json::to_string(c).map_err(|e| RefreshError::Data {
                what: format!("profile {profile_id}'s value components"),
                detail: e.to_string(),
            })?
        };
        part.rows.push(ValueRow {
            profile_id: *profile_id,
            value: c.total,
            tier: parameters.tier_for(c.total).map(|t| t.name.clone()),
            decile,
            components_json,
        });
    }
    Ok(part)
}

/// `v1-<as-of>-<8 hex>`: the method, the observation end, and a fingerprint
/// of the parameters and the fitted models. The same data and definition
/// give the same version.
fn model_version(parameters: &ValueParameters, model: &ModelFit, as_of: Date) -> String {
    let (p, s) = (model.purchases.model, model.spend.model);
    let fitted = format!(
        "{}|{:e}|{:e}|{:e}|{:e}|{:e}|{:e}|{:e}",
        parameters.describe(),
        p.r(),
        p.alpha(),
        p.a(),
        p.b(),
        s.p(),
        s.q(),
        s.gamma()
    );
    format!("{METHOD_VERSION}-{as_of}-{:08x}", fnv1a(fitted.as_bytes()) >> 32)
}

/// The `value` definition stored in the warehouse's vocabulary (the latest
/// version of the non-deprecated one), if any, with a name for messages.
pub fn stored_value_definition(conn: &Connection) -> Result<Option<(String, String)>, RefreshError> {
    use parlance_warehouse::OptionalExtension;
    let row = crate::inputs::sql(
        conn.query_row(
            "SELECT d.name, v.version, v.source_text FROM definitions d
               JOIN definition_versions v ON v.definition_id = d.id
             WHERE d.kind = 'value' AND d.deprecated = 0
             ORDER BY v.version DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)),
        )
        .optional(),
        "reading the value definition",
    )?;
    Ok(row.map(|(name, version, text)| (format!("definition value {name} v{version}"), text)))
}

/// The parameters in force: the warehouse's `value` definition when it has
/// one, else the built-in starter.
pub fn parameters_in_force(conn: &Connection) -> Result<ValueParameters, RefreshError> {
    match stored_value_definition(conn)? {
        Some((origin, text)) => Ok(ValueParameters::from_source(&text, &origin)?),
        None => Ok(ValueParameters::starter()?),
    }
}
