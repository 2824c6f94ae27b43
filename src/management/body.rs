//! Request bodies as serde types. A body must be a JSON object; it is deserialized into the
//! operation's request type, whose fields check their values with the functions of [`de`] so
//! that every refusal is a 400 `invalid_input` whose message starts with the field's path
//! (`oidcClientMetadata.redirectUris: must be a list of URLs`), as the API has always answered.

use actix_web::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::invalid;
use crate::error::{ApiError, ApiErrorCode};

/// The request body as `T`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value = match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => value,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ApiErrorCode::InvalidInput,
                "the body must be a JSON object",
            ));
        }
    };
    serde_path_to_error::deserialize(value).map_err(|e| field_error(&e))
}

/// serde's error as `invalid_input` naming the field: unknown and missing fields say so in the
/// API's words; the messages of [`de`] are kept as they are.
fn field_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    // A list item's error is the list's: `userIds[2]` is `userIds`.
    let path = path.split('[').next().unwrap_or_default();
    let message = e.inner().to_string();
    if message.starts_with("unknown field `") {
        return invalid(path, "is not a known field");
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return match path {
            "." | "" => invalid(field, "is required"),
            parent => invalid(&format!("{parent}.{field}"), "is required"),
        };
    }
    if message.starts_with("invalid type")
        && (message.contains("expected struct") || message.contains("expected an object"))
    {
        return invalid(path, "must be an object");
    }
    invalid(path, message)
}

/// Field deserializers: each reads the field's JSON value and refuses a wrong one with the
/// API's message for it (used with `#[serde(deserialize_with = ..)]`).
pub mod de {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::value::MapAccessDeserializer;
    use serde::de::{Error as _, MapAccess, Visitor};
    use serde::{Deserialize, Deserializer};
    use serde_json::{Map, Value};

    /// How many ids one request may name.
    pub const MAX_IDS: usize = 1000;

    fn read<'de, D: Deserializer<'de>, T>(
        d: D,
        check: impl FnOnce(Value) -> Result<T, String>,
    ) -> Result<T, D::Error> {
        check(Value::deserialize(d)?).map_err(D::Error::custom)
    }

    /// A string; null or another type is "is required" (the field must be given as text).
    pub fn required_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        read(d, |v| match v {
            Value::String(s) => Ok(s),
            _ => Err("is required".into()),
        })
    }

    /// A non-empty string; anything else is "is required".
    pub fn non_empty_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        read(d, |v| match v {
            Value::String(s) if !s.is_empty() => Ok(s),
            _ => Err("is required".into()),
        })
    }

    /// A string that must be given: null is "is required", another type "must be a string".
    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        read(d, |v| match v {
            Value::String(s) => Ok(s),
            Value::Null => Err("is required".into()),
            _ => Err("must be a string".into()),
        })
    }

    /// [`string`] in an optional field (absent is `None`).
    pub fn some_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        string(d).map(Some)
    }

    /// An optional string: null is `None`, another type "must be a string".
    pub fn optional_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        read(d, |v| match v {
            Value::String(s) => Ok(Some(s)),
            Value::Null => Ok(None),
            _ => Err("must be a string".into()),
        })
    }

    /// [`optional_string`] in a `PATCH` (absent: `None`, null: `Some(None)`).
    pub fn some_optional_string<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        optional_string(d).map(Some)
    }

    /// A string or null (absent: `None`, null: `Some(None)`), for `PATCH` and `POST` alike.
    pub fn nullable_string<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        read(d, |v| match v {
            Value::String(s) => Ok(Some(Some(s))),
            Value::Null => Ok(Some(None)),
            _ => Err("must be a string or null".into()),
        })
    }

    /// A boolean; anything else (null too) is "must be true or false".
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        read(d, |v| {
            v.as_bool().ok_or_else(|| "must be true or false".into())
        })
    }

    /// [`flag`] in an optional field (absent is `None`).
    pub fn some_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        flag(d).map(Some)
    }

    /// A boolean or null (`None`).
    pub fn optional_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        read(d, |v| match v {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(b)),
            _ => Err("must be true or false".into()),
        })
    }

    /// A JSON object or null (`None`); another type is "must be an object".
    pub fn optional_object<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Map<String, Value>>, D::Error> {
        read(d, |v| match v {
            Value::Object(map) => Ok(Some(map)),
            Value::Null => Ok(None),
            _ => Err("must be an object".into()),
        })
    }

    /// [`optional_object`] in a `PATCH` (absent: `None`, null: `Some(None)`).
    pub fn nullable_object<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<Map<String, Value>>>, D::Error> {
        optional_object(d).map(Some)
    }

    /// A nested object read as `T` (its fields' errors keep their paths); anything but an
    /// object, or null where `allow_null` is false, is "must be an object".
    struct ObjectVisitor<T> {
        allow_null: bool,
        of: PhantomData<T>,
    }

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            if self.allow_null {
                Ok(None)
            } else {
                Err(E::custom("must be an object"))
            }
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
    }

    /// A nested object, or null (`None`).
    pub fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        d.deserialize_any(ObjectVisitor {
            allow_null: true,
            of: PhantomData,
        })
    }

    /// A nested object that, when given, may not be null: `Some(T)`.
    pub fn section<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        d.deserialize_any(ObjectVisitor {
            allow_null: false,
            of: PhantomData,
        })
    }

    /// A list of URLs (strings); null is an empty list.
    pub fn uri_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        let wrong = || "must be a list of URLs".to_owned();
        read(d, |v| match v {
            Value::Null => Ok(Some(Vec::new())),
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    _ => Err(wrong()),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            _ => Err(wrong()),
        })
    }

    /// A list of at most [`MAX_IDS`] non-empty string ids, without repeats, in the order given;
    /// null is `None` (as if absent).
    pub fn id_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        read(d, |v| {
            let items = match v {
                Value::Null => return Ok(None),
                Value::Array(items) => items,
                _ => return Err("must be a list of ids".into()),
            };
            if items.len() > MAX_IDS {
                return Err(format!("must name at most {MAX_IDS} ids"));
            }
            let mut ids: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(id) if !id.is_empty() => {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    _ => return Err("must be a list of non-empty string ids".into()),
                }
            }
            Ok(Some(ids))
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Inner {
        #[serde(default, deserialize_with = "de::uri_list")]
        #[allow(dead_code)]
        redirect_uris: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Outer {
        #[serde(deserialize_with = "de::string")]
        #[allow(dead_code)]
        name: String,
        #[serde(default, deserialize_with = "de::object")]
        #[allow(dead_code)]
        inner: Option<Inner>,
    }

    fn message(body: &str) -> String {
        parse::<Outer>(body.as_bytes()).expect_err(body).message
    }

    #[test]
    fn errors_start_with_the_field() {
        assert_eq!(message("[]"), "the body must be a JSON object");
        assert_eq!(message("{}"), "name: is required");
        assert_eq!(message(r#"{"name": 3}"#), "name: must be a string");
        assert_eq!(
            message(r#"{"name": "a", "x": 1}"#),
            "x: is not a known field"
        );
        assert_eq!(
            message(r#"{"name": "a", "inner": {"x": 1}}"#),
            "inner.x: is not a known field"
        );
        assert_eq!(
            message(r#"{"name": "a", "inner": 3}"#),
            "inner: must be an object"
        );
        assert_eq!(
            message(r#"{"name": "a", "inner": ["x"]}"#),
            "inner: must be an object"
        );
        assert!(parse::<Outer>(br#"{"name": "a", "inner": null}"#).is_ok());
        assert_eq!(
            message(r#"{"name": "a", "inner": {"redirectUris": [7]}}"#),
            "inner.redirectUris: must be a list of URLs"
        );
    }
}
