//! Checks 1-3 and 16: the tables, columns, types and indexes the catalog lists, and the
//! migrations.
//!
//! Must not: write. Every statement here is a SELECT.

use super::query::denied_on;
use super::{Context, Found};
use crate::verify::Outcome;
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::{catalog, migrations};
use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub(super) fn columns_found(
    conn: &mut PgConnection,
) -> Result<BTreeMap<(String, String), String>, String> {
    #[derive(QueryableByName)]
    struct Col {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        column_name: String,
        #[diesel(sql_type = Text)]
        udt_name: String,
    }
    // From pg_catalog, which shows every column to every role: information_schema hides the
    // columns of a table the role may not read, which would then look missing.
    sql_query(
        "SELECT c.relname::text AS table_name, a.attname::text AS column_name, t.typname::text AS udt_name
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            AND a.attnum > 0 AND NOT a.attisdropped",
    )
    .load::<Col>(conn)
    .map(|cols| {
        cols.into_iter()
            .map(|c| ((c.table_name, c.column_name), c.udt_name))
            .collect()
    })
    .map_err(|e| format!("query failed: {e}"))
}

/// The catalog's tables that exist but that the role may not read.
fn unreadable(conn: &mut PgConnection) -> Result<Vec<String>, String> {
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let names: Vec<&str> = catalog::TABLES.iter().map(|(t, _)| *t).collect();
    sql_query(
        "SELECT c.relname::text AS name FROM pg_class c
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1)
            AND NOT has_table_privilege(c.oid, 'SELECT') ORDER BY 1",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(names)
    .load::<Table>(conn)
    .map(|rows| rows.into_iter().map(|t| t.name).collect())
    .map_err(|e| format!("query failed: {e}"))
}

pub(super) fn tables(cx: &mut Context<'_>) -> Found {
    let found = columns_found(cx.conn)?;
    let denied = unreadable(cx.conn)?;
    if !denied.is_empty() {
        let role = cx.config.user();
        return Ok((
            Outcome::Fail,
            denied
                .iter()
                .map(|t| denied_on(t, &role))
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    let mut missing = Vec::new();
    let mut columns = 0;
    for (table, cols) in catalog::TABLES {
        for (column, _) in *cols {
            columns += 1;
            if !found.contains_key(&(table.to_string(), column.to_string())) {
                missing.push(format!("{table}.{column}"));
            }
        }
    }
    if missing.is_empty() {
        Ok((
            Outcome::Pass,
            format!(
                "{} tables ({} core), {columns} columns",
                catalog::TABLES.len(),
                catalog::CORE_TABLES.len()
            ),
        ))
    } else {
        Ok((Outcome::Fail, format!("missing: {}", missing.join(", "))))
    }
}

pub(super) fn column_types(cx: &mut Context<'_>) -> Found {
    let found = columns_found(cx.conn)?;
    let wrong: Vec<String> = catalog::TABLES
        .iter()
        .flat_map(|(table, cols)| cols.iter().map(move |(c, ty)| (*table, *c, *ty)))
        .filter_map(|(table, column, ty)| {
            match found.get(&(table.to_string(), column.to_string())) {
                Some(actual) if actual == ty => None,
                Some(actual) => Some(format!("{table}.{column} is {actual}, expected {ty}")),
                None => Some(format!("{table}.{column} missing")),
            }
        })
        .collect();
    if wrong.is_empty() {
        Ok((Outcome::Pass, "every column has its type (ids uuid, scores int2, money numeric, JSON jsonb, times timestamptz)".into()))
    } else {
        Ok((Outcome::Fail, wrong.join("; ")))
    }
}

pub(super) fn indexes(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Index {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Bool)]
        valid: bool,
    }
    let found: BTreeMap<String, bool> = sql_query(
        "SELECT c.relname::text AS name, (i.indisvalid AND i.indisready) AS valid
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relnamespace = current_schema()::regnamespace",
    )
    .load::<Index>(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?
    .into_iter()
    .map(|i| (i.name, i.valid))
    .collect();
    let missing: Vec<_> = catalog::INDEXES
        .iter()
        .filter(|i| !found.contains_key(**i))
        .collect();
    let invalid: Vec<_> = found
        .iter()
        .filter(|(_, valid)| !**valid)
        .map(|(n, _)| n)
        .collect();
    if !missing.is_empty() || !invalid.is_empty() {
        let mut detail = String::new();
        if !missing.is_empty() {
            let _ = write!(detail, "missing: {missing:?} ");
        }
        if !invalid.is_empty() {
            let _ = write!(detail, "invalid (rebuild with REINDEX): {invalid:?}");
        }
        return Ok((Outcome::Fail, detail.trim().to_owned()));
    }
    Ok((
        Outcome::Pass,
        format!(
            "{} named indexes, {} in all, all valid",
            catalog::INDEXES.len(),
            found.len()
        ),
    ))
}

pub(super) fn migrations_applied(cx: &mut Context<'_>) -> Found {
    let status = migrations::status(cx.conn).map_err(|e| e.to_string())?;
    let known = migrations::known().map_err(|e| e.to_string())?;
    let unknown: Vec<_> = status
        .applied
        .iter()
        .filter(|v| !known.contains(v))
        .collect();
    Ok(if !status.pending.is_empty() {
        (
            Outcome::Fail,
            format!(
                "{} pending: {} (run cargo xtask provision)",
                status.pending.len(),
                status.pending.join(", ")
            ),
        )
    } else if !unknown.is_empty() {
        (
            Outcome::Warn,
            format!(
                "applied migrations this build does not know (newer code deployed?): {unknown:?}"
            ),
        )
    } else {
        (
            Outcome::Pass,
            format!(
                "{} applied ({}), none pending",
                status.applied.len(),
                status.applied.join(", ")
            ),
        )
    })
}
