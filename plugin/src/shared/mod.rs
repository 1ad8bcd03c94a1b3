//! What every flow uses.

pub mod index;
pub mod issues;
pub mod json;
pub mod meter;
pub mod money;
pub mod pointer;
pub mod reference;
pub mod skim;
pub mod text;
pub mod time;
pub mod write;
