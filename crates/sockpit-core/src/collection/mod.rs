//! Collections: the saved-request model, the share format (`NAME.sockpit.json`), importers from
//! other tools and exporters to scripts and command lines.

pub mod model;

pub use model::{
    Assertion, Auth, Collection, Environment, Folder, Item, KeyValue, MessageKind, Protocol,
    Request, SavedMessage, Settings, Variable,
};
