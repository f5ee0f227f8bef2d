//! Snapshots of the SQL the compiler generates, one per construct, with the
//! parameters it binds; and the fuzz harness's promises, run as a property
//! test on generated and mangled definitions.

use expect_test::{Expect, expect};
use parlance_vocabulary::fuzzing::{catalog, compile_everything};
use parlance_vocabulary::{Date, Program, compile_score, compile_segment, compile_stages};
use proptest::prelude::*;

fn today() -> Date {
    Date::new(2025, 3, 31).unwrap()
}

/// Compiles `segment s where CONDITION` (after `prelude` definitions) and
/// snapshots the SQL and its parameters.
fn check_sql(condition: &str, expect: Expect) {
    check_sql_with("", condition, expect);
}

fn check_sql_with(prelude: &str, condition: &str, expect: Expect) {
    let text = format!("{prelude}\nsegment s\n  where {condition}\n");
    let program = Program::new(text.clone(), &catalog());
    let errors: Vec<_> = program.analysis().diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{text}: {errors:?}");
    let query = compile_segment(&program, "s", today()).unwrap();
    expect.assert_eq(&query.annotated());
}

#[test]
fn comparison_with_a_trait() {
    check_sql(
        r#"trait.city = "Paris""#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND coalesce((SELECT (CASE WHEN json_type(t1.value_json, '$') = 'text' THEN json_extract(t1.value_json, '$') END) FROM traits t1 WHERE t1.profile_id = p0.id AND t1.key = ?1 ORDER BY t1.observed_at DESC, t1.source DESC LIMIT 1) = ?2, 0)
            -- ?1 = "city" (name)
            -- ?2 = "Paris" (literal)
        "#]],
    );
}

#[test]
fn not_equal_and_numbers() {
    check_sql(
        r#"survey.nps != 5 and value.total >= 100 and value.cost_to_serve < 2.5"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (coalesce((SELECT (CASE WHEN json_type(t1.value_json, '$') IN ('integer', 'real') THEN json_extract(t1.value_json, '$') END) FROM traits t1 WHERE t1.profile_id = p0.id AND t1.key = ?1 ORDER BY t1.observed_at DESC, t1.source DESC LIMIT 1) != ?2, 0) AND coalesce((SELECT v2.value FROM profile_value v2 WHERE v2.profile_id = p0.id) >= ?3, 0) AND coalesce((SELECT (CASE WHEN json_type(v3.components_json, ?4) IN ('integer', 'real') THEN json_extract(v3.components_json, ?4) END) FROM profile_value v3 WHERE v3.profile_id = p0.id) < ?5, 0))
            -- ?1 = "survey.nps" (name)
            -- ?2 = 5.0 (literal)
            -- ?3 = 100.0 (literal)
            -- ?4 = "$.\"cost_to_serve\"" (name)
            -- ?5 = 2.5 (literal)
        "#]],
    );
}

#[test]
fn in_list_and_not_in() {
    check_sql(
        r#"value.tier in ["top", "high"] and survey.preferred_channel not in ["sms"]"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (coalesce((SELECT v1.tier FROM profile_value v1 WHERE v1.profile_id = p0.id) IN (?1, ?2), 0) AND (NOT coalesce((SELECT (CASE WHEN json_type(t2.value_json, '$') = 'text' THEN json_extract(t2.value_json, '$') END) FROM traits t2 WHERE t2.profile_id = p0.id AND t2.key = ?3 ORDER BY t2.observed_at DESC, t2.source DESC LIMIT 1) IN (?4), 0)))
            -- ?1 = "top" (literal)
            -- ?2 = "high" (literal)
            -- ?3 = "survey.preferred_channel" (name)
            -- ?4 = "sms" (literal)
        "#]],
    );
}

#[test]
fn contains_starts_with_matches() {
    check_sql(
        r#"trait.city contains "ar" or trait.city starts-with "Pa" or trait.city matches "^P.*s$" or trait.interests contains "run""#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (coalesce(instr((SELECT (CASE WHEN json_type(t1.value_json, '$') = 'text' THEN json_extract(t1.value_json, '$') END) FROM traits t1 WHERE t1.profile_id = p0.id AND t1.key = ?1 ORDER BY t1.observed_at DESC, t1.source DESC LIMIT 1), ?2) > 0, 0) OR coalesce(substr((SELECT (CASE WHEN json_type(t2.value_json, '$') = 'text' THEN json_extract(t2.value_json, '$') END) FROM traits t2 WHERE t2.profile_id = p0.id AND t2.key = ?3 ORDER BY t2.observed_at DESC, t2.source DESC LIMIT 1), 1, length(?4)) = ?4, 0) OR coalesce(parlance_regexp(?6, (SELECT (CASE WHEN json_type(t3.value_json, '$') = 'text' THEN json_extract(t3.value_json, '$') END) FROM traits t3 WHERE t3.profile_id = p0.id AND t3.key = ?5 ORDER BY t3.observed_at DESC, t3.source DESC LIMIT 1)), 0) OR coalesce((SELECT 1 FROM json_each((SELECT (CASE WHEN json_type(t4.value_json, '$') = 'array' THEN json_extract(t4.value_json, '$') END) FROM traits t4 WHERE t4.profile_id = p0.id AND t4.key = ?7 ORDER BY t4.observed_at DESC, t4.source DESC LIMIT 1)) j5 WHERE (CASE WHEN j5.type = 'text' THEN j5.value END) = ?8 LIMIT 1), 0))
            -- ?1 = "city" (name)
            -- ?2 = "ar" (literal)
            -- ?3 = "city" (name)
            -- ?4 = "Pa" (literal)
            -- ?5 = "city" (name)
            -- ?6 = "^P.*s$" (literal)
            -- ?7 = "interests" (name)
            -- ?8 = "run" (literal)
        "#]],
    );
}

#[test]
fn between_and_is_set() {
    check_sql(
        r#"survey.nps between 0 and 6 and trait.birthday is-set and orders.last_at is-not-set"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (coalesce((SELECT (CASE WHEN json_type(t1.value_json, '$') IN ('integer', 'real') THEN json_extract(t1.value_json, '$') END) FROM traits t1 WHERE t1.profile_id = p0.id AND t1.key = ?1 ORDER BY t1.observed_at DESC, t1.source DESC LIMIT 1) BETWEEN ?2 AND ?3, 0) AND ((SELECT parlance_date(CASE WHEN json_type(t2.value_json, '$') = 'text' THEN json_extract(t2.value_json, '$') END) FROM traits t2 WHERE t2.profile_id = p0.id AND t2.key = ?4 ORDER BY t2.observed_at DESC, t2.source DESC LIMIT 1) IS NOT NULL) AND ((SELECT substr(max(o3.ordered_at), 1, 10) FROM orders o3 WHERE o3.profile_id = p0.id AND o3.ordered_at < ?5 AND o3.status != 'cancelled') IS NULL))
            -- ?1 = "survey.nps" (name)
            -- ?2 = 0.0 (literal)
            -- ?3 = 6.0 (literal)
            -- ?4 = "birthday" (name)
            -- ?5 = "2025-04-01" (end)
        "#]],
    );
}

#[test]
fn bool_fields_and_literals() {
    check_sql(
        r#"is_known and not trait.vip and trait.vip != false"#,
        expect![[r#"
        SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (coalesce((p0.kind = 'person') = 1, 0) AND (NOT coalesce((SELECT (CASE json_type(t1.value_json, '$') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END) FROM traits t1 WHERE t1.profile_id = p0.id AND t1.key = ?1 ORDER BY t1.observed_at DESC, t1.source DESC LIMIT 1) = 1, 0)) AND coalesce((SELECT (CASE json_type(t2.value_json, '$') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END) FROM traits t2 WHERE t2.profile_id = p0.id AND t2.key = ?2 ORDER BY t2.observed_at DESC, t2.source DESC LIMIT 1) != ?3, 0))
        -- ?1 = "vip" (name)
        -- ?2 = "vip" (name)
        -- ?3 = 0 (literal)
    "#]],
    );
}

#[test]
fn features_and_relative_dates() {
    check_sql(
        r#"orders.count >= 2 and orders.last_at < today - 1m and support.contacts = 0 and profile.first_seen >= 2025-01-31 + 1m"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (coalesce((SELECT count(*) FROM orders o1 WHERE o1.profile_id = p0.id AND o1.ordered_at < ?1 AND o1.status != 'cancelled') >= ?2, 0) AND coalesce((SELECT substr(max(o2.ordered_at), 1, 10) FROM orders o2 WHERE o2.profile_id = p0.id AND o2.ordered_at < ?1 AND o2.status != 'cancelled') < ?3, 0) AND coalesce((SELECT count(*) FROM support_contacts s3 WHERE s3.profile_id = p0.id AND s3.contacted_at < ?1) = ?4, 0) AND coalesce((SELECT substr(min(e4.occurred_at), 1, 10) FROM events e4 WHERE e4.profile_id = p0.id AND e4.occurred_at < ?1) >= ?5, 0))
            -- ?1 = "2025-04-01" (end)
            -- ?2 = 2.0 (literal)
            -- ?3 = "2025-02-28" (derived)
            -- ?4 = 0.0 (literal)
            -- ?5 = "2025-02-28" (derived)
        "#]],
    );
}

#[test]
fn count_within_a_window_is_a_set() {
    check_sql(
        r#"count(email.opened within 30d) >= 1"#,
        expect![[r#"
        SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (p0.id IN (SELECT e1.profile_id FROM events e1 WHERE e1.name = ?1 AND e1.channel = ?2 AND e1.occurred_at < ?3 AND e1.occurred_at >= ?4 GROUP BY e1.profile_id HAVING coalesce(count(*) >= ?5, 0)))
        -- ?1 = "opened" (name)
        -- ?2 = "email" (name)
        -- ?3 = "2025-04-01" (end)
        -- ?4 = "2025-03-01" (derived)
        -- ?5 = 1.0 (literal)
    "#]],
    );
}

#[test]
fn an_aggregate_that_holds_without_events_is_a_not_in_set() {
    check_sql(
        r#"count(support.call where reason = "billing" within 1y) < 2"#,
        expect![[r#"
        SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (p0.id NOT IN (SELECT e1.profile_id FROM events e1 WHERE e1.name = ?1 AND e1.channel = ?2 AND e1.occurred_at < ?3 AND e1.occurred_at >= ?4 AND coalesce((CASE WHEN json_type(e1.properties_json, ?5) = 'text' THEN json_extract(e1.properties_json, ?5) END) = ?6, 0) GROUP BY e1.profile_id HAVING NOT coalesce(count(*) < ?7, 0)))
        -- ?1 = "call" (name)
        -- ?2 = "support" (name)
        -- ?3 = "2025-04-01" (end)
        -- ?4 = "2024-03-31" (derived)
        -- ?5 = "$.\"reason\"" (name)
        -- ?6 = "billing" (literal)
        -- ?7 = 2.0 (literal)
    "#]],
    );
}

#[test]
fn sum_avg_min_max_distinct() {
    check_sql(
        r#"sum(shop.order_placed.revenue between 2025-01-01 and 2025-03-31) > 100
    and avg(web.page_view.seconds) >= 30
    and min(shop.order_placed.item_count) = 1
    and max(web.page_view.day within 1m) >= today - 7d
    and distinct(email.opened.campaign_id) >= 3"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND ((p0.id IN (SELECT e1.profile_id FROM events e1 WHERE e1.name = ?1 AND e1.channel = ?2 AND e1.occurred_at < ?3 AND e1.occurred_at >= ?4 AND e1.occurred_at < ?5 GROUP BY e1.profile_id HAVING coalesce(total(e1.revenue) > ?6, 0))) AND (p0.id IN (SELECT e2.profile_id FROM events e2 WHERE e2.name = ?7 AND e2.channel = ?8 AND e2.occurred_at < ?3 GROUP BY e2.profile_id HAVING coalesce(avg((CASE WHEN json_type(e2.properties_json, ?9) IN ('integer', 'real') THEN json_extract(e2.properties_json, ?9) END)) >= ?10, 0))) AND (p0.id IN (SELECT e3.profile_id FROM events e3 WHERE e3.name = ?11 AND e3.channel = ?12 AND e3.occurred_at < ?3 GROUP BY e3.profile_id HAVING coalesce(min((CASE WHEN json_type(e3.properties_json, ?13) IN ('integer', 'real') THEN json_extract(e3.properties_json, ?13) END)) = ?14, 0))) AND (p0.id IN (SELECT e4.profile_id FROM events e4 WHERE e4.name = ?15 AND e4.channel = ?16 AND e4.occurred_at < ?3 AND e4.occurred_at >= ?17 GROUP BY e4.profile_id HAVING coalesce(max(parlance_date(CASE WHEN json_type(e4.properties_json, ?18) = 'text' THEN json_extract(e4.properties_json, ?18) END)) >= ?19, 0))) AND (p0.id IN (SELECT e5.profile_id FROM events e5 WHERE e5.name = ?20 AND e5.channel = ?21 AND e5.occurred_at < ?3 GROUP BY e5.profile_id HAVING coalesce(count(DISTINCT (CASE WHEN json_type(e5.properties_json, ?22) = 'text' THEN json_extract(e5.properties_json, ?22) END)) >= ?23, 0))))
            -- ?1 = "order_placed" (name)
            -- ?2 = "shop" (name)
            -- ?3 = "2025-04-01" (end)
            -- ?4 = "2025-01-01" (literal)
            -- ?5 = "2025-04-01" (derived)
            -- ?6 = 100.0 (literal)
            -- ?7 = "page_view" (name)
            -- ?8 = "web" (name)
            -- ?9 = "$.\"seconds\"" (name)
            -- ?10 = 30.0 (literal)
            -- ?11 = "order_placed" (name)
            -- ?12 = "shop" (name)
            -- ?13 = "$.\"item_count\"" (name)
            -- ?14 = 1.0 (literal)
            -- ?15 = "page_view" (name)
            -- ?16 = "web" (name)
            -- ?17 = "2025-02-28" (derived)
            -- ?18 = "$.\"day\"" (name)
            -- ?19 = "2025-03-24" (derived)
            -- ?20 = "opened" (name)
            -- ?21 = "email" (name)
            -- ?22 = "$.\"campaign_id\"" (name)
            -- ?23 = 3.0 (literal)
        "#]],
    );
}

#[test]
fn first_and_last() {
    check_sql(
        r#"last(shop.order_placed).at < today - 90d and first(web.page_view).path = "/" and last(email.clicked).url is-set"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND ((p0.id IN (SELECT e1.profile_id FROM events e1 WHERE e1.name = ?1 AND e1.channel = ?2 AND e1.occurred_at < ?3 GROUP BY e1.profile_id HAVING coalesce(substr(max(e1.occurred_at), 1, 10) < ?4, 0))) AND coalesce((SELECT (CASE WHEN json_type(e2.properties_json, ?7) = 'text' THEN json_extract(e2.properties_json, ?7) END) FROM events e2 WHERE e2.profile_id = p0.id AND e2.name = ?5 AND e2.channel = ?6 AND e2.occurred_at < ?3 ORDER BY e2.occurred_at ASC, e2.id ASC LIMIT 1) = ?8, 0) AND ((SELECT (CASE WHEN json_type(e3.properties_json, ?11) = 'text' THEN json_extract(e3.properties_json, ?11) END) FROM events e3 WHERE e3.profile_id = p0.id AND e3.name = ?9 AND e3.channel = ?10 AND e3.occurred_at < ?3 ORDER BY e3.occurred_at DESC, e3.id DESC LIMIT 1) IS NOT NULL))
            -- ?1 = "order_placed" (name)
            -- ?2 = "shop" (name)
            -- ?3 = "2025-04-01" (end)
            -- ?4 = "2024-12-31" (derived)
            -- ?5 = "page_view" (name)
            -- ?6 = "web" (name)
            -- ?7 = "$.\"path\"" (name)
            -- ?8 = "/" (literal)
            -- ?9 = "clicked" (name)
            -- ?10 = "email" (name)
            -- ?11 = "$.\"url\"" (name)
        "#]],
    );
}

#[test]
fn aggregate_compared_with_a_field_is_scalar() {
    check_sql(
        r#"count(email.opened between orders.first_at and orders.first_at + 30d) > orders.count"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND coalesce((SELECT count(*) FROM events e1 WHERE e1.profile_id = p0.id AND e1.name = ?1 AND e1.channel = ?2 AND e1.occurred_at < ?3 AND substr(e1.occurred_at, 1, 10) BETWEEN (SELECT substr(min(o2.ordered_at), 1, 10) FROM orders o2 WHERE o2.profile_id = p0.id AND o2.ordered_at < ?3 AND o2.status != 'cancelled') AND parlance_date_add((SELECT substr(min(o3.ordered_at), 1, 10) FROM orders o3 WHERE o3.profile_id = p0.id AND o3.ordered_at < ?3 AND o3.status != 'cancelled'), ?4, ?5)) > (SELECT count(*) FROM orders o4 WHERE o4.profile_id = p0.id AND o4.ordered_at < ?3 AND o4.status != 'cancelled'), 0)
            -- ?1 = "opened" (name)
            -- ?2 = "email" (name)
            -- ?3 = "2025-04-01" (end)
            -- ?4 = 0 (derived)
            -- ?5 = 30 (derived)
        "#]],
    );
}

#[test]
fn filters_on_properties() {
    check_sql(
        r#"count(web.page_view where path = "/" and seconds >= 30 and first and at >= today - 7d within 14d) >= 2
    and count(shop.order_placed where categories contains "home") >= 1"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND ((p0.id IN (SELECT e1.profile_id FROM events e1 WHERE e1.name = ?1 AND e1.channel = ?2 AND e1.occurred_at < ?3 AND e1.occurred_at >= ?4 AND (coalesce((CASE WHEN json_type(e1.properties_json, ?5) = 'text' THEN json_extract(e1.properties_json, ?5) END) = ?6, 0) AND coalesce((CASE WHEN json_type(e1.properties_json, ?7) IN ('integer', 'real') THEN json_extract(e1.properties_json, ?7) END) >= ?8, 0) AND coalesce((CASE json_type(e1.properties_json, ?9) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END) = 1, 0) AND coalesce(substr(e1.occurred_at, 1, 10) >= ?10, 0)) GROUP BY e1.profile_id HAVING coalesce(count(*) >= ?11, 0))) AND (p0.id IN (SELECT e2.profile_id FROM events e2 WHERE e2.name = ?12 AND e2.channel = ?13 AND e2.occurred_at < ?3 AND coalesce((SELECT 1 FROM json_each((CASE WHEN json_type(e2.properties_json, ?14) = 'array' THEN json_extract(e2.properties_json, ?14) END)) j3 WHERE (CASE WHEN j3.type = 'text' THEN j3.value END) = ?15 LIMIT 1), 0) GROUP BY e2.profile_id HAVING coalesce(count(*) >= ?16, 0))))
            -- ?1 = "page_view" (name)
            -- ?2 = "web" (name)
            -- ?3 = "2025-04-01" (end)
            -- ?4 = "2025-03-17" (derived)
            -- ?5 = "$.\"path\"" (name)
            -- ?6 = "/" (literal)
            -- ?7 = "$.\"seconds\"" (name)
            -- ?8 = 30.0 (literal)
            -- ?9 = "$.\"first\"" (name)
            -- ?10 = "2025-03-24" (derived)
            -- ?11 = 2.0 (literal)
            -- ?12 = "order_placed" (name)
            -- ?13 = "shop" (name)
            -- ?14 = "$.\"categories\"" (name)
            -- ?15 = "home" (literal)
            -- ?16 = 1.0 (literal)
        "#]],
    );
}

#[test]
fn sequence_then_within() {
    check_sql(
        r#"web.page_view then shop.order_placed within 7d"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (p0.id IN (SELECT a1.profile_id FROM events a1 WHERE a1.name = ?1 AND a1.channel = ?2 AND a1.occurred_at < ?3 AND (SELECT b2.occurred_at FROM events b2 WHERE b2.profile_id = a1.profile_id AND b2.name = ?6 AND b2.channel = ?7 AND b2.occurred_at < ?3 AND b2.occurred_at > a1.occurred_at ORDER BY b2.occurred_at ASC LIMIT 1) <= parlance_ts_add(a1.occurred_at, ?4, ?5)))
            -- ?1 = "page_view" (name)
            -- ?2 = "web" (name)
            -- ?3 = "2025-04-01" (end)
            -- ?4 = 0 (derived)
            -- ?5 = 7 (derived)
            -- ?6 = "order_placed" (name)
            -- ?7 = "shop" (name)
        "#]],
    );
}

#[test]
fn sequence_three_steps() {
    check_sql(
        r#"email.opened then email.clicked then shop.order_placed within 1m"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (p0.id IN (SELECT a1.profile_id FROM events a1 WHERE a1.name = ?1 AND a1.channel = ?2 AND a1.occurred_at < ?3 AND (SELECT b3.occurred_at FROM events b3 WHERE b3.profile_id = a1.profile_id AND b3.name = ?8 AND b3.channel = ?9 AND b3.occurred_at < ?3 AND b3.occurred_at > (SELECT b2.occurred_at FROM events b2 WHERE b2.profile_id = a1.profile_id AND b2.name = ?6 AND b2.channel = ?7 AND b2.occurred_at < ?3 AND b2.occurred_at > a1.occurred_at ORDER BY b2.occurred_at ASC LIMIT 1) ORDER BY b3.occurred_at ASC LIMIT 1) <= parlance_ts_add(a1.occurred_at, ?4, ?5)))
            -- ?1 = "opened" (name)
            -- ?2 = "email" (name)
            -- ?3 = "2025-04-01" (end)
            -- ?4 = 1 (derived)
            -- ?5 = 0 (derived)
            -- ?6 = "clicked" (name)
            -- ?7 = "email" (name)
            -- ?8 = "order_placed" (name)
            -- ?9 = "shop" (name)
        "#]],
    );
}

#[test]
fn sequence_then_no_within() {
    check_sql(
        r#"(web.page_view where path = "/checkout" then no shop.order_placed within 2d)"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (p0.id IN (SELECT a1.profile_id FROM events a1 WHERE a1.name = ?1 AND a1.channel = ?2 AND a1.occurred_at < ?3 AND coalesce((CASE WHEN json_type(a1.properties_json, ?4) = 'text' THEN json_extract(a1.properties_json, ?4) END) = ?5, 0) AND NOT EXISTS (SELECT 1 FROM events z2 WHERE z2.profile_id = a1.profile_id AND z2.name = ?8 AND z2.channel = ?9 AND z2.occurred_at < ?3 AND z2.occurred_at > a1.occurred_at AND z2.occurred_at <= parlance_ts_add(a1.occurred_at, ?6, ?7)) AND parlance_ts_add(a1.occurred_at, ?6, ?7) < ?3))
            -- ?1 = "page_view" (name)
            -- ?2 = "web" (name)
            -- ?3 = "2025-04-01" (end)
            -- ?4 = "$.\"path\"" (name)
            -- ?5 = "/checkout" (literal)
            -- ?6 = 0 (derived)
            -- ?7 = 2 (derived)
            -- ?8 = "order_placed" (name)
            -- ?9 = "shop" (name)
        "#]],
    );
}

#[test]
fn sequence_then_no_without_within() {
    check_sql(
        r#"email.opened then email.clicked then no shop.order_placed"#,
        expect![[r#"
        SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (p0.id IN (SELECT a1.profile_id FROM events a1 WHERE a1.name = ?1 AND a1.channel = ?2 AND a1.occurred_at < ?3 AND (SELECT b2.occurred_at FROM events b2 WHERE b2.profile_id = a1.profile_id AND b2.name = ?4 AND b2.channel = ?5 AND b2.occurred_at < ?3 AND b2.occurred_at > a1.occurred_at ORDER BY b2.occurred_at DESC LIMIT 1) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events z3 WHERE z3.profile_id = a1.profile_id AND z3.name = ?6 AND z3.channel = ?7 AND z3.occurred_at < ?3 AND z3.occurred_at > (SELECT b2.occurred_at FROM events b2 WHERE b2.profile_id = a1.profile_id AND b2.name = ?4 AND b2.channel = ?5 AND b2.occurred_at < ?3 AND b2.occurred_at > a1.occurred_at ORDER BY b2.occurred_at DESC LIMIT 1))))
        -- ?1 = "opened" (name)
        -- ?2 = "email" (name)
        -- ?3 = "2025-04-01" (end)
        -- ?4 = "clicked" (name)
        -- ?5 = "email" (name)
        -- ?6 = "order_placed" (name)
        -- ?7 = "shop" (name)
    "#]],
    );
}

#[test]
fn segment_reference_is_inline() {
    check_sql_with(
        "segment promoters\n  where survey.nps >= 9\n",
        r#"in segment promoters and not in segment promoters"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (coalesce((SELECT (CASE WHEN json_type(t1.value_json, '$') IN ('integer', 'real') THEN json_extract(t1.value_json, '$') END) FROM traits t1 WHERE t1.profile_id = p0.id AND t1.key = ?1 ORDER BY t1.observed_at DESC, t1.source DESC LIMIT 1) >= ?2, 0) AND (NOT coalesce((SELECT (CASE WHEN json_type(t2.value_json, '$') IN ('integer', 'real') THEN json_extract(t2.value_json, '$') END) FROM traits t2 WHERE t2.profile_id = p0.id AND t2.key = ?3 ORDER BY t2.observed_at DESC, t2.source DESC LIMIT 1) >= ?4, 0)))
            -- ?1 = "survey.nps" (name)
            -- ?2 = 9.0 (literal)
            -- ?3 = "survey.nps" (name)
            -- ?4 = 9.0 (literal)
        "#]],
    );
}

#[test]
fn segment_reference_inside_a_filter() {
    check_sql_with(
        "segment promoters\n  where survey.nps >= 9\n",
        r#"count(email.opened where in segment promoters) >= 1"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (p0.id IN (SELECT e1.profile_id FROM events e1 WHERE e1.name = ?1 AND e1.channel = ?2 AND e1.occurred_at < ?3 AND (e1.profile_id IN (SELECT p2.id FROM profiles p2 WHERE p2.merged_into IS NULL AND coalesce((SELECT (CASE WHEN json_type(t3.value_json, '$') IN ('integer', 'real') THEN json_extract(t3.value_json, '$') END) FROM traits t3 WHERE t3.profile_id = p2.id AND t3.key = ?4 ORDER BY t3.observed_at DESC, t3.source DESC LIMIT 1) >= ?5, 0))) GROUP BY e1.profile_id HAVING coalesce(count(*) >= ?6, 0)))
            -- ?1 = "opened" (name)
            -- ?2 = "email" (name)
            -- ?3 = "2025-04-01" (end)
            -- ?4 = "survey.nps" (name)
            -- ?5 = 9.0 (literal)
            -- ?6 = 1.0 (literal)
        "#]],
    );
}

#[test]
fn score_reference() {
    check_sql_with(
        "score engagement\n  points 5 per email.opened within 30d max 50\n  points 1 per 60 of sum(web.page_view.seconds within 30d)\n  points -10 when not is_known\n",
        r#"score.engagement >= 20"#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND coalesce((min((?1 * coalesce(parlance_floor((SELECT count(*) FROM events e1 WHERE e1.profile_id = p0.id AND e1.name = ?2 AND e1.channel = ?3 AND e1.occurred_at < ?4 AND e1.occurred_at >= ?5)), 0)), ?6) + (?7 * coalesce(parlance_floor(((SELECT total((CASE WHEN json_type(e2.properties_json, ?11) IN ('integer', 'real') THEN json_extract(e2.properties_json, ?11) END)) FROM events e2 WHERE e2.profile_id = p0.id AND e2.name = ?8 AND e2.channel = ?9 AND e2.occurred_at < ?4 AND e2.occurred_at >= ?10)) / ?12), 0)) + (CASE WHEN (NOT coalesce((p0.kind = 'person') = 1, 0)) THEN ?13 ELSE 0 END)) >= ?14, 0)
            -- ?1 = 5.0 (literal)
            -- ?2 = "opened" (name)
            -- ?3 = "email" (name)
            -- ?4 = "2025-04-01" (end)
            -- ?5 = "2025-03-01" (derived)
            -- ?6 = 50.0 (literal)
            -- ?7 = 1.0 (literal)
            -- ?8 = "page_view" (name)
            -- ?9 = "web" (name)
            -- ?10 = "2025-03-01" (derived)
            -- ?11 = "$.\"seconds\"" (name)
            -- ?12 = 60.0 (literal)
            -- ?13 = -10.0 (literal)
            -- ?14 = 20.0 (literal)
        "#]],
    );
}

#[test]
fn stage_reference() {
    check_sql_with(
        "stages lifecycle\n  stage new when orders.count = 0\n  stage active when orders.last_at >= today - 90d\n  stage lapsed otherwise\n",
        r#"stage = "lapsed""#,
        expect![[r#"
            SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND coalesce((CASE WHEN coalesce((SELECT count(*) FROM orders o1 WHERE o1.profile_id = p0.id AND o1.ordered_at < ?2 AND o1.status != 'cancelled') = ?3, 0) THEN ?1 WHEN coalesce((SELECT substr(max(o2.ordered_at), 1, 10) FROM orders o2 WHERE o2.profile_id = p0.id AND o2.ordered_at < ?2 AND o2.status != 'cancelled') >= ?5, 0) THEN ?4 ELSE ?6 END) = ?7, 0)
            -- ?1 = "new" (name)
            -- ?2 = "2025-04-01" (end)
            -- ?3 = 0.0 (literal)
            -- ?4 = "active" (name)
            -- ?5 = "2024-12-31" (derived)
            -- ?6 = "lapsed" (name)
            -- ?7 = "lapsed" (literal)
        "#]],
    );
}

#[test]
fn date_arithmetic_on_data() {
    check_sql(
        r#"orders.last_at + 1m < today and (orders.first_at - 2w) > 2024-12-31"#,
        expect![[r#"
        SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND (coalesce(parlance_date_add((SELECT substr(max(o1.ordered_at), 1, 10) FROM orders o1 WHERE o1.profile_id = p0.id AND o1.ordered_at < ?1 AND o1.status != 'cancelled'), ?2, ?3) < ?4, 0) AND coalesce(parlance_date_add((SELECT substr(min(o2.ordered_at), 1, 10) FROM orders o2 WHERE o2.profile_id = p0.id AND o2.ordered_at < ?1 AND o2.status != 'cancelled'), ?5, ?6) > ?7, 0))
        -- ?1 = "2025-04-01" (end)
        -- ?2 = 1 (derived)
        -- ?3 = 0 (derived)
        -- ?4 = "2025-03-31" (derived)
        -- ?5 = 0 (derived)
        -- ?6 = -14 (derived)
        -- ?7 = "2024-12-31" (literal)
    "#]],
    );
}

#[test]
fn durations_compared() {
    check_sql(
        r#"30d < 1m or (1w + 1d) >= 8d"#,
        expect![[r#"
        SELECT p0.id FROM profiles p0 WHERE p0.merged_into IS NULL AND ((?1 < ?2) OR (?3 >= ?4))
        -- ?1 = 30.0 (derived)
        -- ?2 = 30.44 (derived)
        -- ?3 = 8.0 (derived)
        -- ?4 = 8.0 (derived)
    "#]],
    );
}

#[test]
fn score_and_stages_queries() {
    let text = "score e\n  points 2 per email.opened within 7d max 10\n  points 3 when is_known\n\nstages l\n  stage a when is_known\n  stage b otherwise\n";
    let program = Program::new(text, &catalog());
    expect![[r#"
        SELECT p0.id, (min((?1 * coalesce(parlance_floor((SELECT count(*) FROM events e1 WHERE e1.profile_id = p0.id AND e1.name = ?2 AND e1.channel = ?3 AND e1.occurred_at < ?4 AND e1.occurred_at >= ?5)), 0)), ?6) + (CASE WHEN coalesce((p0.kind = 'person') = 1, 0) THEN ?7 ELSE 0 END)) FROM profiles p0 WHERE p0.merged_into IS NULL
        -- ?1 = 2.0 (literal)
        -- ?2 = "opened" (name)
        -- ?3 = "email" (name)
        -- ?4 = "2025-04-01" (end)
        -- ?5 = "2025-03-24" (derived)
        -- ?6 = 10.0 (literal)
        -- ?7 = 3.0 (literal)
    "#]].assert_eq(&compile_score(&program, "e", today()).unwrap().annotated());
    expect![[r#"
        SELECT p0.id, (CASE WHEN coalesce((p0.kind = 'person') = 1, 0) THEN ?1 ELSE ?2 END) FROM profiles p0 WHERE p0.merged_into IS NULL
        -- ?1 = "a" (name)
        -- ?2 = "b" (name)
    "#]].assert_eq(&compile_stages(&program, today()).unwrap().annotated());
}

#[test]
fn compile_errors_carry_spans() {
    let program =
        Program::new("segment a\n  where in segment b\n\nsegment b\n  where in segment a\n", &catalog());
    let err = compile_segment(&program, "a", today()).unwrap_err();
    assert!(err.message.contains("error"), "{err:?}");
    let program = Program::new("segment a\n  where trait.cty = \"x\"\n", &catalog());
    let err = compile_segment(&program, "a", today()).unwrap_err();
    assert_eq!(program.line_col(err.span.start).to_string(), "2:9");
    assert!(compile_segment(&program, "missing", today()).is_err());
}

// ----- the fuzz harness, in cargo test ------------------------------------

const PIECES: &[&str] = &[
    "segment s where ",
    "score x points 3 per email.opened within 7d max 9 points 2 when ",
    "stages l stage a when ",
    " stage b otherwise ",
    "trait.city = \"a'; DROP TABLE profiles; --\"",
    "survey.nps >= 9",
    "count(email.opened within 30d) >= 1",
    "count(web.page_view where path = \"/\" and seconds > 3) < 2",
    "web.page_view then no shop.order_placed within 2d",
    "email.opened then email.clicked within 1m",
    "in segment s",
    "score.x > 1",
    "stage = \"a\"",
    "last(shop.order_placed).at < today - 90d",
    "trait.interests contains \"x\"",
    "trait.city matches \"^a|b\"",
    " and ",
    " or ",
    " not ",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "today - 1m",
    "2025-02-30",
    "between 1 and 2",
    " is-set",
    "-",
    "1e400",
    "distinct(web.page_view.path)",
    "first(web.page_view).day > 2025-01-01 + 2w",
    "sum(shop.order_placed.revenue between today - 10d and today) >= 10.5",
];

fn mangled() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 1..14).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    /// The same harness as `fuzz/fuzz_targets/compile.rs`: parse, check and
    /// compile never panic, parameters equal their literals, no text in SQL.
    #[test]
    fn compile_harness_on_pieces(text in mangled()) {
        compile_everything(&text, today());
    }

    #[test]
    fn compile_harness_on_any_text(text in "\\PC{0,200}") {
        compile_everything(&text, today());
    }
}
