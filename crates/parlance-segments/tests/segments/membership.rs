//! Memberships over two refreshes: who entered and left, sizes over time,
//! overlap; scores and stages materialised.

use std::time::Duration;

use parlance_segments::membership::{current_members, overlap, sizes};
use parlance_segments::refresh::refresh;
use parlance_segments::store::{self, Publication};
use parlance_segments::{Sandbox, check_files, warehouse_catalog};
use parlance_warehouse::Timestamp;
use serde_json::json;

use crate::world::{Profile, Trait, World, temp_warehouse};

const VOCABULARY: &str = "segment fans\n  where survey.nps >= 9\n\nsegment known\n  where is_known\n\n\
score loyalty\n  points 10 when survey.nps >= 9\n  points 1 when is_known\n\n\
stages life\n  stage fan when in segment fans\n  stage other otherwise\n";

#[test]
fn entered_and_left_over_two_refreshes() {
    let (_dir, warehouse) = temp_warehouse();
    let mut w = World::default();
    for id in 1..=4 {
        w.profiles.push(Profile { id, known: id % 2 == 0, merged_into: None });
    }
    for (id, nps) in [(1, 9), (2, 10), (3, 3)] {
        w.traits.push(Trait {
            profile: id,
            key: "survey.nps".into(),
            value: json!(nps),
            source: "s".into(),
            observed_at: "2025-01-01T00:00:00Z".into(),
        });
    }
    w.write(&warehouse);
    let sandbox = Sandbox::open(&warehouse, Duration::from_secs(10)).unwrap();
    let catalog = warehouse_catalog(&sandbox).unwrap();
    let checked = check_files(vec![("v.parlance".into(), Ok(VOCABULARY.into()))], &catalog);
    let t1 = Timestamp::parse("2025-06-01T00:00:00Z").unwrap();
    store::sync(&warehouse, &checked, Publication { author: "a", message: "m", now: t1 }).unwrap();
    let today = time::macros::date!(2025 - 06 - 01);
    let r = refresh(&warehouse, today, t1, Duration::from_secs(10)).unwrap();
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    let fans = store::published(&sandbox).unwrap().into_iter().find(|d| d.name == "fans").unwrap();
    let known = store::published(&sandbox).unwrap().into_iter().find(|d| d.name == "known").unwrap();
    assert_eq!(current_members(&sandbox, fans.id).unwrap(), vec![(1, t1.to_string()), (2, t1.to_string())]);
    // Profile 1's answer changes to 5, profile 3's to 10.
    warehouse
        .write(|tx| {
            tx.execute("UPDATE traits SET value_json = '5' WHERE profile_id = 1", []).unwrap();
            tx.execute("UPDATE traits SET value_json = '10' WHERE profile_id = 3", []).unwrap();
            Ok(())
        })
        .unwrap();
    let t2 = Timestamp::parse("2025-06-02T00:00:00Z").unwrap();
    let r = refresh(&warehouse, time::macros::date!(2025 - 06 - 02), t2, Duration::from_secs(10)).unwrap();
    let change = r.segments.iter().find(|(n, _, _)| n == "fans").unwrap();
    assert_eq!((change.2.members, change.2.entered, change.2.left), (2, 1, 1));
    assert_eq!(current_members(&sandbox, fans.id).unwrap(), vec![(2, t1.to_string()), (3, t2.to_string())]);
    let series: Vec<(String, u64)> =
        sizes(&sandbox, fans.id).unwrap().into_iter().map(|p| (p.at, p.members)).collect();
    assert_eq!(series, vec![(t1.to_string(), 2), (t2.to_string(), 2)]);
    let o = overlap(&sandbox, &[(fans.id, "fans".into()), (known.id, "known".into())]).unwrap();
    assert_eq!(o.iter().map(|x| x.both).collect::<Vec<_>>(), vec![2, 1, 2]);
    // Scores and stages: every live profile has one of each.
    let scores: Vec<(i64, f64)> = sandbox
        .prepare("SELECT profile_id, value FROM profile_scores WHERE score = 'loyalty' ORDER BY profile_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(scores, vec![(1, 0.0), (2, 11.0), (3, 10.0), (4, 1.0)]);
    let stages: Vec<(i64, String, String, Option<String>)> = sandbox
        .prepare("SELECT profile_id, stage, entered_at, left_at FROM stage_history ORDER BY profile_id, entered_at")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (a, b) = (t1.to_string(), t2.to_string());
    assert_eq!(
        stages,
        vec![
            (1, "fan".into(), a.clone(), Some(b.clone())),
            (1, "other".into(), b.clone(), None),
            (2, "fan".into(), a.clone(), None),
            (3, "other".into(), a.clone(), Some(b.clone())),
            (3, "fan".into(), b.clone(), None),
            (4, "other".into(), a.clone(), None),
        ]
    );
}
