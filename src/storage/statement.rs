//! Round trips to the database are what a request pays for on PostgreSQL, so the hot writes
//! take as few as they can:
//! - [`Prepared`]: Diesel never keeps INSERTs with optional columns, UPDATEs or raw SQL
//!   prepared (in general their text can vary without bound) and so parses and plans them on
//!   every call. Ours have a fixed handful of shapes: marked this way, each is prepared once
//!   per connection (keyed by its SQL text) and then only bound and executed.
//! - Lookups by a unique key use `get_result`, never `first`: `first` appends `LIMIT ?`, and
//!   such a statement was not kept prepared (measured: four of them parsed again on every
//!   magic-link flow, about a tenth of the server's instructions on SQLite).
//! - [`Together`]: two writes as one PostgreSQL statement (`WITH first AS (a) b`), atomic like
//!   a transaction but without its BEGIN and COMMIT round trips.

use diesel::backend::Backend;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

/// A statement whose SQL has a fixed shape, kept prepared. See the module documentation.
///
/// Only statements that return rows can be marked, and they must be run with `load` or
/// `get_result`: those hand the statement to the connection by value, while `execute` hands
/// over a reference, whose blanket implementation forgets the mark.
#[derive(Debug, Clone, Copy)]
pub struct Prepared<Q>(Q);

/// Marks a statement built here as fixed in shape:
/// `diesel::insert_into(..).values(..).returning(..).prepared().get_result(conn)`.
pub trait Prepare: Query + Sized {
    fn prepared(self) -> Prepared<Self> {
        Prepared(self)
    }
}

impl<Q: Query> Prepare for Q {}

impl<Q, DB> QueryFragment<DB> for Prepared<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Prepared<Q> {
    // Keyed by its SQL text and bind types: one cache entry per shape actually used.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Prepared<Q> {}

/// Two PostgreSQL writes run as one statement, `first` before `then` (both always run to
/// completion, in one snapshot, and commit together). `then` returns the rows.
#[derive(Debug, Clone, Copy)]
pub struct Together<A, B> {
    first: A,
    then: B,
}

pub fn together<A, B: Query>(first: A, then: B) -> Prepared<Together<A, B>> {
    Prepared(Together { first, then })
}

impl<A, B> QueryFragment<Pg> for Together<A, B>
where
    A: QueryFragment<Pg>,
    B: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH first AS (");
        self.first.walk_ast(out.reborrow())?;
        out.push_sql(") ");
        self.then.walk_ast(out.reborrow())
    }
}

impl<A, B: Query> Query for Together<A, B> {
    type SqlType = B::SqlType;
}
