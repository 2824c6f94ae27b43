//! People: users and their email addresses.

mod email;
pub mod users;

pub use email::Email;
pub use users::{NewUser, User, UserError};
