//! People: users and their email addresses.

mod email;
pub mod mfa;
pub mod organizations;
pub mod sign_in_experience;
pub mod users;

pub use email::Email;
pub use sign_in_experience::{MfaPolicy, SignInExperience};
pub use users::{NewUser, User, UserError};
