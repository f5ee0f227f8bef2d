//! Parse trees, as S-expressions, and syntax diagnostics.

use expect_test::expect;

use super::check_parse;

#[test]
fn segment_from_the_design_doc() {
    check_parse(
        r#"
segment lapsed_vip "Lapsed VIPs"
  owner "Lifecycle"
  description "Top-tier value, no order in 90 days, still opening email"
  tags "vip", "retention"
  where value.tier = "top"
    and last(order).at < today - 90d
    and count(email.opened within 30d) >= 1
"#,
        expect![[r#"
            (segment lapsed_vip "Lapsed VIPs"
              (owner "Lifecycle")
              (description "Top-tier value, no order in 90 days, still opening email")
              (tags "vip" "retention")
              (where (and (= value.tier "top") (< (. (last order) at) (- today 90d)) (>= (count email.opened (within 30d)) 1))))
        "#]],
    );
}

#[test]
fn precedence_of_or_and_not() {
    check_parse(
        r#"segment s where a = 1 or b = 2 and not c = 3 or not (d = 4 or e = 5) and f"#,
        expect![[r#"
            (segment s
              (where (or (= a 1) (and (= b 2) (not (= c 3))) (and (not (paren (or (= d 4) (= e 5)))) f))))
        "#]],
    );
}

#[test]
fn comparison_operators() {
    check_parse(
        r#"
segment ops
  where trait.city = "Paris" and trait.city != "Lyon"
    and orders.count < 1 and orders.count <= 2 and orders.count > 3 and orders.count >= 4
    and trait.country in ["FR", "BE",] and trait.country not in ["DE"]
    and trait.interests contains "running" and trait.email not contains "test"
    and trait.email starts-with "a" and trait.email not starts-with "b"
    and trait.email matches "^[a-z]+@" and trait.email not matches "x"
    and trait.birthday is-set and trait.city is-not-set
    and value.total between 100 and 500 and value.total not between 1 and 2
"#,
        expect![[r#"
            (segment ops
              (where (and (= trait.city "Paris") (!= trait.city "Lyon") (< orders.count 1) (<= orders.count 2) (> orders.count 3) (>= orders.count 4) (in trait.country ["FR" "BE"]) (not-in trait.country ["DE"]) (contains trait.interests "running") (not-contains trait.email "test") (starts-with trait.email "a") (not-starts-with trait.email "b") (matches trait.email "^[a-z]+@") (not-matches trait.email "x") (is-set trait.birthday) (is-not-set trait.city) (between value.total 100 500) (not-between value.total 1 2))))
        "#]],
    );
}

#[test]
fn literals() {
    check_parse(
        r#"segment lits where a = 42 and b = 19.90 and c = 1_000 and d = 35% and e = "x\"y\\z\n\u{e9}" and f = 2025-03-31 and g = true and h = false and i = -5 and j = today + 2w - 1y"#,
        expect![[r#"
            (segment lits
              (where (and (= a 42) (= b 19.90) (= c 1_000) (= d 35%) (= e "x\"y\\z\né") (= f 2025-03-31) (= g true) (= h false) (= i (neg 5)) (= j (- (+ today 2w) 1y)))))
        "#]],
    );
}

#[test]
fn aggregates_filters_and_windows() {
    check_parse(
        r#"
segment aggs
  where count(email.opened where campaign = "spring" within 30d) >= 1
    and sum(order.amount between 2025-01-01 and 2025-03-31) > 100
    and avg(order.amount within 1y where channel = "web") > 20
    and min(order.amount) > 1 and max(order.at) > today - 1m
    and distinct(order.category within 365d) >= 3
    and first(web.session).source = "newsletter"
    and last(order where amount > 10 and channel in ["store"]).at >= 2024-12-01
"#,
        expect![[r#"
            (segment aggs
              (where (and (>= (count email.opened (where (= campaign "spring")) (within 30d)) 1) (> (sum order.amount (between 2025-01-01 2025-03-31)) 100) (> (avg order.amount (within 1y) (where (= channel "web"))) 20) (> (min order.amount) 1) (> (max order.at) (- today 1m)) (>= (distinct order.category (within 365d)) 3) (= (. (first web.session) source) "newsletter") (>= (. (last order (where (and (> amount 10) (in channel ["store"])))) at) 2024-12-01))))
        "#]],
    );
}

#[test]
fn sequences() {
    check_parse(
        r#"
segment seqs
  where web.product_view then order within 7d
    and (cart.added where amount > 50 then no order within 2d)
    and email.click where campaign = "spring" then web.session then order
"#,
        expect![[r#"
            (segment seqs
              (where (and (sequence web.product_view order (within 7d)) (paren (sequence (cart.added (where (> amount 50))) (no order) (within 2d))) (sequence (email.click (where (= campaign "spring"))) web.session order))))
        "#]],
    );
}

#[test]
fn segment_references_and_scores() {
    check_parse(
        r#"segment refs where in segment lapsed_vip and not in segment store_regulars and score.engagement >= 50 and stage = "retention" and is_known"#,
        expect![[r#"
            (segment refs
              (where (and (in-segment lapsed_vip) (not (in-segment store_regulars)) (>= score.engagement 50) (= stage "retention") is_known)))
        "#]],
    );
}

#[test]
fn score_definition() {
    check_parse(
        r#"
score engagement "Engagement"
  owner "CRM"
  points 5 per web.page_view within 30d max 50
  points 2 per web.page_view where depth >= 3 within 30d
  points 1 per 60 of sum(web.page_view.seconds within 30d) max 20
  points 3 per count(web.video_play within 30d)
  points 20 when count(email.click within 14d) >= 1
  points 10 when first(web.session).source = "newsletter"
  points -10 when last(web.session).at < today - 60d
"#,
        expect![[r#"
            (score engagement "Engagement"
              (owner "CRM")
              (points 5 (per (events web.page_view (within 30d)) (max 50)))
              (points 2 (per (events web.page_view (where (>= depth 3)) (within 30d))))
              (points 1 (per (of 60) (sum web.page_view.seconds (within 30d)) (max 20)))
              (points 3 (per (count web.video_play (within 30d))))
              (points 20 (when (>= (count email.click (within 14d)) 1)))
              (points 10 (when (= (. (first web.session) source) "newsletter")))
              (points -10 (when (< (. (last web.session) at) (- today 60d)))))
        "#]],
    );
}

#[test]
fn stages_block() {
    check_parse(
        r#"
stages lifecycle "Lifecycle"
  stage acquisition "Acquisition" when not is_known or orders.count = 0
  stage conversion "Conversion" when orders.count = 1
  stage retention "Retention" when orders.count >= 2 and last(order).at >= today - 180d
  stage lapsed "Lapsed" otherwise
"#,
        expect![[r#"
            (stages lifecycle "Lifecycle"
              (stage acquisition "Acquisition" (when (or (not is_known) (= orders.count 0))))
              (stage conversion "Conversion" (when (= orders.count 1)))
              (stage retention "Retention" (when (and (>= orders.count 2) (>= (. (last order) at) (- today 180d)))))
              (stage lapsed "Lapsed" otherwise))
        "#]],
    );
}

#[test]
fn value_block() {
    check_parse(
        r#"
value standard "Universal customer value"
  horizon 12m
  discount 10% per year
  margin 35%
  margin 12% for "electronics"
  contact cost 8.50 for "phone"
  contact cost 2
  return cost 6
  tier top "Top" from 1000
  tier high "High" from 300
  tier low "Low" otherwise
"#,
        expect![[r#"
            (value standard "Universal customer value"
              (horizon 12m)
              (discount 10% per year)
              (margin 35%)
              (margin 12% (for "electronics"))
              (contact-cost 8.50 (for "phone"))
              (contact-cost 2)
              (return-cost 6)
              (tier top "Top" (from 1000))
              (tier high "High" (from 300))
              (tier low "Low" otherwise))
        "#]],
    );
}

#[test]
fn touchpoints_block() {
    check_parse(
        r#"
touchpoints journey "Customer journey"
  group web "Website"
  group email "Email"
  ignore web.page_view where page_type = "404"
  map web.page_view where page_type = "product" to web:product_view
  map email.click to email:click
"#,
        expect![[r#"
            (touchpoints journey "Customer journey"
              (group web "Website")
              (group email "Email")
              (ignore web.page_view (where (= page_type "404")))
              (map web.page_view (where (= page_type "product")) (to web:product_view))
              (map email.click (to email:click)))
        "#]],
    );
}

#[test]
fn keywords_are_contextual() {
    // `value` and `score` start definitions, but `value.tier` and `score.x` are fields;
    // `stage` is a clause in a stages block and a field elsewhere.
    check_parse(
        r#"
segment a where value.tier = "top" and score.engagement > 1 and stage = "retention"
value v horizon 12m discount 1% per month margin 30%
score s points 1 when stage = "lapsed"
"#,
        expect![[r#"
            (segment a
              (where (and (= value.tier "top") (> score.engagement 1) (= stage "retention"))))
            (value v
              (horizon 12m)
              (discount 1% per month)
              (margin 30%))
            (score s
              (points 1 (when (= stage "lapsed"))))
        "#]],
    );
}

#[test]
fn missing_operand_recovers_at_next_clause() {
    check_parse(
        r#"
segment broken "Broken"
  where orders.count >=
  owner "Lifecycle"

segment fine where is_known
"#,
        expect![[r#"
            (segment broken "Broken"
              (where (>= orders.count <error>))
              (owner "Lifecycle"))
            (segment fine
              (where is_known))
            ---
            4:3 error[unexpected-token] expected a condition or a value, found `owner`
        "#]],
    );
}

#[test]
fn forgotten_and_is_suggested() {
    check_parse(
        r#"segment s where is_known orders.count > 1"#,
        expect![[r#"
        (segment s
          (where is_known))
        ---
        1:26 error[unexpected-token] unexpected `orders` in segment `s` (to add a condition, join it with `and` or `or`)
    "#]],
    );
}

#[test]
fn unclosed_parenthesis() {
    check_parse(
        r#"
segment s where (is_known or orders.count > 1
segment t where is_known
"#,
        expect![[r#"
            (segment s
              (where (paren (or is_known (> orders.count 1)))))
            (segment t
              (where is_known))
            ---
            3:1 error[unclosed-delimiter] expected `)` to close the `(` at 2:17, found `segment`
        "#]],
    );
}

#[test]
fn lexical_errors() {
    check_parse(
        "segment s where trait.city == 'Paris'; and trait.city = \"Par\\qis\" and trait.email = \"open\n",
        expect![[r#"
            (segment s
              (where (and (= trait.city Paris) (= trait.city "Par\\qis") (= trait.email "open"))))
            ---
            1:28 error[unexpected-character] `==` is written `=` (write `=`)
            1:31 error[unexpected-character] unexpected `'` (strings are written in double quotes: "…")
            1:37 error[unexpected-character] unexpected `';` (strings are written in double quotes: "…")
            1:61 error[invalid-escape] unknown escape `\q` (escapes are \" \\ \n \t \r and \u{…}; write a backslash as \\)
            1:85 error[unterminated-string] this string has no closing `"` (close it on the same line; write a line break as \n)
        "#]],
    );
}

#[test]
fn bad_literals() {
    check_parse(
        r#"segment s where a > today - 90x and b > today - 1.5d and c = 2025-02-30 and d > today - 99999y and e < today - 3days"#,
        expect![[r#"
            (segment s
              (where (and (> a (- today <error>)) (> b (- today <error>)) (= c <error>) (> d (- today <error>)) (< e (- today <error>)))))
            ---
            1:29 error[invalid-duration] unknown duration unit `x` in `90x`: units are d (days), w (weeks), m (months) and y (years)
            1:49 error[invalid-duration] `1.5d`: durations are whole numbers (round it, or use a smaller unit: `10d`, not `1.5w`)
            1:62 error[invalid-date] `2025-02-30` is not a day of the calendar
            1:89 error[invalid-duration] `99999y` is too long: durations go up to 100 years (100y)
            1:112 error[invalid-duration] unknown duration unit `days` in `3days`: units are d (days), w (weeks), m (months) and y (years) (write `3d`)
        "#]],
    );
}

#[test]
fn chained_comparison() {
    check_parse(
        r#"segment s where 1 < orders.count < 5"#,
        expect![[r#"
        (segment s
          (where (< 1 orders.count)))
        ---
        1:34 error[chained-comparison] comparisons do not chain (join two comparisons with `and`, or use `between … and …`)
    "#]],
    );
}

#[test]
fn unknown_function() {
    check_parse(
        r#"segment s where cnt(order within 30d) > 1 and is_known"#,
        expect![[r#"
        (segment s
          (where (and (> <error> 1) is_known)))
        ---
        1:17 error[unknown-function] `cnt` is not a function (did you mean `count`?)
    "#]],
    );
}

#[test]
fn misplaced_clauses() {
    check_parse(
        r#"
segment s points 5 when is_known where is_known
stages st stage a "A" where is_known stage b otherwise
value v discount 10 per year
"#,
        expect![[r#"
            (segment s
              (points 5 (when is_known))
              (where is_known))
            (stages st
              (stage a "A" (when is_known))
              (stage b otherwise))
            (value v)
            ---
            2:11 error[misplaced-clause] `points` belongs in a score, not in a segment definition
            3:23 error[unexpected-token] stage rules say `when`, not `where` (write `when`)
            4:18 error[unexpected-token] expected a discount rate such as 10%, found the plain number `10` (write rates as percentages, e.g. `10%`)
        "#]],
    );
}

#[test]
fn missing_names_and_stray_text() {
    check_parse(
        r#"
hello there
segment "No name" where is_known
score
"#,
        expect![[r#"
            (segment <missing> "No name"
              (where is_known))
            (score <missing>)
            ---
            2:1 error[unexpected-token] expected a definition (`segment`, `score`, `stages`, `value` or `touchpoints`), found `hello`
            3:9 error[unexpected-token] expected a name for the segment, found `"No name"`
            5:1 error[unexpected-token] expected a name for the score, found the end of the file
        "#]],
    );
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let input = format!("segment s where {}is_known{}", "(".repeat(500), ")".repeat(500));
    let parsed = parlance_vocabulary::parse(&input);
    assert!(parsed.diagnostics.iter().any(|d| d.code == parlance_vocabulary::Code::TooDeep));
    let input = format!("segment s where {}is_known", "not ".repeat(10_000));
    let parsed = parlance_vocabulary::parse(&input);
    assert!(parsed.diagnostics.iter().any(|d| d.code == parlance_vocabulary::Code::TooDeep));
    let input = format!("segment s where a in {}", "[".repeat(10_000));
    let _ = parlance_vocabulary::parse(&input);
}

#[test]
fn line_and_column_are_one_based_and_count_characters() {
    let text = "segment é\n  where ü = 1";
    let index = parlance_vocabulary::LineIndex::new(text);
    let at = |needle: &str| index.line_col(u32::try_from(text.find(needle).unwrap()).unwrap());
    assert_eq!(at("segment").to_string(), "1:1");
    assert_eq!(at("where").to_string(), "2:3");
    assert_eq!(at("= 1").to_string(), "2:11");
    assert_eq!(index.line_col(10_000).to_string(), "2:14");
}

#[test]
fn hyphenated_operators_and_tight_minus() {
    // `starts-with`, `is-set` and `is-not-set` are single tokens; elsewhere `-` is minus,
    // with or without spaces around it.
    check_parse(
        r#"segment s where a starts-with "x" and b is-set and c is-not-set and d<today-90d and e = 3-1 and starts - with"#,
        expect![[r#"
            (segment s
              (where (and (starts-with a "x") (is-set b) (is-not-set c) (< d (- today 90d)) (= e (- 3 1)) (- starts with))))
        "#]],
    );
}

/// Regression: every unclosed `(` on one long line used to recount the line's
/// characters for its "opened at line:col", which made this input quadratic.
#[test]
fn unclosed_parens_on_one_long_line_stay_linear() {
    let text = format!("segment s where {}", "a where (b ".repeat(10_000));
    let parsed = parlance_vocabulary::parse(&text);
    assert_eq!(
        parsed.diagnostics.iter().filter(|d| d.code == parlance_vocabulary::Code::UnclosedDelimiter).count(),
        10_000
    );
}
