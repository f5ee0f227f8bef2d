//! The canonical formatter: layout, idempotence, comments.

use expect_test::expect;

use super::check_format;

#[test]
fn layout_of_every_definition_kind() {
    check_format(
        r#"
segment   lapsed_vip "Lapsed VIPs" owner "Lifecycle" description "Top-tier value, no order in 90 days, still opening email"
tags "vip","retention" where value.tier="top" and last(order).at<today-90d and count(email.opened within 30d)>=1
score engagement "Engagement" points 5 per web.page_view within 30d max 50 points 1 per 60 of sum(web.page_view.seconds within 30d) max 20
  points 20 when count(email.click within 14d) >= 1 and is_known
stages lifecycle "Lifecycle" stage acquisition "Acquisition" when not is_known or orders.count = 0
  stage retention "Retention" when orders.count >= 2 and last(order).at >= today - 180d
  stage lapsed "Lapsed" otherwise
value standard horizon 12m discount 10% per year margin 35% margin 12% for "electronics" contact cost 8.50 for "phone" return cost 6
  tier top "Top" from 1000 tier low "Low" otherwise
touchpoints journey group web "Website" map web.page_view where page_type = "product" to web : product_view ignore web.search
"#,
        expect![[r#"
            segment lapsed_vip "Lapsed VIPs"
              owner "Lifecycle"
              description "Top-tier value, no order in 90 days, still opening email"
              tags "vip", "retention"
              where value.tier = "top"
                and last(order).at < today - 90d
                and count(email.opened within 30d) >= 1

            score engagement "Engagement"
              points 5 per web.page_view within 30d max 50
              points 1 per 60 of sum(web.page_view.seconds within 30d) max 20
              points 20 when count(email.click within 14d) >= 1
                and is_known

            stages lifecycle "Lifecycle"
              stage acquisition "Acquisition" when not is_known
                or orders.count = 0
              stage retention "Retention" when orders.count >= 2
                and last(order).at >= today - 180d
              stage lapsed "Lapsed" otherwise

            value standard
              horizon 12m
              discount 10% per year
              margin 35%
              margin 12% for "electronics"
              contact cost 8.50 for "phone"
              return cost 6
              tier top "Top" from 1000
              tier low "Low" otherwise

            touchpoints journey
              group web "Website"
              map web.page_view where page_type = "product" to web:product_view
              ignore web.search
        "#]],
    );
}

#[test]
fn canonical_literals() {
    check_format(
        r#"segment s where a = "tab\there \u{1F600} \"q\"" and b = 2025-1-5 and c = 090d and d in [ 1,2 , 3, ] and e = 19.90 and f = -5"#,
        expect![[r#"
            segment s
              where a = "tab\there 😀 \"q\""
                and b = 2025-01-05
                and c = 90d
                and d in [1, 2, 3]
                and e = 19.90
                and f = -5
        "#]],
    );
}

#[test]
fn parentheses_are_kept_and_long_groups_broken() {
    check_format(
        r#"
segment s
  where (is_known) and (trait.city = "Paris" or trait.city = "Lyon")
    and not (trait.country in ["FR", "BE", "LU", "CH", "MC"] or trait.language in ["fr"] or survey.nps >= 9 or orders.count > 10)
    and count(order where (channel = "web" or channel = "app") within 30d) > 0
"#,
        expect![[r#"
            segment s
              where (is_known)
                and (trait.city = "Paris" or trait.city = "Lyon")
                and not (
                  trait.country in ["FR", "BE", "LU", "CH", "MC"]
                  or trait.language in ["fr"]
                  or survey.nps >= 9
                  or orders.count > 10
                )
                and count(order where (channel = "web" or channel = "app") within 30d) > 0
        "#]],
    );
}

#[test]
fn or_chain_at_top_level() {
    check_format(
        r#"segment s where is_known or orders.count > 1 or in segment newsletter_subscribers"#,
        expect![[r#"
        segment s
          where is_known
            or orders.count > 1
            or in segment newsletter_subscribers
    "#]],
    );
}

#[test]
fn sequence_with_open_filter_keeps_its_parentheses() {
    check_format(
        r#"segment s where (cart.added then no order where amount > 10) and is_known and web.session then order within 7d"#,
        expect![[r#"
            segment s
              where (cart.added then no order where amount > 10)
                and is_known
                and web.session then order within 7d
        "#]],
    );
}

#[test]
fn window_position_is_kept() {
    check_format(
        r#"segment s where count(order between 2025-01-01 and 2025-02-01 where items > 1) > 0 and count(order where items > 1 between 2025-01-01 and 2025-02-01) > 0"#,
        expect![[r#"
            segment s
              where count(order between 2025-01-01 and 2025-02-01 where items > 1) > 0
                and count(order where items > 1 between 2025-01-01 and 2025-02-01) > 0
        "#]],
    );
}

#[test]
fn comments_are_kept() {
    check_format(
        r#"
# Vocabulary of the lifecycle team.
# Reviewed monthly.

# The VIPs we are losing.
segment lapsed_vip "Lapsed VIPs" # header comment
  owner "Lifecycle"   # who to ask
  # The condition:
  where value.tier = "top"   # top tier only
    and last(order).at < today - 90d # lapsed
    # still engaged
    and count(email.opened within 30d) >= 1
segment other where is_known and # dangling after and
  orders.count > 1
# at the end
"#,
        expect![[r##"
            # Vocabulary of the lifecycle team.
            # Reviewed monthly.

            # The VIPs we are losing.
            segment lapsed_vip "Lapsed VIPs" # header comment
              owner "Lifecycle" # who to ask
              # The condition:
              where value.tier = "top" # top tier only
                and last(order).at < today - 90d # lapsed
                # still engaged
                and count(email.opened within 30d) >= 1

            segment other
              where is_known
                # dangling after and
                and orders.count > 1

            # at the end
        "##]],
    );
}

#[test]
fn empty_and_comment_only_files() {
    check_format("", expect![[""]]);
    check_format("   \n\n", expect![[""]]);
    check_format(
        "# just a note\n",
        expect![[r#"
        # just a note
    "#]],
    );
}

#[test]
fn format_text_refuses_syntax_errors() {
    let err = parlance_vocabulary::format_text("segment s where (is_known").unwrap_err();
    assert_eq!(err[0].code, parlance_vocabulary::Code::UnclosedDelimiter);
    let ok = parlance_vocabulary::format_text("segment s where is_known").unwrap();
    assert_eq!(ok, "segment s\n  where is_known\n");
}

#[test]
fn comments_inside_a_broken_group() {
    check_format(
        r#"
segment s
  where is_known and ( # either city
    trait.city = "Paris" # capital
    or trait.city = "Lyon" or trait.city = "Marseille" or trait.city = "Toulouse" or trait.city = "Nice"
  ) # end
"#,
        expect![[r#"
            segment s
              where is_known
                and ( # either city
                  trait.city = "Paris" # capital
                  or trait.city = "Lyon"
                  or trait.city = "Marseille"
                  or trait.city = "Toulouse"
                  or trait.city = "Nice"
                ) # end
        "#]],
    );
}

#[test]
fn a_header_comment_keeps_its_blank_line_before_the_only_definition() {
    check_format(
        "# Header.\n\nsegment a\n  where is_known\n",
        expect![[r#"
            # Header.

            segment a
              where is_known
        "#]],
    );
}
