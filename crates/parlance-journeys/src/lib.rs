//! Journeys: touchpoint labels, paths, funnels and lifecycle stage flows.
