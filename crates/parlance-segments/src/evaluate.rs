//! Running compiled definitions: segment members, why a profile is in or
//! out, scores and stages — all as of a date passed in.

use parlance_vocabulary::compile::ValueKind;
use parlance_vocabulary::{
    Connective, DefinitionKind, Program, Query, compile_explain, compile_score, compile_segment,
    compile_stages,
};
use rusqlite::types::ValueRef;
use time::Date;

use crate::error::{Result, SegmentsError};
use crate::sandbox::Sandbox;

/// A date of the `time` crate as the language's date.
#[must_use]
pub fn vocabulary_date(d: Date) -> parlance_vocabulary::Date {
    parlance_vocabulary::Date { year: d.year(), month: u8::from(d.month()), day: d.day() }
}

/// The compiled query of a segment.
///
/// # Errors
///
/// [`SegmentsError::Compile`] with `line:col` when it cannot be compiled.
pub fn segment_query(program: &Program, name: &str, today: Date) -> Result<Query> {
    compile_segment(program, name, vocabulary_date(today))
        .map_err(|e| SegmentsError::compile(program.text(), "segment", name, e))
}

/// The members of segment `name` as of `today`, by profile id, ascending.
///
/// # Errors
///
/// When it cannot be compiled, or the query fails or times out.
pub fn evaluate(sandbox: &Sandbox, program: &Program, name: &str, today: Date) -> Result<Vec<i64>> {
    let query = segment_query(program, name, today)?;
    let mut ids = sandbox.run(&format!("evaluating segment `{name}`"), &query, |r| r.get::<_, i64>(0))?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Why a profile is in or out of a segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The segment.
    pub segment: String,
    /// The profile asked about.
    pub profile: i64,
    /// The profile it was merged into, when it is not live (then it is in no segment).
    pub merged_into: Option<i64>,
    /// Whether the profile is a member.
    pub member: bool,
    /// Whether every clause or one clause must hold.
    pub connective: Connective,
    /// Each top-level clause.
    pub clauses: Vec<ClauseExplanation>,
}

/// One top-level clause for one profile.
#[derive(Clone, Debug, PartialEq)]
pub struct ClauseExplanation {
    /// The clause as written (formatted).
    pub text: String,
    /// `line:col` of the clause in the definition.
    pub at: String,
    /// Whether it holds for the profile.
    pub holds: bool,
    /// Its operands and their values for the profile (`None`: not set).
    pub values: Vec<(String, Option<String>)>,
}

/// Explains segment `name` for `profile` as of `today`, clause by clause.
///
/// # Errors
///
/// [`SegmentsError::NotFound`] for an unknown profile; compile and query errors.
pub fn explain(
    sandbox: &Sandbox,
    program: &Program,
    name: &str,
    profile: i64,
    today: Date,
) -> Result<Explanation> {
    let q = compile_explain(program, name, vocabulary_date(today), profile)
        .map_err(|e| SegmentsError::compile(program.text(), "segment", name, e))?;
    let kinds: Vec<Vec<ValueKind>> =
        q.clauses.iter().map(|c| c.operands.iter().map(|(_, k)| k.clone()).collect()).collect();
    let rows = sandbox.run(&format!("explaining segment `{name}`"), &q.query, |r| {
        let merged: Option<i64> = r.get(0)?;
        let mut col = 1;
        let mut clauses = Vec::new();
        for ks in &kinds {
            let holds: i64 = r.get(col)?;
            col += 1;
            let mut values = Vec::new();
            for k in ks {
                values.push(show(r.get_ref(col)?, k));
                col += 1;
            }
            clauses.push((holds != 0, values));
        }
        Ok((merged, clauses))
    })?;
    let Some((merged_into, results)) = rows.into_iter().next() else {
        return Err(SegmentsError::NotFound(format!("there is no profile {profile}")));
    };
    let clauses: Vec<ClauseExplanation> = q
        .clauses
        .iter()
        .zip(results)
        .map(|(c, (holds, values))| ClauseExplanation {
            text: c.text.clone(),
            at: program.line_col(c.span.start).to_string(),
            holds,
            values: c.operands.iter().map(|(t, _)| t.clone()).zip(values).collect(),
        })
        .collect();
    let member = merged_into.is_none()
        && match q.connective {
            Connective::All => clauses.iter().all(|c| c.holds),
            Connective::Any => clauses.iter().any(|c| c.holds),
        };
    Ok(Explanation {
        segment: name.to_owned(),
        profile,
        merged_into,
        member,
        connective: q.connective,
        clauses,
    })
}

/// A value for people.
fn show(v: ValueRef<'_>, kind: &ValueKind) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(n) if *kind == ValueKind::Bool => {
            Some(if n != 0 { "true" } else { "false" }.to_owned())
        }
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => {
            Some(if x.fract() == 0.0 && x.abs() < 1e15 { format!("{x:.0}") } else { format!("{x:.2}") })
        }
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t).into_owned();
            Some(if *kind == ValueKind::Text { format!("{s:?}") } else { s })
        }
        ValueRef::Blob(_) => Some("(binary)".to_owned()),
    }
}

/// Every live profile's value of score `name` as of `today`.
///
/// # Errors
///
/// When it cannot be compiled, or the query fails or times out.
pub fn score_values(
    sandbox: &Sandbox,
    program: &Program,
    name: &str,
    today: Date,
) -> Result<Vec<(i64, f64)>> {
    let query = compile_score(program, name, vocabulary_date(today))
        .map_err(|e| SegmentsError::compile(program.text(), "score", name, e))?;
    sandbox.run(&format!("evaluating score `{name}`"), &query, |r| {
        Ok((r.get(0)?, r.get::<_, Option<f64>>(1)?.unwrap_or(0.0)))
    })
}

/// Every live profile's lifecycle stage as of `today`.
///
/// # Errors
///
/// When there is no stages block, it cannot be compiled, or the query fails.
pub fn stage_values(sandbox: &Sandbox, program: &Program, today: Date) -> Result<Vec<(i64, String)>> {
    let name = program.stages().map(|d| d.name().to_owned()).unwrap_or_default();
    let query = compile_stages(program, vocabulary_date(today))
        .map_err(|e| SegmentsError::compile(program.text(), DefinitionKind::Stages.keyword(), &name, e))?;
    sandbox.run("evaluating the lifecycle stages", &query, |r| Ok((r.get(0)?, r.get(1)?)))
}
