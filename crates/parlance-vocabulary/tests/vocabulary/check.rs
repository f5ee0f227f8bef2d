//! The checker's diagnostics, rendered with line:col, and its resolutions.

use expect_test::expect;
use parlance_vocabulary::{Catalog, DefRef, DefinitionKind, FieldType, Resolution, Span, analyze};

use super::{check_diagnostics, check_diagnostics_with};

#[test]
fn a_good_vocabulary_has_no_diagnostics() {
    check_diagnostics(
        r#"
segment lapsed_vip "Lapsed VIPs"
  owner "Lifecycle"
  tags "vip", "retention"
  where value.tier = "top"
    and last(order).at < today - 90d
    and count(email.opened where campaign = "spring" within 30d) >= 1
    and sum(order.amount between 2025-01-01 and 2025-03-31) > 100
    and trait.interests contains "running"
    and trait.email matches "^[a-z.]+@example\\.com$"
    and survey.nps between 0 and 6
    and (web.page_view then order within 7d)
    and cart.added where amount > 50 then no order within 2d

segment engaged_vip where in segment lapsed_vip and score.engagement >= 50 and stage = "retention"

score engagement "Engagement"
  points 5 per web.page_view within 30d max 50
  points 1 per 60 of sum(web.page_view.seconds within 30d) max 20
  points 20 when count(email.click within 14d) >= 1
  points -10 when last(web.session).at < today - 60d

stages lifecycle
  stage acquisition when not is_known or orders.count = 0
  stage retention when orders.count >= 2
  stage lapsed otherwise

value standard
  horizon 12m
  discount 10% per year
  margin 35%
  tier top from 1000
  tier high from 300
  tier low otherwise

touchpoints journey
  group web "Website"
  map web.page_view where page_type = "product" to web:product_view
"#,
        expect![[""]],
    );
}

#[test]
fn unknown_field_suggests_the_closest() {
    check_diagnostics(
        r#"segment s where value.teir = "top" and orders.cnt > 1 and city = "Paris" and zzz.qqq = 1"#,
        expect![[r#"
            1:17 error[unknown-field] unknown field `value.teir` (did you mean `value.tier`?) [fix: "value.tier"]
            1:40 error[unknown-field] unknown field `orders.cnt` (did you mean `orders.count`?) [fix: "orders.count"]
            1:59 error[unknown-field] unknown field `city` (did you mean `trait.city`?) [fix: "trait.city"]
            1:78 error[unknown-field] unknown field `zzz.qqq`
        "#]],
    );
}

#[test]
fn unknown_enum_value() {
    check_diagnostics(
        r#"segment s where value.tier = "topp" and value.tier in ["high", "lowe"]"#,
        expect![[r#"
        1:30 error[unknown-value] "topp" is not one of "top", "high", "medium", "low" (did you mean "top"?) [fix: "\"top\""]
        1:64 error[unknown-value] "lowe" is not one of "top", "high", "medium", "low" (did you mean "low"?) [fix: "\"low\""]
    "#]],
    );
}

#[test]
fn type_mismatches() {
    check_diagnostics(
        r#"
segment s
  where last(order).at < "yesterday"
    and orders.count contains 3
    and trait.city > 3
    and is_known = "yes"
    and trait.birthday = "2025-01-01"
    and orders.count = "many"
    and trait.city starts-with 1
    and trait.interests = "x"
    and trait.city in trait.interests
    and today - last(order).at > 3
"#,
        expect![[r#"
            3:26 error[type-mismatch] `<` compares numbers, money or dates, but `"yesterday"` is text
            4:9 error[type-mismatch] `contains` needs text or a list on its left, but `orders.count` is a number (compare numbers with `=`, `<`, `>` or `between`)
            5:9 error[type-mismatch] `>` compares numbers, money or dates, but `trait.city` is text
            6:9 error[type-mismatch] cannot compare `is_known` (true or false) with `"yes"` (text) (true and false are written without quotes)
            7:26 error[type-mismatch] `trait.birthday` is a date, but `"2025-01-01"` is text (write the date without quotes: 2025-01-01) [fix: "2025-01-01"]
            8:9 error[type-mismatch] cannot compare `orders.count` (a number) with `"many"` (text)
            9:32 error[type-mismatch] `starts-with` works on text, but `1` is a number
            10:9 error[type-mismatch] `trait.interests` is a list and cannot be compared with `=` (test membership with `trait.interests contains …`)
            11:23 error[type-mismatch] `in` needs a list such as ["a", "b"], but `trait.interests` is a list of texts (to test membership in a list field, write `trait.interests contains trait.city`)
            12:9 error[type-mismatch] one date cannot be taken from another (compare the dates instead, e.g. `last(order).at < today - 90d`)
        "#]],
    );
}

#[test]
fn relative_dates() {
    check_diagnostics(
        r#"
segment s
  where last(order).at < today - 90
    and last(order).at < 90d
    and last(order).at > 30
    and count(order between 30d and today) > 1
    and orders.first_at between today and today - 30d
"#,
        expect![[r#"
            3:34 error[invalid-relative-date] `90` has no unit, so it cannot be taken from a date (add a unit: `90d` (days), `90w`, `90m` or `90y`) [fix: "90d"]
            4:26 error[invalid-relative-date] `90d` is a length of time, not a date (for a date in the past, write `today - 90d`) [fix: "today - 90d"]
            5:26 error[invalid-relative-date] `30` is a number, not a date (for a date in the past, write `today - 30d`) [fix: "today - 30d"]
            6:29 error[invalid-relative-date] `30d` is a length of time, not a date (for a date in the past, write `today - 30d`) [fix: "today - 30d"]
            7:33 warning[empty-range] this range is empty: `today` comes after `today - 30d` (write the earlier bound first: `between today - 30d and today`)
        "#]],
    );
}

#[test]
fn conditions_must_be_true_or_false() {
    check_diagnostics(
        r#"segment s where orders.count and order and trait.city or last(order).at"#,
        expect![[r#"
        1:17 error[not-a-condition] `orders.count` is a number, not a condition (compare it, e.g. `orders.count > 0`)
        1:34 error[not-a-condition] `order` is an event, not a condition (to test that it happened, write `count(order) >= 1`) [fix: "count(order) >= 1"]
        1:44 error[not-a-condition] `trait.city` is text, not a condition (compare it, e.g. `trait.city = "…"` or `trait.city is-set`)
        1:58 error[not-a-condition] `last(order).at` is a date, not a condition (compare it, e.g. `last(order).at >= today - 30d`)
    "#]],
    );
}

#[test]
fn events_and_properties() {
    check_diagnostics(
        r#"
segment s
  where count(email.openned within 30d) > 1
    and sum(order.amout) > 1
    and count(order.amount) > 1
    and sum(order) > 1
    and last(order) > 1
    and last(order.amount) > 1
    and count(order where amout > 1) > 1
    and count(order where amount > sum(order.amount)) > 1
    and order.amount > 10
    and max(order.currency) > 1
    and count(order).at > 1
    and last(order).colour = "red"
"#,
        expect![[r#"
            3:15 error[unknown-event] unknown event `email.openned` (did you mean `email.opened`?) [fix: "email.opened"]
            4:19 error[unknown-property] the event `order` has no property `amout` (did you mean `amount`?) [fix: "amount"]
            5:15 error[aggregate-argument] `count` counts events: write `count(order)` (to count distinct values of a property, use `distinct(…)`) [fix: "order"]
            6:13 error[aggregate-argument] `sum` needs a property of the event, as in `sum(order.amount)` [fix: "order.amount"]
            7:9 error[missing-property] `last(order)` is an event; say which of its properties to use (e.g. `last(order).at` for its date)
            8:14 error[aggregate-argument] write the property after the parentheses: `last(order).amount` (`last(…)` picks one event; `.amount` then reads its property)
            9:27 error[unknown-property] the event `order` has no property `amout` (did you mean `amount`?) [fix: "amount"]
            10:36 error[aggregate-argument] an event filter cannot contain an aggregate (filters compare the event's own properties with values)
            11:9 error[unknown-field] `order.amount` is a property of the event `order`, not a profile field (aggregate it, e.g. `last(order).amount` or `sum(order.amount within 30d)`) [fix: "last(order).amount"]
            12:13 error[type-mismatch] `max` needs numbers, money or dates, but `currency` is text
            13:22 error[aggregate-argument] only `first(…)` and `last(…)` are followed by `.property`; `count` already gives a value
            14:21 error[unknown-property] the event `order` has no property `colour` (its properties are at, amount, category, channel, currency, items, margin)
        "#]],
    );
}

#[test]
fn invalid_regex() {
    check_diagnostics(
        r#"segment s where trait.email matches "([a-z" and trait.city matches trait.country"#,
        expect![[r#"
        1:37 error[invalid-regex] invalid regular expression: unclosed character class (patterns use Rust regex syntax; escape special characters with \\)
        1:68 error[type-mismatch] `matches` needs its pattern written as a string, like "^A.*"
    "#]],
    );
}

#[test]
fn empty_list() {
    check_diagnostics(
        r#"segment s where trait.city in []"#,
        expect![[r#"
        1:31 warning[empty-list] nothing is in an empty list, so `in []` is always false
    "#]],
    );
}

#[test]
fn unknown_segment_and_score() {
    check_diagnostics(
        r#"
segment a where in segment newsletter_subscriber and score.engagment > 1 and in segment engagement
score engagement points 1 when is_known
"#,
        expect![[r#"
            2:28 error[unknown-segment] there is no segment `newsletter_subscriber` (did you mean `newsletter_subscribers`?) [fix: "newsletter_subscribers"]
            2:54 error[unknown-score] there is no score `engagment` (did you mean `score.engagement`?) [fix: "score.engagement"]
            2:89 error[unknown-segment] there is no segment `engagement` (`engagement` is a score: compare it, e.g. `score.engagement >= 50`)
        "#]],
    );
}

#[test]
fn reference_cycles_report_the_path() {
    check_diagnostics(
        r#"
segment a where in segment b
segment b where in segment c and is_known
segment c where in segment a
segment selfish where not in segment selfish
segment d where in segment a
"#,
        expect![[r#"
            2:28 error[reference-cycle] segment a refers to itself through a cycle: segment a → segment b → segment c → segment a (a definition cannot depend on itself; remove one reference of the cycle)
            5:38 error[reference-cycle] segment selfish refers to itself (a definition cannot depend on itself; remove one reference of the cycle)
        "#]],
    );
}

#[test]
fn cycles_through_scores_and_stages() {
    check_diagnostics(
        r#"
segment loyal where stage = "retention"
score s points 5 when in segment loyal
stages life
  stage retention when score.s > 10
  stage other otherwise
"#,
        expect![[r#"
            2:21 error[reference-cycle] segment loyal refers to itself through a cycle: segment loyal → stages life → score s → segment loyal (a definition cannot depend on itself; remove one reference of the cycle)
        "#]],
    );
}

#[test]
fn cycles_through_other_files() {
    let catalog = Catalog::demo().definition(
        DefRef::new(DefinitionKind::Segment, "elsewhere"),
        [DefRef::new(DefinitionKind::Segment, "here")],
    );
    check_diagnostics_with(
        r#"segment here where in segment elsewhere"#,
        &catalog,
        expect![[r#"
        1:31 error[reference-cycle] segment here refers to itself through a cycle: segment here → segment elsewhere → segment here (a definition cannot depend on itself; remove one reference of the cycle)
    "#]],
    );
}

#[test]
fn duplicates() {
    check_diagnostics(
        r#"
segment a owner "x" owner "y" where is_known where is_known
segment a where is_known
stages one stage x otherwise
stages two stage x otherwise
value v horizon 12m discount 1% per month margin 30% margin 10% for "toys" margin 20% for "toys"
  contact cost 1 for "phone" contact cost 2 for "phone"
  tier top from 10 tier top otherwise
value w horizon 12m discount 1% per month margin 30%
"#,
        expect![[r#"
            2:21 error[duplicate-clause] segment `a` has more than one `owner` clause (keep one `owner`)
            2:46 error[duplicate-clause] segment `a` has more than one `where` clause (join the conditions with `and` in one `where`)
            3:9 error[duplicate-definition] segment `a` is defined more than once (rename one of them or delete the older one)
            5:1 error[duplicate-block] a vocabulary has one `stages` block, and this is a second one (merge the two blocks into one)
            6:91 error[duplicate-name] the margin for "toys" is given twice
            7:49 error[duplicate-name] the contact cost for "phone" is given twice
            8:25 error[duplicate-name] tier `top` is listed twice
            9:1 error[duplicate-block] a vocabulary has one `value` block, and this is a second one (merge the two blocks into one)
        "#]],
    );
}

#[test]
fn stages_need_a_fallback_last() {
    check_diagnostics(
        r#"
stages lifecycle
  stage a when is_known
  stage z otherwise
  stage b when orders.count > 1
  stage a when orders.count > 2
"#,
        expect![[r#"
            5:9 error[rule-after-fallback] stage `b` comes after the fallback `z` and can never be reached (the `otherwise` stage must be the last one)
            6:9 error[duplicate-name] stage `a` is listed twice
            6:9 error[rule-after-fallback] stage `a` comes after the fallback `z` and can never be reached (the `otherwise` stage must be the last one)
        "#]],
    );
    check_diagnostics(
        r#"stages lifecycle stage a when is_known"#,
        expect![[r#"
        1:8 error[missing-fallback] stages `lifecycle` has no fallback, so some profiles would be in no stage (end the block with a stage that says `otherwise`, e.g. `stage lapsed "Lapsed" otherwise`)
    "#]],
    );
}

#[test]
fn stage_field_takes_its_values_from_the_stages_block() {
    check_diagnostics(
        r#"
segment s where stage = "retention" or stage = "growth"
stages lifecycle stage growth when is_known stage rest otherwise
"#,
        expect![[r#"
            2:25 error[unknown-value] "retention" is not one of "growth", "rest"
        "#]],
    );
}

#[test]
fn value_block_rules() {
    check_diagnostics(
        r#"
value v
  horizon 30d
  discount 120% per year
  margin 150%
  contact cost -2
  tier top from 100
  tier mid from 500
  tier low from 0
segment s where value.tier = "top" or value.tier = "mid" or value.tier = "high"
"#,
        expect![[r#"
            2:7 error[missing-fallback] value `v` has tiers but no fallback tier (end the tiers with e.g. `tier low "Low" otherwise`)
            3:11 error[invalid-horizon] the value horizon is counted in months or years (write e.g. `horizon 12m` or `horizon 1y`)
            4:12 error[out-of-range] a discount rate of 120% is not possible: it must be at least 0% and below 100%
            5:10 error[out-of-range] a gross margin of 150% is not possible: it lies between -100% and 100%
            6:16 error[out-of-range] a cost of -2 is not possible: costs are not negative
            8:17 error[tier-order] tier `mid` starts at 500, which is not below the previous tier's 100 (list tiers from the highest value down)
            10:74 error[unknown-value] "high" is not one of "top", "mid", "low"
        "#]],
    );
    check_diagnostics(
        r#"value v tier top from 1"#,
        expect![[r#"
        1:7 error[missing-clause] value `v` has no `horizon` (add e.g. `horizon 12m`)
        1:7 error[missing-clause] value `v` has no `discount` (add e.g. `discount 10% per year`)
        1:7 error[missing-clause] value `v` has no `margin` (add e.g. `margin 35%`)
        1:7 error[missing-fallback] value `v` has tiers but no fallback tier (end the tiers with e.g. `tier low "Low" otherwise`)
    "#]],
    );
}

#[test]
fn missing_clauses() {
    check_diagnostics(
        r#"
segment s owner "x"
score e owner "y"
touchpoints t group web
"#,
        expect![[r#"
            2:9 error[missing-clause] segment `s` has no `where` condition (add `where` and the condition profiles must meet)
            3:7 error[missing-clause] score `e` has no `points` rules (add e.g. `points 5 per web.page_view within 30d`)
            4:13 error[missing-clause] touchpoints `t` maps no events (add e.g. `map email.click to email:click`)
        "#]],
    );
}

#[test]
fn score_rules() {
    check_diagnostics(
        r#"
score e
  points 1 per 0 of count(order) max 0
  points 1 per order.amount
  points 1 per trait.city
  points 1 per last(order).at
"#,
        expect![[r#"
            3:16 error[out-of-range] `per 0 of` must count in positive steps
            3:38 error[out-of-range] `max` caps the size of a rule's points and must be positive (for negative points, `max 20` means at most -20)
            4:16 error[aggregate-argument] `order.amount` is an event property, not an event (`per` counts events; to weigh a property write e.g. `per sum(order.amount within 90d)`)
            5:16 error[unknown-event] unknown event `trait.city` (`trait.city` is a profile field, not an event)
            6:16 error[type-mismatch] `per` needs something countable, but `last(order).at` is a date
        "#]],
    );
}

#[test]
fn touchpoint_groups() {
    check_diagnostics(
        r#"
touchpoints t
  group web
  group email
  group web
  map web.page_view to wbe:visit
  map email.click to phone:call
  map emial.click to email:click
"#,
        expect![[r#"
            5:9 error[duplicate-name] group `web` is declared twice
            6:24 error[unknown-group] label `wbe:visit` uses the undeclared group `wbe` (did you mean `web`?) [fix: "web"]
            7:22 error[unknown-group] label `phone:call` uses the undeclared group `phone` (declare it with `group phone "Title"`)
            8:7 error[unknown-event] unknown event `emial.click` (did you mean `email.click`?) [fix: "email.click"]
        "#]],
    );
}

#[test]
fn sequence_rules() {
    check_diagnostics(
        r#"segment s where cart.added then no order then web.session within 2d and orders.count then order"#,
        expect![[r#"
            1:28 error[invalid-sequence] only the last step of a sequence can be `then no …` (split it into two conditions joined with `and`)
            1:73 error[unknown-event] unknown event `orders.count` (did you mean `order`?) [fix: "order"]
        "#]],
    );
}

#[test]
fn syntax_errors_do_not_cascade_into_type_errors() {
    check_diagnostics(
        r#"segment s where orders.count > and last(order).at < today - 90x"#,
        expect![[r#"
        1:32 error[unexpected-token] expected a condition or a value, found `and`
        1:61 error[invalid-duration] unknown duration unit `x` in `90x`: units are d (days), w (weeks), m (months) and y (years)
    "#]],
    );
}

#[test]
fn resolutions_are_keyed_by_span() {
    let text = r#"segment s where value.tier = "top" and sum(order.amount within 30d) > 1 and count(email.opened where campaign = "x") > 0 and last(order).at > today - 1d and score.e > 1
score e points 1 when is_known"#;
    let a = analyze(text, &Catalog::demo());
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let at = |needle: &str| {
        let start = u32::try_from(text.find(needle).unwrap()).unwrap();
        Span::new(start, start + u32::try_from(needle.len()).unwrap())
    };
    let tier = a.resolutions.get(&at("value.tier")).unwrap();
    assert!(
        matches!(tier, Resolution::Field(f) if f.path == "value.tier" && matches!(f.ty, FieldType::Enum(_)))
    );
    assert_eq!(
        a.resolutions.get(&at("order.amount")),
        Some(&Resolution::Property {
            event: "order".into(),
            property: "amount".into(),
            ty: FieldType::Money
        })
    );
    assert_eq!(a.resolutions.get(&at("email.opened")), Some(&Resolution::Event("email.opened".into())));
    assert_eq!(
        a.resolutions.get(&at("campaign")),
        Some(&Resolution::Property {
            event: "email.opened".into(),
            property: "campaign".into(),
            ty: FieldType::String
        })
    );
    assert_eq!(
        a.resolutions.get(&at("at")),
        Some(&Resolution::Property { event: "order".into(), property: "at".into(), ty: FieldType::Date })
    );
    assert_eq!(a.resolutions.get(&at("score.e")), Some(&Resolution::Score("e".into())));
}

#[test]
fn fixes_apply_cleanly() {
    // Applying the machine fix of an unknown-field diagnostic yields a clean file.
    let text = r#"segment s where value.teir = "top""#;
    let a = analyze(text, &Catalog::demo());
    let fix = a.diagnostics[0].fix.clone().unwrap();
    let mut fixed = text.to_owned();
    fixed.replace_range(fix.span.range(), &fix.replacement);
    assert!(analyze(&fixed, &Catalog::demo()).diagnostics.is_empty(), "{fixed}");
}
