use parlance_demo::DEMO_SETTING_KEY;
use parlance_warehouse::{RunSummary, WarehouseCounts, has_landed_records, read_setting};

use crate::{
    ApiError, DemoInfoDto, LayersDto, OverviewDto, Parlance, RunDto, SourceDto, StreamDto, TableCountDto,
};

impl Parlance {
    /// What is in the warehouse, per source and per layer.
    pub fn overview(&self) -> Result<OverviewDto, ApiError> {
        let reader = self.warehouse.reader()?;
        let counts = WarehouseCounts::read(&reader)?;
        let demo = read_setting(&reader, DEMO_SETTING_KEY)?.and_then(|v| {
            Some(DemoInfoDto {
                people: u32::try_from(v.get("people")?.as_u64()?).ok()?,
                seed: v.get("seed")?.as_u64()?,
                as_of: v.get("as_of")?.as_str()?.to_owned(),
            })
        });
        let file_size_bytes = std::fs::metadata(self.warehouse.path()).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(wal_path(self.warehouse.path())).map(|m| m.len()).unwrap_or(0);
        Ok(OverviewDto {
            warehouse_path: self.warehouse.path().display().to_string(),
            file_size_bytes,
            schema_version: counts.schema_version,
            demo,
            layers: LayersDto {
                landing: counts.layers.landing,
                quarantined: counts.layers.quarantined,
                unified: counts.layers.unified.into_iter().map(table).collect(),
                derived: counts.layers.derived.into_iter().map(table).collect(),
            },
            sources: counts
                .sources
                .into_iter()
                .map(|s| SourceDto {
                    name: s.name,
                    kind: s.kind,
                    records: s.records,
                    streams: s
                        .streams
                        .into_iter()
                        .map(|st| StreamDto {
                            stream: st.stream,
                            records: st.records,
                            last_fetched_at: st.last_fetched_at,
                        })
                        .collect(),
                    last_run: s.last_run.map(run),
                })
                .collect(),
            recent_runs: counts.recent_runs.into_iter().map(run).collect(),
        })
    }

    /// True when the app should (re)start the demo: nothing was ever landed,
    /// or a demo was started but never completed (e.g. cancelled) — a re-run
    /// completes it without duplicating anything.
    pub fn demo_needed(&self) -> Result<bool, ApiError> {
        let reader = self.warehouse.reader()?;
        if !has_landed_records(&reader)? {
            return Ok(true);
        }
        let demo_started: bool = reader
            .query_row("SELECT EXISTS (SELECT 1 FROM sources WHERE kind = 'demo')", [], |r| r.get(0))
            .map_err(|e| ApiError::new(crate::ErrorCode::Internal, format!("reading sources: {e}")))?;
        Ok(demo_started && read_setting(&reader, DEMO_SETTING_KEY)?.is_none())
    }
}

fn wal_path(path: &std::path::Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

fn table(t: parlance_warehouse::TableCount) -> TableCountDto {
    TableCountDto { table: t.table, label: t.label, rows: t.rows }
}

fn run(r: RunSummary) -> RunDto {
    RunDto {
        id: r.id,
        source: r.source,
        started_at: r.started_at,
        finished_at: r.finished_at,
        status: r.status,
        inserted: r.inserted,
        updated: r.updated,
        unchanged: r.unchanged,
        error: r.error,
    }
}
