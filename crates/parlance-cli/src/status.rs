use std::fmt::Write;

use parlance_api::{OverviewDto, RunDto};

use crate::format::{bytes, count};

/// The human form of `parlance status`.
pub fn render(o: &OverviewDto) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Warehouse  {} ({}, schema {})",
        o.warehouse_path,
        bytes(o.file_size_bytes),
        o.schema_version
    );
    if let Some(demo) = &o.demo {
        let _ =
            writeln!(out, "Demo       {} people, history to {}", count(u64::from(demo.people)), demo.as_of);
    }
    let _ = writeln!(out, "\nSources");
    if o.sources.is_empty() {
        let _ = writeln!(out, "  none yet: run `parlance demo`, or add a source");
    }
    let width = o
        .sources
        .iter()
        .flat_map(|s| std::iter::once(s.name.len()).chain(s.streams.iter().map(|st| st.stream.len() + 2)))
        .max()
        .unwrap_or(0)
        .max(6);
    for s in &o.sources {
        let _ = writeln!(
            out,
            "  {:<width$}  {:>12} records   {}",
            s.name,
            count(s.records),
            last_run(s.last_run.as_ref())
        );
        for st in &s.streams {
            let _ = writeln!(out, "    {:<w$}  {:>12}", st.stream, count(st.records), w = width - 2);
        }
    }
    let _ = writeln!(out, "\nLayers");
    let _ = writeln!(
        out,
        "  landing      {:>12} records, {} quarantined",
        count(o.layers.landing),
        count(o.layers.quarantined)
    );
    for (layer, tables) in [("unified", &o.layers.unified), ("derived", &o.layers.derived)] {
        let listed: Vec<String> =
            tables.iter().map(|t| format!("{} {}", t.label.to_lowercase(), count(t.rows))).collect();
        let _ = writeln!(out, "  {layer:<12} {}", listed.join(", "));
    }
    out
}

fn last_run(run: Option<&RunDto>) -> String {
    match run {
        None => "never synced".into(),
        Some(r) => format!(
            "last run {} {} (+{} new, {} changed, {} unchanged)",
            r.status,
            r.finished_at.as_deref().unwrap_or(&r.started_at),
            count(r.inserted),
            count(r.updated),
            count(r.unchanged)
        ),
    }
}
