//! The app commands of the segments view. Each calls one parlance-api function.
