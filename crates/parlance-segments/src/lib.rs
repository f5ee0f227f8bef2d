//! The vocabulary in the warehouse.
//!
//! `parlance-vocabulary` is the language and does no IO: text in, syntax
//! tree, diagnostics and compiled SQL out. This crate is everything that
//! touches the warehouse or the file system on the vocabulary's behalf:
//!
//! | module | what |
//! |---|---|
//! | [`catalog`] | the field catalog built from what the warehouse holds |
//! | [`sandbox`] | the read-only, authorised, time-limited connection queries run on |
//! | [`evaluate`](mod@evaluate) | segment members, `--explain`, scores and stages, as of a date |
//! | [`folder`] | a vocabulary folder read and checked file against file |
//! | [`store`] | published definitions with their version history, diffs |
//! | [`edit`] | rename (references included) and deprecation, applied to the files |
//! | [`membership`] | entered/left memberships per segment version, sizes over time, overlap |
//! | [`refresh`](mod@refresh) | memberships, scores and stages refreshed after every sync, import or demo |
//! | [`starter`] | the demo company's starter vocabulary |
//!
//! # Decisions
//!
//! - **A crate of its own**, so the language crate keeps its invariant (no
//!   IO) and the API stays a thin layer of DTOs over these functions.
//! - **Files are the source, the warehouse is the record.** Definitions are
//!   edited as files (a folder, perhaps a team's git repository); [`store::sync`]
//!   publishes the good ones as versions with author, time and message. What
//!   is evaluated is always the published vocabulary, so a half-edited or
//!   broken file never changes a membership, and never erases a good version.
//! - **References compile inline.** `in segment x`, `score.y` and `stage`
//!   are compiled from the referenced definitions into the same query rather
//!   than read from the materialised tables: one query sees one snapshot at
//!   one date, `--explain` and the refresh agree by construction, and the
//!   refresh order between definitions does not matter.
//! - **Time is passed in.** Every function takes the evaluation date
//!   (`today`) and the recording instant (`now`); only the sandbox's
//!   watchdog measures elapsed time.

pub mod catalog;
pub mod edit;
mod error;
pub mod evaluate;
pub mod folder;
pub mod membership;
pub mod refresh;
pub mod sandbox;
pub mod starter;
pub mod store;

pub use catalog::warehouse_catalog;
pub use error::{Result, SegmentsError};
pub use evaluate::{ClauseExplanation, Explanation, evaluate, explain};
pub use folder::{CheckedFolder, FolderDefinition, VocabularyFile, check_files, check_folder};
pub use refresh::{RefreshReport, refresh};
pub use sandbox::{DEFAULT_TIME_LIMIT, Sandbox};
pub use store::{Publication, Published, SyncReport, Version};
