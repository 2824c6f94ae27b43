//! What is looked at once a minute besides the requests: each instance's resident memory and
//! CPU time (from /proc), and the rows of every table of the database.

use std::collections::BTreeMap;

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, sql_query};
use serde_json::{Value, json};

use crate::cli::cpu_secs;

/// An instance by name and process id.
#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    pub pid: String,
}

impl std::str::FromStr for Instance {
    type Err = String;

    /// `NAME=PID`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (name, pid) = s.split_once('=').ok_or("want NAME=PID")?;
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("'{pid}' is not a process id"));
        }
        Ok(Self {
            name: name.to_owned(),
            pid: pid.to_owned(),
        })
    }
}

/// One look at the instances and the database.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// Seconds since the measured run began.
    pub at_s: f64,
    /// Per instance, in `--pid` order; `None` when the process was gone.
    pub rss_kib: Vec<Option<u64>>,
    pub cpu_s: Vec<Option<f64>>,
    /// Rows per table; empty without a database.
    pub rows: BTreeMap<String, i64>,
}

impl Sample {
    pub fn json(&self) -> Value {
        json!({
            "at_s": self.at_s,
            "rss_kib": self.rss_kib,
            "cpu_s": self.cpu_s,
            "rows": self.rows,
        })
    }
}

pub struct Probe {
    pub instances: Vec<Instance>,
    db: Option<(PgConnection, Vec<String>)>,
}

#[derive(QueryableByName)]
struct Table {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `VmRSS` of a process, in KiB.
fn rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Probe {
    /// Connects to the database (PostgreSQL) at `database_url`, if given, and lists its tables.
    pub fn new(instances: Vec<Instance>, database_url: Option<&str>) -> Result<Self, String> {
        let db = match database_url {
            None => None,
            Some(url) => {
                let mut conn = PgConnection::establish(url)
                    .map_err(|e| format!("cannot connect to the database: {e}"))?;
                // Every table of the schema but diesel's own migration records.
                let tables: Vec<Table> = sql_query(
                    "SELECT table_name::text AS name FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                     AND table_name NOT LIKE '\\_\\_%' ORDER BY 1",
                )
                .load(&mut conn)
                .map_err(|e| format!("cannot list the tables: {e}"))?;
                Some((conn, tables.into_iter().map(|t| t.name).collect()))
            }
        };
        Ok(Self { instances, db })
    }

    /// Looks now; `at_s` is the time into the measured run.
    pub fn sample(&mut self, at_s: f64) -> Result<Sample, String> {
        let mut rows = BTreeMap::new();
        if let Some((conn, tables)) = &mut self.db {
            for table in tables.iter() {
                // The names come from the catalog above; quoted all the same.
                let count: Count = sql_query(format!("SELECT count(*) AS n FROM \"{table}\""))
                    .get_result(conn)
                    .map_err(|e| format!("cannot count {table}: {e}"))?;
                rows.insert(table.clone(), count.n);
            }
        }
        Ok(Sample {
            at_s,
            rss_kib: self.instances.iter().map(|i| rss_kib(&i.pid)).collect(),
            cpu_s: self.instances.iter().map(|i| cpu_secs(&i.pid)).collect(),
            rows,
        })
    }
}
