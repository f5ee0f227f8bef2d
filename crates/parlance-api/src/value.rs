//! The universal customer value: refit and revalue, the distribution, one
//! profile's value with its components.

use parlance_demo::DEMO_SETTING_KEY;
use parlance_identity::{IdKind, RawIdentifier, Rules, normalise};
use parlance_value::{
    BgNbdReport, ModelReport, RefreshError, StoredValue, parameters_in_force, read_distribution,
    read_model_report, read_profile_value, read_value_history, refresh_values,
};
use parlance_warehouse::{Connection, OptionalExtension, Timestamp, read_setting};
use time::Date;
use time::macros::format_description;

use crate::{
    ApiError, BgNbdDto, ErrorCode, GammaGammaDto, HoldoutDto, HoldoutGroupDto, Parlance, ProfileValueDto,
    ServeRateDto, ValueBasisCountDto, ValueComponentTotalsDto, ValueDecileDto, ValueInputsDto, ValueModelDto,
    ValuePointDto, ValueProfileCountsDto, ValueSummaryDto, ValueTierDto,
};

impl From<RefreshError> for ApiError {
    fn from(e: RefreshError) -> Self {
        if e.is_insufficient_data() {
            return ApiError::new(ErrorCode::InsufficientData, e.to_string());
        }
        match e {
            RefreshError::Warehouse(w) => w.into(),
            RefreshError::Parameters(_) => ApiError::invalid(e.to_string()),
            other => ApiError::new(ErrorCode::Internal, other.to_string()),
        }
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, format!("{what}: {e}"))
}

fn parse_as_of(text: &str) -> Result<Date, ApiError> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|e| ApiError::invalid(format!("as-of date {text:?} is not YYYY-MM-DD: {e}")))
}

impl Parlance {
    /// Refits the value models on the orders up to `as_of` (YYYY-MM-DD;
    /// default: the demo's history end on a demo warehouse, else the day
    /// before `today`) and revalues every live profile. Uses the warehouse's
    /// `value` definition, or the built-in starter when it has none.
    ///
    /// Errors: `insufficient-data` when nobody bought yet or nobody bought
    /// twice (the models cannot be fitted); `invalid-input` for a bad date
    /// or an invalid value definition (each error names its line, column
    /// and clause).
    pub fn fit_value(
        &self,
        as_of: Option<&str>,
        today: Date,
        now: Timestamp,
    ) -> Result<ValueModelDto, ApiError> {
        let reader = self.warehouse.reader()?;
        let as_of = match as_of {
            Some(text) => parse_as_of(text)?,
            None => default_as_of(&reader, today)?,
        };
        let parameters = parameters_in_force(&reader)?;
        let report = refresh_values(&self.warehouse, &parameters, as_of, now)?;
        Ok(model_dto(&report.model))
    }

    /// Revalues after new data landed (demo generation, syncs, imports):
    /// like [`Parlance::fit_value`] with the default as-of date, except that
    /// too little data is not an error — there is simply no value yet.
    pub(crate) fn refresh_value_after_import(&self, as_of: Date, now: Timestamp) -> Result<(), ApiError> {
        let parameters = parameters_in_force(&*self.warehouse.reader()?)?;
        match refresh_values(&self.warehouse, &parameters, as_of, now) {
            Ok(_) => Ok(()),
            Err(e) if e.is_insufficient_data() => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The distribution of value over live profiles: per tier and decile,
    /// totals and means, component totals, and the model behind it.
    pub fn value_summary(&self) -> Result<ValueSummaryDto, ApiError> {
        let reader = self.warehouse.reader()?;
        let model = stored_model(&reader)?;
        let d = read_distribution(&reader)?;
        let customers = model.profiles.repeat_purchases + model.profiles.single_purchase;
        let tiers = model
            .parameters
            .tiers
            .iter()
            .map(|t| {
                let (profiles, total) = d
                    .tiers
                    .iter()
                    .find(|(name, _, _)| name.as_deref() == Some(t.name.as_str()))
                    .map_or((0, 0.0), |&(_, n, v)| (n, v));
                ValueTierDto {
                    name: t.name.clone(),
                    title: t.title.clone(),
                    from: t.from,
                    profiles,
                    total_value: total,
                }
            })
            .collect();
        let deciles = d
            .deciles
            .iter()
            .filter_map(|&(decile, profiles, total_value)| {
                Some(ValueDecileDto { decile: decile?, profiles, total_value })
            })
            .collect();
        let c = d.components;
        Ok(ValueSummaryDto {
            profiles: d.profiles,
            total_value: d.total,
            mean_value: if d.profiles > 0 { d.total / d.profiles as f64 } else { 0.0 },
            mean_customer_value: if customers > 0 { d.total / customers as f64 } else { 0.0 },
            tiers,
            deciles,
            components: ValueComponentTotalsDto {
                purchases: c.purchases,
                margin: c.margin,
                cost_to_serve: c.cost_to_serve,
                contact_cost: c.contact_cost,
                return_cost: c.return_cost,
                expected_returns: c.expected_returns,
            },
            bases: d
                .bases
                .into_iter()
                .map(|(basis, profiles)| ValueBasisCountDto { basis, profiles })
                .collect(),
            model: model_dto(&model),
        })
    }

    /// One profile's value with every component and input, and its history.
    /// `profile` is a profile id, or an email, phone number or any other
    /// identifier (customer id, cookie) of the profile.
    pub fn profile_value(&self, profile: &str) -> Result<ProfileValueDto, ApiError> {
        let reader = self.warehouse.reader()?;
        stored_model(&reader)?;
        let (profile_id, matched, kind) = find_profile(&reader, profile)?;
        let Some(stored) = read_profile_value(&reader, profile_id)? else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("profile {profile_id} ({matched}) has no value yet: run `parlance value fit`"),
            ));
        };
        let history = read_value_history(&reader, profile_id)?
            .into_iter()
            .map(|(computed_at, value, model_version)| ValuePointDto { computed_at, value, model_version })
            .collect();
        Ok(profile_dto(stored, matched, kind, history))
    }
}

/// The demo's history end on a demo warehouse, else the day before `today`.
fn default_as_of(reader: &Connection, today: Date) -> Result<Date, ApiError> {
    let demo = read_setting(reader, DEMO_SETTING_KEY)?;
    match demo.as_ref().and_then(|v| v.get("as_of")?.as_str().map(str::to_owned)) {
        Some(stored) => parse_as_of(&stored),
        None => Ok(today.previous_day().unwrap_or(today)),
    }
}

fn stored_model(reader: &Connection) -> Result<ModelReport, ApiError> {
    read_model_report(reader)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InsufficientData,
            "no customer values yet: run `parlance value fit` (values are computed after every demo generation \
             and sync once there are customers who bought twice)",
        )
    })
}

/// Finds the live profile `query` names: a profile id (a merged-away id
/// leads to the profile it was merged into), or any identifier, normalised
/// as identity resolution normalises it (emails in any case, phones in any
/// format). Returns (profile id, what matched, kind).
fn find_profile(conn: &Connection, query: &str) -> Result<(i64, String, String), ApiError> {
    let text = query.trim();
    if text.is_empty() {
        return Err(ApiError::invalid(
            "no profile given: name a profile id, an email, a phone or a customer id",
        ));
    }
    let sql = |e: parlance_warehouse::SqliteError| internal("looking up a profile", e);
    if let Ok(id) = text.trim_start_matches('#').parse::<i64>() {
        let mut current = id;
        let mut matched = format!("profile {id}");
        for _ in 0..64 {
            let row: Option<(Option<i64>, String)> = conn
                .query_row("SELECT merged_into, kind FROM profiles WHERE id = ?1", [current], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(sql)?;
            match row {
                Some((Some(into), _)) => {
                    current = into;
                    matched = format!("profile {id} (merged into {into})");
                }
                Some((None, kind)) => return Ok((current, matched, kind)),
                None => break,
            }
        }
    }
    let mut kinds: Vec<String> = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT DISTINCT kind FROM identifiers ORDER BY kind").map_err(sql)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(sql)?;
        for kind in rows {
            kinds.push(kind.map_err(sql)?);
        }
    }
    let rules = Rules::default();
    let mut searched = vec!["profile ids".to_owned()];
    let mut found: Vec<(i64, String)> = Vec::new();
    for kind in &kinds {
        let Some(id_kind) = IdKind::parse(kind) else { continue };
        let value = match normalise(&RawIdentifier::new(id_kind, text), &rules) {
            Ok(identifier) => identifier.value,
            Err(_) => continue,
        };
        searched.push(format!("{kind} {value}"));
        let hit: Option<i64> = conn
            .query_row(
                "SELECT profile_id FROM identifiers WHERE kind = ?1 AND value = ?2",
                [kind, &value],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)?;
        if let Some(profile) = hit
            && !found.iter().any(|(p, _)| *p == profile)
        {
            found.push((profile, format!("{kind} {value}")));
        }
    }
    match found.as_slice() {
        [] => Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no profile matches {text:?} (searched {})", searched.join(", ")),
        )),
        [(profile, matched)] => {
            let kind: String = conn
                .query_row("SELECT kind FROM profiles WHERE id = ?1", [profile], |r| r.get(0))
                .map_err(sql)?;
            Ok((*profile, matched.clone(), kind))
        }
        several => Err(ApiError::invalid(format!(
            "{text:?} matches several profiles: {}; name one by its profile id",
            several.iter().map(|(p, m)| format!("{m} → profile {p}")).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn bgnbd_dto(b: &BgNbdReport) -> BgNbdDto {
    BgNbdDto {
        r: b.r,
        alpha: b.alpha,
        a: b.a,
        b: b.b,
        log_likelihood: b.log_likelihood,
        customers: b.customers as u64,
    }
}

fn model_dto(m: &ModelReport) -> ValueModelDto {
    let g = &m.gamma_gamma;
    let mut cost_to_serve: Vec<ServeRateDto> = m
        .cost_to_serve
        .contacts
        .iter()
        .map(|(channel, r)| ServeRateDto {
            kind: "contact".into(),
            channel: Some(channel.clone()),
            population_rate: r.population_rate,
            prior_purchases: r.prior_purchases,
            cost: r.cost,
        })
        .collect();
    let returns = &m.cost_to_serve.returns;
    cost_to_serve.push(ServeRateDto {
        kind: "return".into(),
        channel: None,
        population_rate: returns.population_rate,
        prior_purchases: returns.prior_purchases,
        cost: returns.cost,
    });
    ValueModelDto {
        model_version: m.model_version.clone(),
        as_of: m.as_of.clone(),
        computed_at: m.computed_at.clone(),
        currency: m.currency.clone(),
        parameters_origin: m.parameters.origin.clone(),
        horizon_months: m.parameters.horizon_months,
        monthly_discount_rate: m.parameters.monthly_discount_rate,
        bgnbd: bgnbd_dto(&m.bgnbd),
        gamma_gamma: GammaGammaDto {
            p: g.p,
            q: g.q,
            gamma: g.gamma,
            log_likelihood: g.log_likelihood,
            customers: g.customers as u64,
            population_mean_spend: g.population_mean_spend,
        },
        holdout: m.holdout.as_ref().map(|h| HoldoutDto {
            calibration_end: h.calibration_end.clone(),
            holdout_days: h.holdout_days,
            bgnbd: bgnbd_dto(&h.bgnbd),
            groups: h
                .groups
                .iter()
                .map(|g| HoldoutGroupDto {
                    frequency: g.frequency,
                    pooled: g.pooled,
                    customers: g.customers as u64,
                    mean_predicted: g.mean_predicted,
                    mean_actual: g.mean_actual,
                })
                .collect(),
        }),
        holdout_error: m.holdout_error.clone(),
        cost_to_serve,
        profiles: ValueProfileCountsDto {
            live: m.profiles.live,
            repeat_purchases: m.profiles.repeat_purchases,
            single_purchase: m.profiles.single_purchase,
            no_purchases: m.profiles.no_purchases,
        },
        total_value: m.total_value,
    }
}

fn profile_dto(
    stored: StoredValue,
    matched: String,
    kind: String,
    history: Vec<ValuePointDto>,
) -> ProfileValueDto {
    let c = stored.components;
    let basis =
        serde_json::to_value(c.basis).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let i = c.inputs;
    ProfileValueDto {
        profile_id: stored.profile_id,
        matched,
        kind,
        basis,
        value: stored.value,
        currency: c.currency,
        tier: stored.tier,
        decile: stored.decile,
        model_version: stored.model_version,
        computed_at: stored.computed_at,
        horizon_months: c.horizon_months,
        purchases: c.purchases,
        discounted_purchases: c.discounted_purchases,
        probability_alive: c.probability_alive,
        spend: c.spend,
        margin_rate: c.margin_rate,
        margin: c.margin,
        cost_to_serve: c.cost_to_serve,
        contact_cost: c.contact_cost,
        return_cost: c.return_cost,
        expected_contacts: c.expected_contacts,
        expected_returns: c.expected_returns,
        inputs: ValueInputsDto {
            frequency: i.frequency,
            recency_days: i.recency_days,
            age_days: i.age_days,
            first_purchase: i.first_purchase,
            last_purchase: i.last_purchase,
            monetary_value: i.monetary_value,
            monetary_days: i.monetary_days,
            orders: i.orders,
            net_revenue: i.net_revenue,
            other_currency_orders: i.other_currency_orders,
            returns: i.returns,
            contacts: i.contacts,
            contact_rates: i.contact_rates,
            return_rate: i.return_rate,
        },
        history,
    }
}
