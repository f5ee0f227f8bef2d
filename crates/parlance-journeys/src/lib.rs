//! Journeys: touchpoint labels, paths, funnels and lifecycle stage flows.
//!
//! The pipeline is [`Touchpoints::from_program`] (the vocabulary's
//! `touchpoints` block compiled to ordered rules) → [`load`] (the events of
//! live profiles as a compact in-memory [`EventLog`], at label or group
//! [`Level`]) → [`paths`] / [`funnel`]. Stage flows read the lifecycle
//! stages through `parlance-segments` ([`stage_snapshots`]) and turn them into
//! flows with the pure [`stage_flows`]. Every analysis has a drill-down that
//! returns the profile ids behind a number, computed with the same options.
//!
//! Nothing here reads the clock: dates are passed in.

mod error;
mod funnel;
mod load;
mod paths;
mod rules;
mod stages;
mod touchpoints;

pub use error::JourneyError;
pub use funnel::{FunnelOptions, FunnelResult, FunnelStep, funnel, funnel_step_profiles};
pub use load::{EventLog, Filter, load};
pub use paths::{PathEdge, PathMap, PathNode, PathOptions, path_edge_profiles, path_node_profiles, paths};
pub use stages::{
    Period, Snapshot, StageFlow, StageFlows, periods, stage_flow_profiles, stage_flows, stage_snapshots,
};
pub use touchpoints::{LabelInfo, Level, TouchpointEvent, Touchpoints};
