//! The store: versions only when the formatted text changes, history and
//! diff, broken files keep the last good version, conflicts, removal,
//! rename across files, deprecation.

use std::path::Path;

use parlance_segments::edit::{deprecate, rename};
use parlance_segments::folder::check_folder;
use parlance_segments::store::{self, Publication};
use parlance_segments::{Sandbox, SyncReport, warehouse_catalog};
use parlance_vocabulary::{DefRef, DefinitionKind};
use parlance_warehouse::{Timestamp, Warehouse};

use crate::world::temp_warehouse;

fn at(minute: u32) -> Timestamp {
    Timestamp::parse(&format!("2025-06-30T12:{minute:02}:00Z")).unwrap()
}

fn sync(warehouse: &Warehouse, dir: &Path, message: &str, minute: u32) -> SyncReport {
    let sandbox = Sandbox::open(warehouse, std::time::Duration::from_secs(10)).unwrap();
    let catalog = warehouse_catalog(&sandbox).unwrap();
    let checked = check_folder(dir, &catalog).unwrap();
    store::sync(warehouse, &checked, Publication { author: "ana", message, now: at(minute) }).unwrap()
}

fn seg(name: &str) -> DefRef {
    DefRef::new(DefinitionKind::Segment, name)
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

#[test]
fn versions_history_diff_and_broken_files() {
    let (tmp, warehouse) = temp_warehouse();
    let dir = tmp.path().join("vocabulary");
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir, "a.parlance", "segment known\n  where is_known\n\nsegment big where orders.count >= 3\n");
    let r = sync(&warehouse, &dir, "first", 0);
    assert_eq!(r.created, vec![seg("known"), seg("big")]);
    // Only the layout changes: no new version.
    write(&dir, "a.parlance", "segment known where is_known\nsegment big\n    where orders.count >= 3\n");
    let r = sync(&warehouse, &dir, "reformat", 1);
    assert!(r.updated.is_empty() && r.created.is_empty(), "{r:?}");
    assert_eq!(r.unchanged.len(), 2);
    // A real change: version 2, with author and message.
    write(&dir, "a.parlance", "segment known where is_known\nsegment big\n    where orders.count >= 5\n");
    let r = sync(&warehouse, &dir, "bigger", 2);
    assert_eq!(r.updated, vec![seg("big")]);
    let reader = warehouse.reader().unwrap();
    let history = store::history(&reader, DefinitionKind::Segment, "big").unwrap();
    assert_eq!(
        history.iter().map(|v| (v.version, v.message.as_str())).collect::<Vec<_>>(),
        [(1, "first"), (2, "bigger")]
    );
    assert_eq!(history[1].author, "ana");
    assert_eq!(history[1].created_at, "2025-06-30T12:02:00Z");
    let diff = store::diff(&reader, DefinitionKind::Segment, "big", None, None).unwrap();
    assert!(diff.contains("-  where orders.count >= 3\n+  where orders.count >= 5"), "{diff}");
    // A broken file: nothing changes, the last good version stays.
    write(&dir, "a.parlance", "segment known where is_known and\nsegment big\n    where orders.count >= (\n");
    let r = sync(&warehouse, &dir, "oops", 3);
    assert_eq!(r.kept.len(), 2, "{r:?}");
    assert!(r.removed.is_empty() && r.updated.is_empty());
    let published = store::published(&reader).unwrap();
    assert_eq!(published.len(), 2);
    assert!(published.iter().any(|p| p.name == "big" && p.text.contains(">= 5")));
    // A file that is not even text.
    write(&dir, "a.parlance", "");
    std::fs::write(dir.join("a.parlance"), [0xff, 0xfe, 0x00]).unwrap();
    let r = sync(&warehouse, &dir, "binary", 4);
    assert_eq!(r.kept.len(), 2, "{r:?}");
    // Deleting the definitions from a clean file removes them; history stays.
    write(&dir, "a.parlance", "segment known where is_known\n");
    let r = sync(&warehouse, &dir, "drop big", 5);
    assert_eq!(r.removed, vec![seg("big")]);
    assert_eq!(store::history(&reader, DefinitionKind::Segment, "big").unwrap().len(), 2);
}

#[test]
fn conflicts_across_files_publish_neither() {
    let (tmp, warehouse) = temp_warehouse();
    let dir = tmp.path().join("v");
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir, "a.parlance", "segment vip where orders.count >= 3\n");
    sync(&warehouse, &dir, "one", 0);
    write(&dir, "b.parlance", "segment vip where orders.count >= 9\n");
    let sandbox = Sandbox::open(&warehouse, std::time::Duration::from_secs(10)).unwrap();
    let checked = check_folder(&dir, &warehouse_catalog(&sandbox).unwrap()).unwrap();
    assert!(
        checked.files.iter().all(|f| f.diagnostics.iter().any(|d| d.code.as_str() == "duplicate-definition"))
    );
    let r = sync(&warehouse, &dir, "two", 1);
    assert_eq!(r.kept, vec![seg("vip"), seg("vip")]);
    let reader = warehouse.reader().unwrap();
    assert!(store::published(&reader).unwrap()[0].text.contains(">= 3"));
}

#[test]
fn references_across_files_and_rename() {
    let (tmp, warehouse) = temp_warehouse();
    let dir = tmp.path().join("v");
    std::fs::create_dir_all(&dir).unwrap();
    write(
        &dir,
        "base.parlance",
        "# the base\nsegment buyers\n  where orders.count >= 1\n\nscore spend\n  points 1 when orders.count >= 1\n",
    );
    write(
        &dir,
        "uses.parlance",
        "segment loyal\n  where in segment buyers and score.spend > 0\n\nsegment others\n  where not in segment buyers # comment kept\n",
    );
    let r = sync(&warehouse, &dir, "init", 0);
    assert_eq!(r.created.len(), 4, "{r:?}");
    let edited = rename(&warehouse, &dir, DefinitionKind::Segment, "buyers", "customers").unwrap();
    assert_eq!(edited.files.len(), 2);
    let uses = std::fs::read_to_string(dir.join("uses.parlance")).unwrap();
    assert!(
        uses.contains("in segment customers and score.spend")
            && uses.contains("not in segment customers # comment kept")
    );
    assert!(
        std::fs::read_to_string(dir.join("base.parlance"))
            .unwrap()
            .contains("# the base\nsegment customers\n")
    );
    let r = sync(&warehouse, &dir, "rename", 1);
    assert_eq!(r.updated, vec![seg("customers"), seg("loyal"), seg("others")], "{r:?}");
    assert!(r.removed.is_empty());
    let reader = warehouse.reader().unwrap();
    assert_eq!(store::history(&reader, DefinitionKind::Segment, "customers").unwrap().len(), 2);
    // Scores rename too; a taken or invalid name is refused.
    rename(&warehouse, &dir, DefinitionKind::Score, "spend", "spending").unwrap();
    assert!(std::fs::read_to_string(dir.join("uses.parlance")).unwrap().contains("score.spending > 0"));
    assert!(rename(&warehouse, &dir, DefinitionKind::Segment, "loyal", "others").is_err());
    assert!(rename(&warehouse, &dir, DefinitionKind::Segment, "loyal", "where").is_err());
    assert!(rename(&warehouse, &dir, DefinitionKind::Segment, "nope", "x").is_err());
}

#[test]
fn deprecation_warns_where_referenced() {
    let (tmp, warehouse) = temp_warehouse();
    let dir = tmp.path().join("v");
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir, "a.parlance", "segment old \"Old\"\n  where orders.count >= 1\n");
    write(&dir, "b.parlance", "segment user\n  where in segment old\n");
    deprecate(&dir, DefinitionKind::Segment, "old", Some("use new")).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("a.parlance")).unwrap(),
        "segment old \"Old\"\n  deprecated \"use new\"\n  where orders.count >= 1\n"
    );
    let sandbox = Sandbox::open(&warehouse, std::time::Duration::from_secs(10)).unwrap();
    let checked = check_folder(&dir, &warehouse_catalog(&sandbox).unwrap()).unwrap();
    let b = checked.file("b.parlance").unwrap();
    assert_eq!(
        b.rendered(),
        vec!["b.parlance:2:20 warning[deprecated-reference] segment old is deprecated (use new)"]
    );
    let r = sync(&warehouse, &dir, "deprecate", 0);
    assert_eq!(r.created.len(), 2);
    assert!(
        store::published(&warehouse.reader().unwrap())
            .unwrap()
            .iter()
            .any(|p| p.name == "old" && p.deprecated)
    );
    deprecate(&dir, DefinitionKind::Segment, "old", None).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("a.parlance")).unwrap(),
        "segment old \"Old\"\n  where orders.count >= 1\n"
    );
}
