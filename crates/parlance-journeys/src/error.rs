use parlance_segments::SegmentsError;

/// What went wrong in a journey analysis; the message names the problem.
#[derive(Debug, thiserror::Error)]
pub enum JourneyError {
    /// The vocabulary has no `touchpoints` block.
    #[error(
        "the vocabulary has no `touchpoints` block, so events have no journey labels; add one (see docs/vocabulary.md, \"touchpoints\")"
    )]
    NoTouchpoints,
    /// The touchpoints block has errors or uses something rules cannot evaluate.
    #[error("touchpoints `{name}` at {line}:{column}: {message}")]
    Vocabulary {
        /// The block's name.
        name: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// A label an analysis names is not in the event log.
    #[error("unknown {what} `{label}`; known labels: {}", known.join(", "))]
    UnknownLabel {
        /// Which option named it (`start anchor`, `funnel step 2`, …).
        what: String,
        /// The label as given.
        label: String,
        /// The labels of the log, sorted.
        known: Vec<String>,
    },
    /// An option out of its range.
    #[error("{0}")]
    Invalid(String),
    /// Reading the warehouse failed.
    #[error("{context}: {source}")]
    Sqlite {
        /// What was being read.
        context: String,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// Evaluating the lifecycle stages failed.
    #[error(transparent)]
    Segments(#[from] SegmentsError),
}

impl JourneyError {
    pub(crate) fn sqlite(context: &str) -> impl FnOnce(rusqlite::Error) -> JourneyError + '_ {
        move |source| JourneyError::Sqlite { context: context.to_owned(), source }
    }
}
