//! Keys, JWT signing and verification, random tokens, hashing.

mod digits;
pub mod keys;
pub mod password;
pub mod password_hasher;
mod secret;

pub use digits::random_digits;
pub use keys::{KeyError, KeySet, Keys, SigningAlg};
pub use password_hasher::{Admission, HashingError, PasswordHasher};
pub use secret::{Secret, constant_time_eq, random_token, sha256_b64url};
