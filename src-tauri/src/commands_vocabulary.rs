//! The app commands of the vocabulary view. Each calls one parlance-api function.
