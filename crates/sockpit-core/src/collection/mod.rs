//! Collections: the saved-request model, the share format (`NAME.sockpit.json`), importers from
//! other tools and exporters to scripts and command lines.

pub mod assertion_spec;
pub mod auth;
mod auth_check;
pub mod brokers;
pub mod error;
pub mod export;
mod export_layers;
pub mod export_line;
pub mod import;
pub mod model;
pub mod share;
pub mod validate;
mod validate_brokers;
mod validate_layers;

pub use error::CollectionError;
pub use model::{
    Assertion, Auth, Collection, Environment, Folder, Item, KeyValue, MessageKind, Protocol,
    Request, SavedMessage, Settings, Variable,
};
pub use share::{parse_share, to_share_json};
pub use validate_brokers::{ack_mode, header_pair, heartbeat_pair, qos as check_qos};
