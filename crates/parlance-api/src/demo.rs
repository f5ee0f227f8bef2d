use std::sync::atomic::AtomicBool;

use parlance_demo::{DEMO_SETTING_KEY, DemoConfig, DemoProgress};
use parlance_warehouse::{Timestamp, read_setting};
use time::Date;
use time::macros::format_description;

use crate::{ApiError, DemoOptionsDto, DemoProgressDto, DemoSummaryDto, Parlance};

/// Environment variable the app reads for the first-start demo size.
pub const DEMO_PEOPLE_ENV: &str = "PARLANCE_DEMO_PEOPLE";

/// Demo options for the app's first start: `$PARLANCE_DEMO_PEOPLE` people
/// (default 20,000), everything else defaulted.
pub fn demo_options_from_env() -> DemoOptionsDto {
    let people = std::env::var(DEMO_PEOPLE_ENV).ok().and_then(|v| v.trim().parse().ok());
    DemoOptionsDto { people, ..DemoOptionsDto::default() }
}

fn parse_date(text: &str) -> Result<Date, ApiError> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|e| ApiError::invalid(format!("as-of date {text:?} is not YYYY-MM-DD: {e}")))
}

impl Parlance {
    /// Generates (or completes) the demo company and lands it. `today` and
    /// `now` come from the caller's clock.
    pub fn generate_demo(
        &self,
        options: &DemoOptionsDto,
        today: Date,
        now: Timestamp,
        on_progress: &mut dyn FnMut(DemoProgressDto),
        cancel: &AtomicBool,
    ) -> Result<DemoSummaryDto, ApiError> {
        let started = std::time::Instant::now();
        let existing = read_setting(&*self.warehouse.reader()?, DEMO_SETTING_KEY)?;
        let as_of = match (
            &options.as_of,
            existing.as_ref().and_then(|v| v.get("as_of")?.as_str().map(str::to_owned)),
        ) {
            (Some(given), _) => parse_date(given)?,
            (None, Some(stored)) => parse_date(&stored)?,
            (None, None) => today.previous_day().unwrap_or(today),
        };
        let config = DemoConfig {
            people: options.people.unwrap_or(DemoConfig::DEFAULT_PEOPLE),
            seed: options.seed.unwrap_or(DemoConfig::DEFAULT_SEED),
            as_of,
        };
        let mut forward = |p: DemoProgress| {
            on_progress(DemoProgressDto {
                phase: "landing".into(),
                people_done: p.people_done,
                people_total: p.people_total,
                records: p.records,
                records_total: 0,
            })
        };
        let report = parlance_demo::generate(&self.warehouse, &config, now, &mut forward, cancel)?;
        let _ = report.seconds;
        let unified = self.unify_with_progress(now, cancel, &mut |p| {
            on_progress(DemoProgressDto {
                phase: "unifying".into(),
                people_done: config.people,
                people_total: config.people,
                records: p.done,
                records_total: p.total,
            })
        })?;
        self.refresh_value_after_import(as_of, now)?;
        self.refresh_vocabulary_after_import(as_of, now)?;
        Ok(DemoSummaryDto {
            unified: unified.unified,
            quarantined: unified.quarantined,
            people: report.people,
            as_of: as_of.to_string(),
            records: report.stats.records(),
            inserted: report.stats.inserted,
            updated: report.stats.updated,
            unchanged: report.stats.unchanged,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}
