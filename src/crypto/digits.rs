//! Short numeric codes a person types (the 6 digits of a mailed code).

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use super::Secret;

/// `n` decimal digits from the operating system's CSPRNG, each uniform (rejection sampling:
/// no digit is likelier than another).
pub fn random_digits(n: usize) -> Secret {
    let rng = SystemRandom::new();
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut byte = [0u8; 1];
        if rng.fill(&mut byte).is_err() {
            // As for `random_token`: never hand out a predictable code.
            std::process::abort();
        }
        // 250 = 25 * 10: values from 250 up would favour 0-5.
        if byte[0] < 250 {
            out.push(char::from(b'0' + byte[0] % 10));
        }
    }
    Secret::new(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_digits_of_the_length_asked_and_differ() {
        let codes: Vec<String> = (0..20).map(|_| random_digits(6).into_inner()).collect();
        for code in &codes {
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
        }
        let mut distinct = codes.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 15, "{codes:?}");
    }
}
