//! The domain of who signs in and where: users and their email addresses, applications
//! (OAuth clients), organizations, MFA and the sign-in experience.

pub mod applications;
mod email;
pub mod email_codes;
pub mod mfa;
pub mod organizations;
pub mod sign_in_experience;
pub mod users;

pub use email::Email;
pub use sign_in_experience::{MfaPolicy, SignInExperience};
pub use users::{NewUser, User, UserError};
