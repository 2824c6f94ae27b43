//! argon2id for human passwords only (~16 ms and 19 MiB by design); requests run it on the
//! password threads (`password_hasher`), each with one [`Workspace`] it keeps.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use super::Secret;

/// argon2's working memory, allocated once and reused for every password: allocating 19 MiB
/// per password fragmented the heap, and a process that had hashed a few dozen passwords kept
/// hundreds of MiB.
#[derive(Default)]
pub struct Workspace(Vec<Block>);

/// The most memory a stored hash may ask for (64 MiB): ours use 19 MiB.
const MAX_BLOCKS: usize = 64 * 1024;

impl Workspace {
    fn blocks(&mut self, count: usize) -> Option<&mut [Block]> {
        if count > MAX_BLOCKS {
            return None;
        }
        if self.0.len() < count {
            self.0 = vec![Block::new(); count];
        }
        self.0.get_mut(..count)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(#[from] argon2::Error),
    #[error("argon2: {0}")]
    PasswordHash(#[from] argon2::password_hash::Error),
    #[error("argon2: {0}")]
    Phc(#[from] argon2::password_hash::phc::Error),
    #[error("no random salt")]
    Random,
    #[error("more memory than allowed")]
    Memory,
}

/// The PHC string of `password` (argon2id, default parameters, a random 16-byte salt).
pub fn hash_password_in(ws: &mut Workspace, password: &Secret) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| HashError::Random)?;
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let blocks = ws.blocks(params.block_count()).ok_or(HashError::Memory)?;
    argon2.hash_password_into_with_memory(password.expose().as_bytes(), &salt, &mut out, blocks)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(Salt::new(&salt)?),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash` (any argon2 variant and parameters it
/// names, up to 64 MiB); the comparison is constant time.
pub fn verify_password_in(ws: &mut Workspace, password: &Secret, hash: &str) -> bool {
    let mut computed = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        let (salt, expected) = (parsed.salt?, parsed.hash?);
        let mut out = vec![0u8; expected.len()];
        let blocks = ws.blocks(params.block_count())?;
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password.expose().as_bytes(), &salt, &mut out, blocks)
            .ok()?;
        // `Output` compares in constant time.
        Some(Output::new(&out).ok()? == expected)
    };
    computed().unwrap_or(false)
}

/// Verifies against a fixed hash when the account does not exist (or has no password), so
/// that the response time does not tell whether an email is registered.
pub fn verify_dummy_in(ws: &mut Workspace, password: &Secret) {
    use std::sync::OnceLock;
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        hash_password_in(
            &mut Workspace::default(),
            &Secret::new("not-a-real-password"),
        )
        .ok()
    });
    if let Some(hash) = dummy {
        let _ = verify_password_in(ws, password, hash);
    }
}

/// [`hash_password_in`] with memory of its own, for one-off callers (the command line).
pub fn hash_password(password: &Secret) -> Result<String, HashError> {
    hash_password_in(&mut Workspace::default(), password)
}

#[cfg(test)]
mod tests {
    use argon2::PasswordVerifier;
    use argon2::password_hash::PasswordHasher;

    use super::*;

    #[test]
    fn hashes_are_standard_argon2id_phc_strings() {
        let mut ws = Workspace::default();
        let password = Secret::new("correct horse battery staple");
        let ours = hash_password_in(&mut ws, &password).expect("hash");
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let crate_hash = PasswordHash::new(&ours).expect("parses");
        assert!(
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &crate_hash)
                .is_ok(),
            "the argon2 crate verifies ours"
        );
        let theirs = Argon2::default()
            .hash_password(password.expose().as_bytes())
            .expect("hash")
            .to_string();
        assert!(verify_password_in(&mut ws, &password, &theirs));
        assert!(verify_password_in(&mut ws, &password, &ours));
        let wrong = Secret::new("correct horse battery stapler");
        assert!(!verify_password_in(&mut ws, &wrong, &ours));
        assert!(!verify_password_in(&mut ws, &password, "not a hash"));
        let greedy = "$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert!(
            !verify_password_in(&mut ws, &password, greedy),
            "a stored hash cannot make us allocate 1 GiB"
        );
        assert_eq!(
            ws.0.len(),
            Params::DEFAULT_M_COST as usize,
            "one allocation, reused"
        );
    }
}
