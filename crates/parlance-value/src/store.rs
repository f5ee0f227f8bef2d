//! The value's tables and setting: writing `profile_value`, appending
//! `value_history`, storing the model report (`value.model`), and reading
//! them back for the API.

use parlance_warehouse::{
    Connection, OptionalExtension, Timestamp, Transaction, Warehouse, params, read_setting,
};

use crate::inputs::sql;
use crate::refresh::RefreshError;
use crate::report::ModelReport;
use crate::universal::ValueComponents;

/// The setting holding the last refresh's [`ModelReport`].
pub const MODEL_SETTING_KEY: &str = "value.model";

/// Profiles written per write transaction: big enough that transaction
/// overhead does not matter, small enough that a sync waiting for the
/// writer never waits long.
pub const WRITE_BATCH: usize = 20_000;

/// One profile's value as it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    /// `profiles.id`.
    pub profile_id: i64,
    /// The value.
    pub value: f64,
    /// The components as JSON.
    pub components_json: String,
    /// Tier name, when the definition has tiers.
    pub tier: Option<String>,
    /// Decile, 10 = top; `None` for profiles without purchases.
    pub decile: Option<u8>,
}

/// One profile's stored value, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredValue {
    /// `profiles.id`.
    pub profile_id: i64,
    /// The value.
    pub value: f64,
    /// Its components and inputs.
    pub components: ValueComponents,
    /// Tier name.
    pub tier: Option<String>,
    /// Decile, 10 = top.
    pub decile: Option<u8>,
    /// Model version that computed it.
    pub model_version: String,
    /// When (RFC 3339).
    pub computed_at: String,
}

/// Upserts `rows` into `profile_value` and appends them to `value_history`,
/// [`WRITE_BATCH`] profiles per transaction. A second refresh at the same
/// instant replaces that instant's history rows rather than failing.
pub fn write_values(
    warehouse: &Warehouse,
    rows: &[ValueRow],
    model_version: &str,
    now: Timestamp,
) -> Result<(), RefreshError> {
    let computed_at = now.to_string();
    for batch in rows.chunks(WRITE_BATCH) {
        warehouse.write(|tx| write_batch(tx, batch, model_version, &computed_at))?;
    }
    Ok(())
}

fn write_batch(
    tx: &Transaction<'_>,
    batch: &[ValueRow],
    model_version: &str,
    computed_at: &str,
) -> parlance_warehouse::WarehouseResult<()> {
    let what = "writing profile values";
    let mut upsert = sql(
        tx.prepare_cached(
            "INSERT INTO profile_value(profile_id, value, components_json, tier, decile, model_version, computed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(profile_id) DO UPDATE SET value = excluded.value, components_json = excluded.components_json,
               tier = excluded.tier, decile = excluded.decile, model_version = excluded.model_version,
               computed_at = excluded.computed_at",
        ),
        what,
    )?;
    let mut history = sql(
        tx.prepare_cached(
            "INSERT OR REPLACE INTO value_history(profile_id, computed_at, value, model_version) VALUES (?1, ?2, ?3, ?4)",
        ),
        what,
    )?;
    for row in batch {
        sql(
            upsert.execute(params![
                row.profile_id,
                row.value,
                row.components_json,
                row.tier,
                row.decile,
                model_version,
                computed_at
            ]),
            what,
        )?;
        sql(history.execute(params![row.profile_id, computed_at, row.value, model_version]), what)?;
    }
    Ok(())
}

/// Ends a refresh: removes value rows this refresh did not write (profiles
/// merged away since the last one) and stores the model report, in one
/// transaction.
pub fn finish_refresh(
    warehouse: &Warehouse,
    report: &ModelReport,
    now: Timestamp,
) -> Result<(), RefreshError> {
    let json = serde_json::to_value(report)
        .map_err(|e| RefreshError::Data { what: "the model report".into(), detail: e.to_string() })?;
    warehouse.write(|tx| {
        sql(
            tx.execute("DELETE FROM profile_value WHERE computed_at != ?1", [now.to_string()]),
            "removing stale values",
        )?;
        parlance_warehouse::write_setting(tx, MODEL_SETTING_KEY, &json)
    })?;
    Ok(())
}

/// The last refresh's model report; `None` before the first refresh.
pub fn read_model_report(conn: &Connection) -> Result<Option<ModelReport>, RefreshError> {
    let Some(json) = read_setting(conn, MODEL_SETTING_KEY)? else { return Ok(None) };
    serde_json::from_value(json).map(Some).map_err(|e| RefreshError::Data {
        what: format!("the `{MODEL_SETTING_KEY}` setting"),
        detail: format!("not a value model report ({e}); run `parlance value fit` to rewrite it"),
    })
}

/// One profile's stored value; `None` when it has none.
pub fn read_profile_value(conn: &Connection, profile_id: i64) -> Result<Option<StoredValue>, RefreshError> {
    let what = "reading a profile's value";
    let row = sql(
        conn.query_row(
            "SELECT value, components_json, tier, decile, model_version, computed_at FROM profile_value WHERE profile_id = ?1",
            [profile_id],
            |r| {
                Ok((
                    r.get::<_, f64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<u8>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            },
        )
        .optional(),
        what,
    )?;
    let Some((value, json, tier, decile, model_version, computed_at)) = row else { return Ok(None) };
    let components = serde_json::from_str(&json).map_err(|e| RefreshError::Data {
        what: format!("profile {profile_id}'s value components"),
        detail: format!("{e}; run `parlance value fit` to recompute them"),
    })?;
    Ok(Some(StoredValue { profile_id, value, components, tier, decile, model_version, computed_at }))
}

/// A profile's value over time: (computed at, value, model version), oldest first.
pub fn read_value_history(
    conn: &Connection,
    profile_id: i64,
) -> Result<Vec<(String, f64, String)>, RefreshError> {
    let what = "reading value history";
    let mut stmt = sql(
        conn.prepare(
            "SELECT computed_at, value, model_version FROM value_history WHERE profile_id = ?1 ORDER BY computed_at",
        ),
        what,
    )?;
    let rows = sql(stmt.query_map([profile_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))), what)?;
    Ok(sql(rows.collect::<Result<Vec<_>, _>>(), what)?)
}

/// The distribution of stored values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distribution {
    /// Profiles with a value.
    pub profiles: u64,
    /// Sum of values.
    pub total: f64,
    /// (tier, profiles, total value), as stored (no tier: `None`).
    pub tiers: Vec<(Option<String>, u64, f64)>,
    /// (decile, profiles, total value), 10 first; `None` = no purchases.
    pub deciles: Vec<(Option<u8>, u64, f64)>,
    /// (basis, profiles).
    pub bases: Vec<(String, u64)>,
    /// Sums of the components over all profiles.
    pub components: ComponentTotals,
}

/// Sums of the value components over all profiles.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ComponentTotals {
    /// Expected purchases.
    pub purchases: f64,
    /// Discounted expected margin.
    pub margin: f64,
    /// Discounted expected cost to serve.
    pub cost_to_serve: f64,
    /// Of which support contacts.
    pub contact_cost: f64,
    /// Of which returns.
    pub return_cost: f64,
    /// Expected returns.
    pub expected_returns: f64,
}

/// Aggregates `profile_value` (in SQL, on a reader).
pub fn read_distribution(conn: &Connection) -> Result<Distribution, RefreshError> {
    let what = "summarising profile values";
    let mut d = Distribution::default();
    let (profiles, total, purchases, margin, cost, contact, returns, expected_returns) = sql(
        conn.query_row(
            "SELECT count(*), coalesce(sum(value), 0),
                    coalesce(sum(components_json ->> '$.purchases'), 0), coalesce(sum(components_json ->> '$.margin'), 0),
                    coalesce(sum(components_json ->> '$.cost_to_serve'), 0), coalesce(sum(components_json ->> '$.contact_cost'), 0),
                    coalesce(sum(components_json ->> '$.return_cost'), 0), coalesce(sum(components_json ->> '$.expected_returns'), 0)
             FROM profile_value",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
        ),
        what,
    )?;
    d.profiles = profiles;
    d.total = total;
    d.components = ComponentTotals {
        purchases,
        margin,
        cost_to_serve: cost,
        contact_cost: contact,
        return_cost: returns,
        expected_returns,
    };
    let mut tiers =
        sql(conn.prepare("SELECT tier, count(*), sum(value) FROM profile_value GROUP BY tier"), what)?;
    d.tiers = sql(
        sql(tiers.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))), what)?.collect::<Result<_, _>>(),
        what,
    )?;
    let mut deciles = sql(
        conn.prepare(
            "SELECT decile, count(*), sum(value) FROM profile_value GROUP BY decile ORDER BY decile DESC",
        ),
        what,
    )?;
    d.deciles = sql(
        sql(deciles.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))), what)?
            .collect::<Result<_, _>>(),
        what,
    )?;
    let mut bases = sql(
        conn.prepare(
            "SELECT components_json ->> '$.basis', count(*) FROM profile_value GROUP BY 1 ORDER BY 1",
        ),
        what,
    )?;
    d.bases = sql(
        sql(
            bases.query_map([], |r| Ok((r.get::<_, Option<String>>(0)?.unwrap_or_default(), r.get(1)?))),
            what,
        )?
        .collect::<Result<_, _>>(),
        what,
    )?;
    Ok(d)
}
