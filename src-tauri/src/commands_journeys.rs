//! The app commands of the journeys view. Each calls one parlance-api function.
