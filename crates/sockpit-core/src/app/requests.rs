//! The collections tree and single requests: create, rename, duplicate, delete, reorder and move
//! (secrets follow collections), and load and save a request with its literal credentials moved
//! into secret variables, as `sockpit import` does for whole collections.

use crate::collection::model::{Collection, Item, Request, Variable};
use crate::secrets::{extract_literal_secrets, SecretScope};
use crate::store::{NodeKind, Store, StoreError, TreeNode};

use super::{App, AppError};

/// Where requests saved without a collection go.
pub const DEFAULT_COLLECTION: &str = "My requests";

/// A saved request: where it is, and the request as stored (literal credentials replaced by
/// `{{variable}}` references).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedRequest {
    pub id: i64,
    pub collection_id: i64,
    pub request: Request,
    /// The secret variables literal credentials were moved into.
    pub moved_secrets: Vec<String>,
}

/// `collection`, `folder` or `request`.
pub fn parse_node_kind(s: &str) -> Result<NodeKind, AppError> {
    match s {
        "collection" => Ok(NodeKind::Collection),
        "folder" => Ok(NodeKind::Folder),
        "request" => Ok(NodeKind::Request),
        _ => Err(AppError::invalid(
            "app.invalid_kind",
            format!("'{s}' is not collection, folder or request"),
        )),
    }
}

pub(crate) fn non_empty(name: &str) -> Result<String, AppError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(AppError::invalid(
            "app.empty_name",
            "a name cannot be empty",
        ));
    }
    Ok(n.to_string())
}

/// The default collection's id, created when missing.
pub fn default_collection(store: &mut Store) -> Result<i64, StoreError> {
    match store.find_collection(DEFAULT_COLLECTION)? {
        Some(id) => Ok(id),
        None => store.insert_collection(&Collection {
            name: DEFAULT_COLLECTION.into(),
            ..Collection::default()
        }),
    }
}

pub(crate) fn collection_name(store: &Store, id: i64) -> Result<String, AppError> {
    store
        .list_collections()?
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| c.name)
        .ok_or_else(|| {
            StoreError::NotFound {
                what: "collection",
                id,
            }
            .into()
        })
}

impl App {
    pub fn tree(&self) -> Result<Vec<TreeNode>, AppError> {
        self.with_store(|s| Ok(s.tree()?))
    }

    /// Creates a collection, or a folder or an empty request in `collection` (under `folder`).
    pub fn create_node(
        &self,
        kind: NodeKind,
        name: &str,
        collection: Option<i64>,
        folder: Option<i64>,
    ) -> Result<i64, AppError> {
        let name = non_empty(name)?;
        let need = || AppError::invalid("app.no_collection", "pick a collection first");
        self.with_store(|s| match kind {
            NodeKind::Collection => Ok(s.create_collection(&name)?),
            NodeKind::Folder => Ok(s.add_folder(collection.ok_or_else(need)?, folder, &name)?),
            NodeKind::Request => {
                let r = Request {
                    name,
                    ..Request::default()
                };
                Ok(s.add_request(collection.ok_or_else(need)?, folder, &r)?)
            }
        })
    }

    /// Renames a node; a collection's secrets move with it (refused, unchanged, when the OS
    /// credential store cannot move one).
    pub fn rename_node(&self, kind: NodeKind, id: i64, name: &str) -> Result<(), AppError> {
        let name = non_empty(name)?;
        self.with_both(|s, secrets| Ok(((), secrets.rename_node(s, kind, id, &name)?)))
    }

    /// Duplicates a request or collection (a collection's copy gets copies of its secrets).
    pub fn duplicate_node(&self, kind: NodeKind, id: i64) -> Result<i64, AppError> {
        self.with_both(|s, secrets| Ok(secrets.duplicate_node(s, kind, id)?))
    }

    /// Deletes a node and a collection's secrets.
    pub fn delete_node(&self, kind: NodeKind, id: i64) -> Result<(), AppError> {
        self.with_both(|s, secrets| Ok(((), secrets.delete_node(s, kind, id)?)))
    }

    /// Moves a folder or request `delta` places among its siblings.
    pub fn move_node(&self, kind: NodeKind, id: i64, delta: i32) -> Result<(), AppError> {
        self.with_store(|s| Ok(s.move_node(kind, id, delta)?))
    }

    /// Moves a folder or request into `collection` (under `folder`, or at its top level).
    pub fn reparent_node(
        &self,
        kind: NodeKind,
        id: i64,
        collection: i64,
        folder: Option<i64>,
    ) -> Result<(), AppError> {
        self.with_store(|s| Ok(s.reparent_node(kind, id, collection, folder)?))
    }

    /// A stored request and its collection's id.
    pub fn load_request(&self, id: i64) -> Result<(Request, i64), AppError> {
        self.with_store(|s| Ok((s.load_request(id)?, s.request_location(id)?.0)))
    }

    /// Like [`App::save_request`], but request `id` keeps its stored scripts (for a face that
    /// sent none: an older window, or one without the Scripts tab open).
    pub fn save_request_keeping_scripts(
        &self,
        id: Option<i64>,
        collection: Option<i64>,
        mut request: Request,
    ) -> Result<SavedRequest, AppError> {
        if let Some(id) = id {
            request.scripts = self.with_store(|s| Ok(s.load_request(id)?.scripts))?;
        }
        self.save_request(id, collection, request)
    }

    /// Saves what the window's editor holds over request `id` (or adds it, as
    /// [`App::save_request`]). The editor has no fields for a request's description, SSE method
    /// and body, assertions or received examples: request `id` keeps its stored ones, so opening
    /// and saving a request in the window loses nothing. With `keep_scripts` (a face that sent no
    /// scripts) it keeps its stored scripts too.
    pub fn save_request_from_editor(
        &self,
        id: Option<i64>,
        collection: Option<i64>,
        mut request: Request,
        keep_scripts: bool,
    ) -> Result<SavedRequest, AppError> {
        if let Some(id) = id {
            let stored = self.with_store(|s| Ok(s.load_request(id)?))?;
            request.description = stored.description;
            request.method = stored.method;
            request.body = stored.body;
            request.assertions = stored.assertions;
            request.received_examples = stored.received_examples;
            if keep_scripts {
                request.scripts = stored.scripts;
            }
        }
        self.save_request(id, collection, request)
    }

    /// Saves over request `id`, or (without one) adds it to `collection` or the default
    /// collection. Literal credentials (auth fields, credential headers) become secret variables
    /// of the collection, `{{auth_<request>_<field>}}`, whose values go to the secret store: the
    /// database never holds them. A request without a name is named after its URL.
    pub fn save_request(
        &self,
        id: Option<i64>,
        collection: Option<i64>,
        mut request: Request,
    ) -> Result<SavedRequest, AppError> {
        if request.name.trim().is_empty() {
            request.name = if request.url.trim().is_empty() {
                "Untitled".into()
            } else {
                request.url.trim().to_string()
            };
        }
        self.with_both(|s, secrets| {
            let c = match (id, collection) {
                (Some(id), _) => s.request_location(id)?.0,
                (None, Some(c)) => c,
                (None, None) => default_collection(s)?,
            };
            let name = collection_name(s, c)?;
            // Names of plain variables are taken; a secret variable of the same name is reused,
            // so saving the same literal twice updates one secret instead of adding another.
            let plain: Vec<Variable> = s
                .collection_variables(c)?
                .into_iter()
                .filter(|v| !v.secret)
                .collect();
            let mut holder = Collection {
                name: name.clone(),
                variables: plain,
                items: vec![Item::Request(Box::new(request))],
                ..Collection::default()
            };
            let moved = extract_literal_secrets(&mut holder);
            let scope = SecretScope::collection(&name);
            for (var, value) in &moved {
                secrets.set(&scope, var, value)?;
                s.set_collection_variable(
                    c,
                    &Variable {
                        name: var.clone(),
                        value: None,
                        secret: true,
                        placeholder: None,
                    },
                )?;
            }
            let Some(Item::Request(request)) = holder.items.pop() else {
                return Err(AppError::invalid(
                    "app.internal",
                    "the saved request went missing",
                ));
            };
            let id = match id {
                Some(id) => {
                    s.update_request(id, &request)?;
                    id
                }
                None => s.add_request(c, None, &request)?,
            };
            let moved_secrets = moved.into_iter().map(|(n, _)| n).collect();
            Ok((
                SavedRequest {
                    id,
                    collection_id: c,
                    request: *request,
                    moved_secrets,
                },
                Vec::new(),
            ))
        })
    }
}
