//! For merge-only rules (no limits), arrival order does not change the final
//! clusters, and the SQL store agrees with the in-memory one.

use parlance_identity::{IdKind, RawIdentifier, Rules};
use proptest::prelude::*;

use crate::{in_memory, in_warehouse};

fn merge_only() -> Rules {
    Rules { limits: Vec::new(), ..Rules::default() }
}

fn identifier() -> impl Strategy<Value = RawIdentifier> {
    prop_oneof![
        (0..12u8).prop_map(|n| RawIdentifier::new(IdKind::Email, format!("p{n}@mail.demo"))),
        (0..12u8).prop_map(|n| RawIdentifier::new(IdKind::AnonymousId, format!("cookie-{n}"))),
        (0..12u8).prop_map(|n| RawIdentifier::new(IdKind::CustomerId("shop".into()), n.to_string())),
        (0..12u8).prop_map(|n| RawIdentifier::new(IdKind::Phone, format!("+4477009000{n:02}"))),
    ]
}

fn records() -> impl Strategy<Value = Vec<Vec<RawIdentifier>>> {
    prop::collection::vec(prop::collection::vec(identifier(), 1..4), 1..25)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arrival_order_does_not_change_merge_only_clusters(records in records(), seed in any::<u64>()) {
        let rules = merge_only();
        let mut shuffled = records.clone();
        // A deterministic shuffle driven by the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(in_memory(&rules, &records).0, in_memory(&rules, &shuffled).0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn the_warehouse_store_agrees_with_the_memory_store(records in records()) {
        for rules in [merge_only(), Rules::default()] {
            prop_assert_eq!(in_warehouse(&rules, &records), in_memory(&rules, &records).0);
        }
    }
}
