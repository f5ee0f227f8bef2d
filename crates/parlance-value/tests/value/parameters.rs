//! The value parameters come from the vocabulary's `value` definition;
//! a bad definition gives errors naming the line, column and clause.

use expect_test::expect;
use parlance_value::{ParameterError, STARTER_VALUE_DEFINITION, ValueParameters};

fn errors(text: &str) -> String {
    ValueParameters::from_source(text, "value.parlance").unwrap_err().to_string()
}

#[test]
fn the_starter_file_parses_with_the_demo_categories_and_channels() {
    let p = ValueParameters::starter().unwrap();
    assert!(STARTER_VALUE_DEFINITION.contains("value universal"));
    assert_eq!((p.horizon_months, p.discount_rate, p.discount_per_year), (12, 0.10, true));
    assert_eq!(p.category_margin("electronics"), 0.18);
    assert_eq!(p.category_margin("garden"), p.margin);
    assert_eq!(p.contact_cost("phone"), 9.0);
    assert_eq!(p.contact_cost("fax"), 4.0, "unlisted channels cost the default");
    assert_eq!(p.tier_for(150.0).unwrap().name, "top");
    assert_eq!(p.tier_for(0.0).unwrap().name, "low");
    assert_eq!(p.tier_for(-3.0).unwrap().name, "low");
}

#[test]
fn out_of_range_numbers_name_their_clause() {
    let text =
        "value v\n  horizon 12m\n  discount 120% per year\n  margin 35%\n  contact cost -2 for \"phone\"\n";
    expect![[r#"
        value.parlance: the value definition has 2 error(s):
          value.parlance:3:12: error[out-of-range] in `discount 120% per year`: a discount rate of 120% is not possible: it must be at least 0% and below 100%
          value.parlance:5:16: error[out-of-range] in `contact cost -2 for "phone"`: a cost of -2 is not possible: costs are not negative"#]]
    .assert_eq(&errors(text));
}

#[test]
fn a_missing_required_clause_names_the_definition() {
    expect![[r#"
        value.parlance: the value definition has 1 error(s):
          value.parlance:1:7: error[missing-clause] in `value v`: value `v` has no `horizon` (add e.g. `horizon 12m`)"#]]
    .assert_eq(&errors("value v\n  discount 1% per month\n  margin 30%\n"));
}

#[test]
fn horizons_tiers_and_duplicates_are_checked() {
    let text = "value v horizon 30d discount 5% per year margin 30%\n  margin 10% for \"books\"\n  margin 12% for \"books\"\n  tier top from 100\n  tier high from 500\n";
    let message = errors(text);
    for expected in [
        "1:17: error[invalid-horizon] in `horizon 30d`",
        "3:18: error[duplicate-name] in `margin 12% for \"books\"`",
        "5:18: error[tier-order] in `tier high from 500`",
        "error[missing-fallback] in `value v`",
    ] {
        assert!(message.contains(expected), "{expected:?} missing from:\n{message}");
    }
}

#[test]
fn syntax_errors_inside_the_definition_are_reported_with_their_clause() {
    let message = errors("value v\n  horizon 12m\n  discount 10% per decade\n  margin 30%\n");
    assert!(message.contains("value.parlance:3:"), "{message}");
    assert!(message.contains("discount"), "{message}");
}

#[test]
fn no_value_definition_and_two_value_definitions_are_errors() {
    assert!(matches!(
        ValueParameters::from_source("segment s where orders.count > 1\n", "f"),
        Err(ParameterError::NoDefinition { .. })
    ));
    let two = "value a horizon 12m discount 1% per month margin 30%\nvalue b horizon 12m discount 1% per month margin 30%\n";
    let error = ValueParameters::from_source(two, "f").unwrap_err();
    assert_eq!(error.to_string(), "f:2: a second `value` definition; a vocabulary holds one value metric");
}

#[test]
fn errors_in_other_definitions_do_not_block_the_value() {
    let text = "segment s where orders.cnt > 1\nvalue v horizon 1y discount 1% per month margin 30%\n";
    let p = ValueParameters::from_source(text, "f").unwrap();
    assert_eq!(p.horizon_months, 12);
    assert!((p.monthly_discount_rate() - 0.01).abs() < 1e-15);
    assert!(p.tiers.is_empty() && p.tier_for(5.0).is_none());
}
