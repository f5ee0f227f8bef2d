//! The warehouse-backed [`IdentityStore`]: resolution as records land.
//! Merges move every unified row of the absorbed profile to the kept one, so
//! queries never chase `merged_into` chains.

use parlance_warehouse::{Connection, OptionalExtension, params};

use crate::resolve::{Evidence, IdentityStore, MergeEvidence, ProfileId, ResolveError};
use crate::{IdKind, Identifier};

#[derive(Debug, thiserror::Error)]
pub enum SqlStoreError {
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error("identity store: {context}: {source}")]
    Sqlite { context: &'static str, source: parlance_warehouse::SqliteError },
}

trait Ctx<T> {
    fn ctx(self, context: &'static str) -> Result<T, SqlStoreError>;
}

impl<T> Ctx<T> for Result<T, parlance_warehouse::SqliteError> {
    fn ctx(self, context: &'static str) -> Result<T, SqlStoreError> {
        self.map_err(|source| SqlStoreError::Sqlite { context, source })
    }
}

/// Resolution inside one write transaction of the warehouse.
#[derive(Debug)]
pub struct SqlStore<'c> {
    conn: &'c Connection,
}

impl<'c> SqlStore<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }
}

impl IdentityStore for SqlStore<'_> {
    type Error = SqlStoreError;

    fn owner(&mut self, id: &Identifier) -> Result<Option<ProfileId>, SqlStoreError> {
        self.conn
            .prepare_cached("SELECT profile_id FROM identifiers WHERE kind = ?1 AND value = ?2")
            .and_then(|mut s| s.query_row(params![id.kind.to_string(), id.value], |r| r.get(0)).optional())
            .ctx("looking up an identifier")
    }

    fn identifiers_of(&mut self, profile: ProfileId) -> Result<Vec<Identifier>, SqlStoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, value FROM identifiers WHERE profile_id = ?1")
            .ctx("listing a profile's identifiers")?;
        let rows = stmt
            .query_map([profile], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .ctx("listing a profile's identifiers")?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, value) = row.ctx("listing a profile's identifiers")?;
            if let Some(kind) = IdKind::parse(&kind) {
                out.push(Identifier { kind, value });
            }
        }
        Ok(out)
    }

    fn is_anonymous(&mut self, profile: ProfileId) -> Result<bool, SqlStoreError> {
        self.conn
            .prepare_cached("SELECT kind = 'anonymous' FROM profiles WHERE id = ?1")
            .and_then(|mut s| s.query_row([profile], |r| r.get(0)))
            .ctx("reading a profile's kind")
    }

    fn create_profile(
        &mut self,
        anonymous: bool,
        evidence: &Evidence<'_>,
    ) -> Result<ProfileId, SqlStoreError> {
        let kind = if anonymous { "anonymous" } else { "person" };
        self.conn
            .prepare_cached("INSERT INTO profiles(kind, created_at, updated_at) VALUES (?1, ?2, ?2)")
            .and_then(|mut s| s.execute(params![kind, evidence.at]))
            .ctx("creating a profile")?;
        Ok(self.conn.last_insert_rowid())
    }

    fn attach(
        &mut self,
        profile: ProfileId,
        id: &Identifier,
        evidence: &Evidence<'_>,
    ) -> Result<(), SqlStoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO identifiers(kind, value, profile_id, source, landing_id, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id.kind.to_string(),
                    id.value,
                    profile,
                    evidence.source,
                    evidence.landing_id,
                    evidence.at
                ])
            })
            .ctx("attaching an identifier")?;
        if !id.kind.is_anonymous() {
            self.conn
                .prepare_cached("UPDATE profiles SET kind = 'person', updated_at = ?2 WHERE id = ?1 AND kind = 'anonymous'")
                .and_then(|mut s| s.execute(params![profile, evidence.at]))
                .ctx("marking a profile known")?;
        }
        Ok(())
    }

    fn merge(
        &mut self,
        kept: ProfileId,
        absorbed: ProfileId,
        why: &MergeEvidence<'_>,
    ) -> Result<(), SqlStoreError> {
        let evidence = serde_json::to_string(why).unwrap_or_else(|_| "{}".into());
        let at = why.record.at;
        self.conn.execute_batch("SAVEPOINT merge_profiles").ctx("starting a merge")?;
        for (sql, what) in MERGE_STEPS {
            let mut stmt = self.conn.prepare_cached(sql).ctx(what)?;
            let result = if stmt.parameter_count() == 3 {
                stmt.execute(params![kept, absorbed, at])
            } else {
                stmt.execute(params![kept, absorbed])
            };
            result.ctx(what)?;
        }
        self.conn
            .prepare_cached(
                "INSERT INTO merges(kept_profile, merged_profile, evidence_json, merged_at) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![kept, absorbed, evidence, at]))
            .ctx("recording a merge")?;
        self.conn.execute_batch("RELEASE merge_profiles").ctx("finishing a merge")?;
        Ok(())
    }

    fn kept_apart(&mut self, a: ProfileId, b: ProfileId) -> Result<bool, SqlStoreError> {
        // Rules are stored once per pair; look them up from either side.
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM unmerge_rules)
                    AND EXISTS (
                     SELECT 1 FROM identifiers x
                       JOIN unmerge_rules r ON r.kind = x.kind AND r.value = x.value
                       JOIN identifiers y ON y.kind = r.apart_from_kind AND y.value = r.apart_from_value
                      WHERE x.profile_id = ?1 AND y.profile_id = ?2
                     UNION ALL
                     SELECT 1 FROM identifiers x
                       JOIN unmerge_rules r ON r.apart_from_kind = x.kind AND r.apart_from_value = x.value
                       JOIN identifiers y ON y.kind = r.kind AND y.value = r.value
                      WHERE x.profile_id = ?1 AND y.profile_id = ?2)",
            )
            .and_then(|mut s| s.query_row(params![a, b], |r| r.get(0)))
            .ctx("checking keep-apart rules")
    }

    fn kept_apart_from(&mut self, profile: ProfileId, id: &Identifier) -> Result<bool, SqlStoreError> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (
                     SELECT 1 FROM unmerge_rules r
                       JOIN identifiers y ON y.kind = r.apart_from_kind AND y.value = r.apart_from_value
                      WHERE r.kind = ?2 AND r.value = ?3 AND y.profile_id = ?1
                     UNION ALL
                     SELECT 1 FROM unmerge_rules r
                       JOIN identifiers y ON y.kind = r.kind AND y.value = r.value
                      WHERE r.apart_from_kind = ?2 AND r.apart_from_value = ?3 AND y.profile_id = ?1)",
            )
            .and_then(|mut s| s.query_row(params![profile, id.kind.to_string(), id.value], |r| r.get(0)))
            .ctx("checking keep-apart rules")
    }
}

/// Every statement of a merge: ?1 kept, ?2 absorbed, and ?3 the time where used.
const MERGE_STEPS: &[(&str, &str)] = &[
    ("UPDATE identifiers SET profile_id = ?1 WHERE profile_id = ?2", "moving identifiers"),
    ("UPDATE record_profiles SET profile_id = ?1 WHERE profile_id = ?2", "moving record lineage"),
    ("UPDATE events SET profile_id = ?1 WHERE profile_id = ?2", "moving events"),
    ("UPDATE orders SET profile_id = ?1 WHERE profile_id = ?2", "moving orders"),
    ("UPDATE support_contacts SET profile_id = ?1 WHERE profile_id = ?2", "moving support contacts"),
    // A trait both profiles hold from the same source: the newer observation wins.
    (
        "DELETE FROM traits WHERE profile_id = ?2 AND EXISTS (SELECT 1 FROM traits k
           WHERE k.profile_id = ?1 AND k.key = traits.key AND k.source = traits.source AND k.observed_at >= traits.observed_at)",
        "dropping older traits",
    ),
    ("UPDATE OR REPLACE traits SET profile_id = ?1 WHERE profile_id = ?2", "moving traits"),
    (
        "UPDATE profiles SET kind = CASE WHEN kind = 'person' OR (SELECT kind FROM profiles WHERE id = ?2) = 'person'
           THEN 'person' ELSE 'anonymous' END, updated_at = ?3 WHERE id = ?1",
        "updating the kept profile",
    ),
    ("UPDATE profiles SET merged_into = ?1, updated_at = ?3 WHERE id = ?2", "retiring the absorbed profile"),
];
