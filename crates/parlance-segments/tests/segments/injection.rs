//! Injection: names and strings full of quotes, `;`, comments and SQL
//! keywords stay inert — evaluated against a warehouse, no table changes and
//! the literal matches exactly.

use parlance_segments::evaluate::evaluate;
use parlance_segments::{Sandbox, warehouse_catalog};
use parlance_vocabulary::Program;
use parlance_vocabulary::lexer::quote;
use serde_json::{Map, json};

use crate::world::{Event, Profile, Trait, World, temp_warehouse};

const NASTY: &[&str] = &[
    "x'); DROP TABLE profiles; --",
    "\"; DELETE FROM events; /*",
    "*/ OR 1=1 --",
    "' OR '1'='1",
    "Robert'); UPDATE traits SET key='pwned' WHERE ('1'='1",
    "%_ LIKE GLOB * ? ?1 :name @x $y",
    "\\\" \\n ; ATTACH DATABASE 'evil' AS e; --",
    "$.\"city\"",
];

fn fingerprint(sandbox: &Sandbox) -> Vec<String> {
    let mut out = Vec::new();
    for table in ["profiles", "traits", "events", "orders", "settings", "definitions", "landing_records"] {
        let sql = format!("SELECT count(*) FROM {table}");
        // settings, definitions and landing_records are not readable in the sandbox: count outside it.
        let rows = sandbox.run_sql(&sql);
        out.push(format!("{table}: {rows:?}"));
    }
    out
}

#[test]
fn nasty_strings_stay_literals() {
    let (_dir, warehouse) = temp_warehouse();
    let mut w = World::default();
    for (i, s) in NASTY.iter().enumerate() {
        let id = i as i64 + 1;
        w.profiles.push(Profile { id, known: true, merged_into: None });
        w.traits.push(Trait {
            profile: id,
            key: "city".into(),
            value: json!(s),
            source: "a".into(),
            observed_at: "2025-01-01T00:00:00Z".into(),
        });
        let mut props = Map::new();
        props.insert("path".into(), json!(s));
        w.events.push(Event {
            id,
            profile: id,
            at: "2025-06-01T10:00:00Z".into(),
            channel: "web".into(),
            name: "page_view".into(),
            properties: props,
            revenue: None,
        });
    }
    w.write(&warehouse);
    let sandbox = Sandbox::open(&warehouse, std::time::Duration::from_secs(10)).unwrap();
    let catalog = warehouse_catalog(&sandbox).unwrap();
    let before = fingerprint(&sandbox);
    let today = time::macros::date!(2025 - 06 - 30);
    for (i, s) in NASTY.iter().enumerate() {
        let q = quote(s);
        let text = format!(
            "segment eq \"{s_title}\"\n  description {q}\n  where trait.city = {q}\n\n\
             segment listed\n  where trait.city in [{q}, \"other\"]\n\n\
             segment prefix\n  where trait.city starts-with {q}\n\n\
             segment inside\n  where trait.city contains {q}\n\n\
             segment filtered\n  where count(web.page_view where path = {q}) >= 1\n",
            s_title = s.replace(['"', '\\'], "")
        );
        let program = Program::new(text.clone(), &catalog);
        assert!(!program.analysis().has_errors(), "{text}\n{:?}", program.analysis().diagnostics);
        for name in ["eq", "listed", "filtered"] {
            let members = evaluate(&sandbox, &program, name, today).unwrap();
            assert_eq!(members, vec![i as i64 + 1], "{name} for {s:?}");
        }
        for name in ["prefix", "inside"] {
            let members = evaluate(&sandbox, &program, name, today).unwrap();
            assert!(members.contains(&(i as i64 + 1)), "{name} for {s:?}");
        }
    }
    assert_eq!(fingerprint(&sandbox), before);
    // Every table is still there and unchanged, seen from outside the sandbox.
    let reader = warehouse.reader().unwrap();
    let n: i64 = reader.query_row("SELECT count(*) FROM profiles", [], |r| r.get(0)).unwrap();
    assert_eq!(n, NASTY.len() as i64);
    let keys: i64 =
        reader.query_row("SELECT count(*) FROM traits WHERE key = 'city'", [], |r| r.get(0)).unwrap();
    assert_eq!(keys, NASTY.len() as i64);
}
