//! Collects every field error of a form, so the user fixes them all at
//! once (the error summary lists each).

use crate::error::{AppError, AppResult};

#[derive(Debug, Default)]
pub struct Form {
    errors: Vec<AppError>,
}

impl Form {
    pub fn new() -> Form {
        Form::default()
    }

    /// Keeps the value, or records the error and returns `None`.
    pub fn field<T>(&mut self, result: AppResult<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    pub fn check(&mut self, result: AppResult<()>) {
        self.field(result);
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Err` with every recorded error when any field failed.
    pub fn finish(self) -> AppResult<()> {
        match AppError::combine(self.errors) {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}
