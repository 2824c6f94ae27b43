//! What the soak's load is made of: the kinds of operation, their shares, and the order in
//! which a worker takes them.

use std::str::FromStr;

/// One operation of the mix, timed and counted as a whole.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Kind {
    /// A one-time token created, opened without cookies, its code exchanged.
    MagicLink,
    /// A sign-in through the hosted page with a password, its code exchanged.
    Password,
    /// A refresh token of an earlier sign-in rotated.
    Refresh,
    /// A Management API token requested with client_credentials.
    ClientCredentials,
    /// A Management API read: a page of users, the applications, a one-time token.
    ApiRead,
}

pub const KINDS: [Kind; 5] = [
    Kind::MagicLink,
    Kind::Password,
    Kind::Refresh,
    Kind::ClientCredentials,
    Kind::ApiRead,
];

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::MagicLink => "magic_link",
            Kind::Password => "password",
            Kind::Refresh => "refresh",
            Kind::ClientCredentials => "client_credentials",
            Kind::ApiRead => "api_read",
        }
    }

    /// The column heading in the report.
    pub fn short(self) -> &'static str {
        match self {
            Kind::MagicLink => "link",
            Kind::Password => "password",
            Kind::Refresh => "refresh",
            Kind::ClientCredentials => "cc",
            Kind::ApiRead => "api",
        }
    }
}

/// The weight of each kind, in [`KINDS`] order.
#[derive(Clone, Copy, Debug)]
pub struct Mix(pub [u32; 5]);

impl FromStr for Mix {
    type Err = String;

    /// `magic_link=30,password=4,...`; a kind not named has weight 0.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut weights = [0u32; 5];
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}': want KIND=WEIGHT"))?;
            let i = KINDS
                .iter()
                .position(|k| k.name() == name.trim())
                .ok_or_else(|| {
                    let names: Vec<_> = KINDS.iter().map(|k| k.name()).collect();
                    format!("unknown kind '{name}' (one of {})", names.join(", "))
                })?;
            weights[i] = weight
                .trim()
                .parse()
                .map_err(|_| format!("'{part}': the weight is a whole number"))?;
        }
        if weights.iter().all(|&w| w == 0) {
            return Err("the mix is empty".into());
        }
        Ok(Mix(weights))
    }
}

impl Mix {
    /// The share of `kind` in the mix, in percent.
    pub fn percent(&self, kind: Kind) -> f64 {
        let total: u32 = self.0.iter().sum();
        100.0 * f64::from(self.0[kind as usize]) / f64::from(total.max(1))
    }
}

/// The order of a worker's operations: smooth weighted round-robin, so every stretch of the
/// run has the mix's shares, with no randomness to make two runs differ.
pub struct Schedule {
    weights: [i64; 5],
    current: [i64; 5],
    total: i64,
}

impl Schedule {
    /// A schedule advanced by `phase` picks, so that workers do not move in step.
    pub fn new(mix: Mix, phase: usize) -> Self {
        let weights = mix.0.map(i64::from);
        let mut schedule = Self {
            weights,
            current: [0; 5],
            total: weights.iter().sum(),
        };
        for _ in 0..phase {
            schedule.next_kind();
        }
        schedule
    }

    pub fn next_kind(&mut self) -> Kind {
        let mut best = 0;
        for i in 0..KINDS.len() {
            self.current[i] += self.weights[i];
            if self.current[i] > self.current[best] {
                best = i;
            }
        }
        self.current[best] -= self.total;
        KINDS[best]
    }
}
