//! `parlance journey paths | funnel | stages`: journeys across touchpoints.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use parlance_api::{
    ApiError, DrillDto, DrillRequestDto, ErrorCode, FunnelDto, FunnelRequestDto, JourneyFilterDto, Parlance,
    PathMapDto, PathRequestDto, StageFlowRequestDto, StageFlowsDto,
};

use crate::format::count;

/// Chart size for `--svg` / `--png`.
const CHART: (u32, u32) = (1100, 620);
/// Profile ids a `--drill` prints at most.
const DRILL_LIMIT: u32 = 1_000;

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only the members of this published segment
    #[arg(long, value_name = "SEGMENT")]
    segment: Option<String>,
    /// First day, YYYY-MM-DD (inclusive)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive)
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
    /// Also write the chart as SVG
    #[arg(long, value_name = "FILE", conflicts_with = "png")]
    svg: Option<PathBuf>,
    /// Also write the chart as PNG
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
}

impl FilterArgs {
    fn filter(&self, groups: bool) -> JourneyFilterDto {
        JourneyFilterDto {
            segment: self.segment.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            groups,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum JourneyCommand {
    /// The most travelled paths across touchpoints, step by step, with drop-off
    Paths {
        #[command(flatten)]
        filter: FilterArgs,
        /// Touchpoint groups (web, email, …) instead of labels
        #[arg(long)]
        groups: bool,
        /// Split into sessions after this many idle minutes [default: one path per profile]
        #[arg(long, value_name = "MINUTES")]
        session_gap: Option<u32>,
        /// Start at the first occurrence of this label
        #[arg(long, value_name = "LABEL")]
        start: Option<String>,
        /// End at the first occurrence of this label after the start
        #[arg(long, value_name = "LABEL")]
        end: Option<String>,
        #[arg(long, default_value_t = 5)]
        steps: u32,
        /// Leave out edges followed by fewer distinct profiles
        #[arg(long, default_value_t = 1, value_name = "PROFILES")]
        min_profiles: u64,
        /// Keep at most this many edges, the heaviest
        #[arg(long, default_value_t = 50)]
        edges: u32,
        /// Print the profiles behind node N (a number from the output)
        #[arg(long, value_name = "NODE")]
        drill: Option<u32>,
    },
    /// Ordered steps within a conversion window: who reaches each, how fast
    Funnel {
        #[command(flatten)]
        filter: FilterArgs,
        /// A step's touchpoint label; give two or more, in order
        #[arg(long = "step", value_name = "LABEL", required = true)]
        steps: Vec<String>,
        /// Days from the first step to the last
        #[arg(long, default_value_t = 30)]
        window: u32,
        /// Also the funnel of each of these segments' members
        #[arg(long = "by", value_name = "SEGMENT")]
        breakdown: Vec<String>,
        /// Print the profiles who dropped out before step N (1-based)
        #[arg(long, value_name = "STEP")]
        dropped: Option<u32>,
    },
    /// Lifecycle stage per period and the flows between stages
    Stages {
        #[command(flatten)]
        filter: FilterArgs,
        /// month or quarter
        #[arg(long, default_value = "month")]
        period: String,
    },
}

pub fn run(path: &Path, command: JourneyCommand) -> Result<(), ApiError> {
    let parlance = Parlance::open_existing(path)?;
    let today = time::OffsetDateTime::now_utc().date();
    match command {
        JourneyCommand::Paths {
            filter,
            groups,
            session_gap,
            start,
            end,
            steps,
            min_profiles,
            edges,
            drill,
        } => {
            let request = PathRequestDto {
                filter: filter.filter(groups),
                session_gap_minutes: session_gap,
                start,
                end,
                steps,
                min_profiles,
                edges,
            };
            if let Some(node) = drill {
                return drilled(
                    &parlance.journey_drill(
                        &DrillRequestDto::PathNode { request, node },
                        today,
                        DRILL_LIMIT,
                    )?,
                    filter.json,
                );
            }
            let map = parlance.journey_paths(&request, today)?;
            write_chart(&filter, || parlance_api::paths_svg(&map, "light", CHART.0, CHART.1))?;
            if filter.json {
                return crate::print_json(&map);
            }
            print!("{}", render_paths(&map));
        }
        JourneyCommand::Funnel { filter, steps, window, breakdown, dropped } => {
            let request =
                FunnelRequestDto { filter: filter.filter(false), steps, window_days: window, breakdown };
            if let Some(step) = dropped {
                let step = step
                    .checked_sub(1)
                    .ok_or_else(|| ApiError::invalid("steps are numbered from 1; --dropped 0 names none"))?;
                return drilled(
                    &parlance.journey_drill(
                        &DrillRequestDto::FunnelStep { request, step, reached: false },
                        today,
                        DRILL_LIMIT,
                    )?,
                    filter.json,
                );
            }
            let funnel = parlance.journey_funnel(&request, today)?;
            write_chart(&filter, || parlance_api::funnel_svg(&funnel, "light", CHART.0, CHART.1))?;
            if filter.json {
                return crate::print_json(&funnel);
            }
            print!("{}", render_funnel(&funnel));
        }
        JourneyCommand::Stages { filter, period } => {
            let request = StageFlowRequestDto { filter: filter.filter(false), period: Some(period) };
            let flows = parlance.journey_stages(&request, today)?;
            write_chart(&filter, || parlance_api::stages_svg(&flows, "light", CHART.0, CHART.1))?;
            if filter.json {
                return crate::print_json(&flows);
            }
            print!("{}", render_stages(&flows));
        }
    }
    Ok(())
}

fn write_chart(args: &FilterArgs, svg: impl FnOnce() -> Result<String, ApiError>) -> Result<(), ApiError> {
    let io = |file: &Path, e: std::io::Error| {
        ApiError::new(ErrorCode::Io, format!("writing {}: {e}", file.display()))
    };
    if let Some(file) = &args.svg {
        std::fs::write(file, svg()?).map_err(|e| io(file, e))?;
    } else if let Some(file) = &args.png {
        let png = parlance_api::svg_to_png(&svg()?)?;
        std::fs::write(file, png).map_err(|e| io(file, e))?;
    }
    Ok(())
}

fn drilled(drill: &DrillDto, json: bool) -> Result<(), ApiError> {
    if json {
        return crate::print_json(drill);
    }
    println!(
        "{}: {} profiles{}",
        drill.description,
        count(drill.count),
        if drill.truncated { format!(" (the first {} shown)", drill.profiles.len()) } else { String::new() }
    );
    for id in &drill.profiles {
        println!("{id}");
    }
    Ok(())
}

fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 120.0 => format!("{s:.0} s"),
        s if s < 7_200.0 => format!("{:.0} min", s / 60.0),
        s if s < 172_800.0 => format!("{:.1} h", s / 3_600.0),
        s => format!("{:.1} days", s / 86_400.0),
    }
}

/// The human form of `journey paths`: nodes by step, then edges by weight.
pub fn render_paths(map: &PathMapDto) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} sequences of {} profiles ({} touchpoints)",
        count(map.sequences),
        count(map.profiles),
        count(map.events)
    );
    if map.nodes.is_empty() {
        let _ = writeln!(out, "No paths: no touchpoints match the filter.");
        return out;
    }
    let _ = writeln!(
        out,
        "\n{:>5}  {:>4}  {:<28} {:>10} {:>10} {:>10}",
        "node", "step", "touchpoint", "sequences", "profiles", "drop-off"
    );
    for n in &map.nodes {
        let _ = writeln!(
            out,
            "{:>5}  {:>4}  {:<28} {:>10} {:>10} {:>10}",
            n.id,
            n.step,
            n.label,
            count(n.sequences),
            count(n.profiles),
            count(n.drop_off)
        );
    }
    let _ = writeln!(out, "\n{:<62} {:>10} {:>10} {:>12}", "edge", "times", "profiles", "avg gap");
    for e in &map.edges {
        let (a, b) = (&map.nodes[e.from as usize], &map.nodes[e.to as usize]);
        let edge = format!("{} {} → {} {}", a.step, a.label, b.step, b.label);
        let _ = writeln!(
            out,
            "{edge:<62} {:>10} {:>10} {:>12}",
            count(e.occurrences),
            count(e.profiles),
            duration(e.avg_seconds)
        );
    }
    out
}

/// The human form of `journey funnel`.
pub fn render_funnel(funnel: &FunnelDto) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Funnel within {} days over {} profiles",
        funnel.window_days,
        count(funnel.profiles_considered)
    );
    render_funnel_steps(&mut out, &funnel.steps);
    for part in &funnel.breakdown {
        let _ = writeln!(out, "\nSegment {}", part.segment);
        render_funnel_steps(&mut out, &part.steps);
    }
    out
}

fn render_funnel_steps(out: &mut String, steps: &[parlance_api::FunnelStepDto]) {
    let _ = writeln!(
        out,
        "{:>4}  {:<28} {:>10} {:>9} {:>9} {:>12}",
        "step", "touchpoint", "profiles", "of prev", "of first", "median time"
    );
    for (i, s) in steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:>4}  {:<28} {:>10} {:>8.1}% {:>8.1}% {:>12}",
            i + 1,
            s.label,
            count(s.profiles),
            s.conversion_from_previous * 100.0,
            s.conversion_from_first * 100.0,
            s.median_seconds_from_previous.map(duration).unwrap_or_else(|| "—".into())
        );
    }
}

/// The human form of `journey stages`: the stage counts per period, then the flows that change stage.
pub fn render_stages(flows: &StageFlowsDto) -> String {
    let mut out = String::new();
    let _ = write!(out, "{:<10}", "period");
    for s in &flows.stages {
        let _ = write!(out, " {s:>12}");
    }
    let _ = writeln!(out);
    for (p, counts) in flows.periods.iter().zip(&flows.counts) {
        let _ = write!(out, "{p:<10}");
        for c in counts {
            let _ = write!(out, " {:>12}", count(*c));
        }
        let _ = writeln!(out);
    }
    let moves: Vec<_> = flows.flows.iter().filter(|f| f.from != f.to).collect();
    let _ = writeln!(out, "\nChanges of stage ({}):", moves.len());
    for f in moves {
        let (a, b) = (&flows.periods[f.from_period as usize], flows.periods.get(f.from_period as usize + 1));
        let _ = writeln!(
            out,
            "  {a} → {}  {:<14} → {:<14} {:>10}",
            b.map(String::as_str).unwrap_or("?"),
            f.from,
            f.to,
            count(f.profiles)
        );
    }
    out
}
