//! The refresh on real warehouses holding the demo company: one value row
//! per live profile, the edge-case policy, the direction of refunds and
//! support contacts, tiers and deciles, reruns, the stored model.

use parlance_value::{
    ValueComponents, ValueParameters, read_model_report, read_profile_value, read_value_history,
    refresh_values,
};
use parlance_warehouse::{Connection, Warehouse, params};

use crate::demo_warehouse::{AS_OF, at, demo_copy};

/// People in the shared test demo: enough customers (~600) to fit on.
const PEOPLE: u32 = 2_000;

fn refresh(warehouse: &Warehouse, seconds: i64) {
    refresh_values(warehouse, &ValueParameters::starter().unwrap(), AS_OF, at(seconds)).unwrap();
}

fn value_of(warehouse: &Warehouse, profile: i64) -> f64 {
    read_profile_value(&warehouse.reader().unwrap(), profile).unwrap().unwrap().value
}

fn components_of(warehouse: &Warehouse, profile: i64) -> ValueComponents {
    read_profile_value(&warehouse.reader().unwrap(), profile).unwrap().unwrap().components
}

fn ids(conn: &Connection, sql: &str) -> Vec<i64> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn every_live_profile_gets_exactly_one_value_row_and_merged_ones_none() {
    let (_dir, warehouse) = demo_copy(PEOPLE);
    refresh(&warehouse, 0);
    let r = warehouse.reader().unwrap();
    let live = ids(&r, "SELECT id FROM profiles WHERE merged_into IS NULL ORDER BY id");
    let valued = ids(&r, "SELECT profile_id FROM profile_value ORDER BY profile_id");
    assert_eq!(live, valued);
    let merged: i64 = r
        .query_row("SELECT count(*) FROM profiles WHERE merged_into IS NOT NULL", [], |row| row.get(0))
        .unwrap();
    assert!(merged > 0, "the demo merges some profiles");
    let history: i64 = r.query_row("SELECT count(*) FROM value_history", [], |row| row.get(0)).unwrap();
    assert_eq!(history as usize, live.len());
}

#[test]
fn profiles_without_purchases_anonymous_included_are_worth_zero_with_the_basis() {
    let (_dir, warehouse) = demo_copy(PEOPLE);
    refresh(&warehouse, 0);
    let r = warehouse.reader().unwrap();
    let without = ids(
        &r,
        "SELECT id FROM profiles p WHERE merged_into IS NULL
           AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.profile_id = p.id AND o.status != 'cancelled')",
    );
    let anonymous: Vec<i64> =
        ids(&r, "SELECT id FROM profiles WHERE merged_into IS NULL AND kind = 'anonymous'");
    assert!(anonymous.len() > 100 && without.len() > anonymous.len() / 2);
    for profile in without.iter().chain(&anonymous) {
        let stored = read_profile_value(&r, *profile).unwrap().unwrap();
        assert_eq!(stored.value, 0.0, "profile {profile}");
        let json: String = r
            .query_row("SELECT components_json FROM profile_value WHERE profile_id = ?1", [profile], |row| {
                row.get(0)
            })
            .unwrap();
        assert!(json.contains(r#""basis":"no purchases""#), "{json}");
        assert_eq!(stored.decile, None);
    }
    // Everyone with a purchase is valued by the models.
    let buyers = ids(&r, "SELECT DISTINCT profile_id FROM orders WHERE status != 'cancelled'");
    for profile in buyers.iter().take(200) {
        let c = components_of(&warehouse, *profile);
        assert_ne!(c.basis, parlance_value::Basis::NoPurchases, "profile {profile}");
        assert!(c.purchases > 0.0 && c.spend > 0.0 && c.probability_alive > 0.0);
    }
}

/// A repeat order (not on the first purchase day) of a repeat buyer who
/// has no refunds yet: (profile, order id, amount).
fn repeat_order(conn: &Connection) -> (i64, i64, f64) {
    conn.query_row(
        "SELECT o.profile_id, o.id, o.amount FROM orders o
         WHERE o.status = 'fulfilled'
           AND substr(o.ordered_at, 1, 10) > (SELECT min(substr(ordered_at, 1, 10)) FROM orders f WHERE f.profile_id = o.profile_id)
           AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.profile_id = o.profile_id AND x.refunded_amount > 0)
         ORDER BY o.profile_id LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn refunds_reduce_value() {
    let (_dir, warehouse) = demo_copy(PEOPLE);
    refresh(&warehouse, 0);
    let (profile, order, amount) = repeat_order(&warehouse.reader().unwrap());
    let before = components_of(&warehouse, profile);

    // A partial refund on a repeat order: lower spend, and a return.
    warehouse
        .write(|tx| {
            tx.execute(
                "UPDATE orders SET status = 'partially_refunded', refunded_amount = ?2 WHERE id = ?1",
                params![order, amount * 0.4],
            )
            .unwrap();
            Ok(())
        })
        .unwrap();
    refresh(&warehouse, 60);
    let partly = components_of(&warehouse, profile);
    assert!(partly.total < before.total, "{} !< {}", partly.total, before.total);
    assert!(partly.spend < before.spend);
    assert_eq!(partly.inputs.returns, before.inputs.returns + 1);
    assert!(partly.return_cost > before.return_cost);

    // The first order refunded in full: not part of the spend mean, but a return.
    let first: i64 = warehouse
        .reader()
        .unwrap()
        .query_row(
            "SELECT id FROM orders WHERE profile_id = ?1 ORDER BY ordered_at LIMIT 1",
            [profile],
            |r| r.get(0),
        )
        .unwrap();
    warehouse
        .write(|tx| {
            tx.execute(
                "UPDATE orders SET status = 'refunded', refunded_amount = amount WHERE id = ?1",
                [first],
            )
            .unwrap();
            Ok(())
        })
        .unwrap();
    refresh(&warehouse, 120);
    let fully = components_of(&warehouse, profile);
    assert!(fully.total < partly.total, "{} !< {}", fully.total, partly.total);
    assert!(fully.inputs.net_revenue < partly.inputs.net_revenue);
}

#[test]
fn more_support_contacts_with_the_same_purchases_lower_the_value() {
    let (_dir, warehouse) = demo_copy(PEOPLE);
    refresh(&warehouse, 0);
    let (profile, order, _) = repeat_order(&warehouse.reader().unwrap());
    let before = components_of(&warehouse, profile);
    let landing: i64 = warehouse
        .reader()
        .unwrap()
        .query_row("SELECT landing_id FROM orders WHERE id = ?1", [order], |r| r.get(0))
        .unwrap();
    warehouse
        .write(|tx| {
            for (i, channel) in ["phone", "phone", "email"].into_iter().enumerate() {
                tx.execute(
                    "INSERT INTO support_contacts(profile_id, source, source_contact_id, contacted_at, channel, reason, landing_id)
                     VALUES (?1, 'test', ?2, '2026-06-01T10:00:00Z', ?3, 'delivery', ?4)",
                    params![profile, format!("extra-{i}"), channel, landing],
                )
                .unwrap();
            }
            Ok(())
        })
        .unwrap();
    refresh(&warehouse, 60);
    let after = components_of(&warehouse, profile);
    assert_eq!(after.inputs.frequency, before.inputs.frequency, "same purchase history");
    assert!((after.margin - before.margin).abs() < 1e-6 * before.margin.abs().max(1.0));
    assert!(after.contact_cost > before.contact_cost);
    assert!(after.total < before.total, "{} !< {}", after.total, before.total);
}

#[test]
fn tiers_and_deciles_follow_the_values() {
    let (_dir, warehouse) = demo_copy(PEOPLE);
    refresh(&warehouse, 0);
    let parameters = ValueParameters::starter().unwrap();
    let r = warehouse.reader().unwrap();
    let mut stmt = r
        .prepare("SELECT value, tier, decile, components_json ->> '$.basis' FROM profile_value ORDER BY value DESC")
        .unwrap();
    let rows: Vec<(f64, Option<String>, Option<u8>, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (value, tier, _, _) in &rows {
        assert_eq!(tier.as_deref(), parameters.tier_for(*value).map(|t| t.name.as_str()), "value {value}");
    }
    let customers: Vec<(f64, u8)> =
        rows.iter().filter(|r| r.3 != "no purchases").map(|r| (r.0, r.2.unwrap())).collect();
    assert!(rows.iter().all(|r| (r.3 == "no purchases") == r.2.is_none()));
    // Sorted by value descending, deciles never go up; equal values share one.
    for pair in customers.windows(2) {
        assert!(pair[1].1 <= pair[0].1, "{pair:?}");
        if pair[0].0 == pair[1].0 {
            assert_eq!(pair[0].1, pair[1].1);
        }
    }
    let tenth = customers.len() / 10;
    for decile in 1..=10u8 {
        let n = customers.iter().filter(|c| c.1 == decile).count();
        assert!(
            n.abs_diff(tenth) <= 1 + customers.len() / 100,
            "decile {decile}: {n} of {}",
            customers.len()
        );
    }
    let tiers: Vec<&str> = rows.iter().filter_map(|r| r.1.as_deref()).collect();
    for name in ["top", "high", "medium", "low"] {
        assert!(tiers.contains(&name), "no profile in tier {name}");
    }
}

#[test]
fn a_rerun_on_the_same_data_gives_the_same_values_and_appends_history() {
    let (_dir, warehouse) = demo_copy(PEOPLE);
    refresh(&warehouse, 0);
    type Row = (i64, f64, Option<String>, Option<u8>, String, String);
    let snapshot = |w: &Warehouse| -> Vec<Row> {
        let r = w.reader().unwrap();
        let mut stmt = r
            .prepare("SELECT profile_id, value, tier, decile, components_json, model_version FROM profile_value ORDER BY 1")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let first = snapshot(&warehouse);
    refresh(&warehouse, 86_400);
    assert_eq!(snapshot(&warehouse), first);
    let r = warehouse.reader().unwrap();
    let profile = first.iter().find(|row| row.1 > 0.0).unwrap().0;
    let history = read_value_history(&r, profile).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].1, history[1].1);
    assert!(history[0].0 < history[1].0);
    let rows: i64 = r.query_row("SELECT count(*) FROM value_history", [], |row| row.get(0)).unwrap();
    assert_eq!(rows as usize, 2 * first.len());
    // The same instant again replaces its history rows instead of failing.
    refresh(&warehouse, 86_400);
    let rows: i64 = r.query_row("SELECT count(*) FROM value_history", [], |row| row.get(0)).unwrap();
    assert_eq!(rows as usize, 2 * first.len());
}

#[test]
fn the_model_is_stored_with_fit_quality_and_version() {
    let (_dir, warehouse) = demo_copy(PEOPLE);
    let outcome = refresh_values(&warehouse, &ValueParameters::starter().unwrap(), AS_OF, at(0)).unwrap();
    let stored = read_model_report(&warehouse.reader().unwrap()).unwrap().unwrap();
    // JSON keeps every figure to within an ulp or so.
    assert_eq!(stored.model_version, outcome.model.model_version);
    assert_eq!(stored.profiles, outcome.model.profiles);
    assert!((stored.bgnbd.log_likelihood - outcome.model.bgnbd.log_likelihood).abs() < 1e-9);
    assert!((stored.gamma_gamma.gamma - outcome.model.gamma_gamma.gamma).abs() < 1e-9);
    assert_eq!(stored.as_of, "2026-10-31");
    assert!(stored.model_version.starts_with("v1-2026-10-31-"), "{}", stored.model_version);
    assert!(stored.bgnbd.log_likelihood < 0.0 && stored.bgnbd.customers > 300);
    let holdout = stored.holdout.as_ref().expect("a two-year history has a hold-out period");
    // A third of the ~730 observed days (the first purchase is a few days in), under the 360-day horizon.
    assert!((230..=243).contains(&holdout.holdout_days), "{}", holdout.holdout_days);
    assert!(holdout.groups.iter().any(|g| g.pooled));
    let p = stored.profiles;
    assert_eq!(p.live, p.repeat_purchases + p.single_purchase + p.no_purchases);
    assert_eq!(stored.bgnbd.customers as u64, p.repeat_purchases + p.single_purchase);
    for channel in ["email", "phone"] {
        assert!(stored.cost_to_serve.contacts[channel].population_rate > 0.0, "{channel}");
    }
    assert!(stored.cost_to_serve.returns.population_rate > 0.0);
}

#[test]
fn merged_away_profiles_lose_their_value_row_on_the_next_refresh() {
    let (_dir, warehouse) = demo_copy(PEOPLE);
    refresh(&warehouse, 0);
    let r = warehouse.reader().unwrap();
    let anonymous =
        ids(&r, "SELECT id FROM profiles WHERE merged_into IS NULL AND kind = 'anonymous' LIMIT 2");
    warehouse
        .write(|tx| {
            tx.execute(
                "UPDATE profiles SET merged_into = ?1 WHERE id = ?2",
                params![anonymous[0], anonymous[1]],
            )
            .unwrap();
            Ok(())
        })
        .unwrap();
    refresh(&warehouse, 60);
    assert!(read_profile_value(&r, anonymous[1]).unwrap().is_none());
    assert!(read_profile_value(&r, anonymous[0]).unwrap().is_some());
    assert_eq!(value_of(&warehouse, anonymous[0]), 0.0);
}

#[test]
fn a_warehouse_without_customers_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let warehouse = Warehouse::open(&dir.path().join("empty.parlance")).unwrap();
    let error = refresh_values(&warehouse, &ValueParameters::starter().unwrap(), AS_OF, at(0)).unwrap_err();
    assert!(error.is_insufficient_data());
    assert!(error.to_string().contains("no customers with purchases"), "{error}");
}
