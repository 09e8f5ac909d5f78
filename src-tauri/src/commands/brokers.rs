//! STOMP and MQTT commands on a connected broker session (`ws_connect` starts it, as for
//! Socket.IO): subscribe, unsubscribe, SEND and PUBLISH. Input is checked by core
//! (`app::stomp_send`, `app::mqtt_publish`, ...) before the session is looked up; what the broker
//! answers shows in the session's events.

use sockpit_core::app;
use sockpit_core::protocol::mqtt::MqttIntent;
use sockpit_core::protocol::stomp::{StompAction, StompIntent};
use sockpit_core::protocol::LayerControl;
use tauri::State;

use super::layered::{ended, layer_of};
use crate::dto::AppError;
use crate::state::{AppState, LayerCtl};

fn stomp_of(state: &AppState, session: u32) -> Result<LayerControl<StompIntent>, AppError> {
    match layer_of(state, session)? {
        LayerCtl::Stomp(c) => Ok(c),
        _ => Err(AppError::new("app.no_layer", "that session is not STOMP")),
    }
}

fn mqtt_of(state: &AppState, session: u32) -> Result<LayerControl<MqttIntent>, AppError> {
    match layer_of(state, session)? {
        LayerCtl::Mqtt(c) => Ok(c),
        _ => Err(AppError::new("app.no_layer", "that session is not MQTT")),
    }
}

/// SUBSCRIBEs to `destination` with ack mode `ack` (`auto` when empty) under subscription `id`.
#[tauri::command]
pub async fn stomp_subscribe(
    state: State<'_, AppState>,
    session: u32,
    id: String,
    destination: String,
    ack: String,
) -> Result<(), AppError> {
    let intent = app::stomp_subscribe(&id, &destination, &ack)?;
    let c = stomp_of(&state, session)?;
    c.intent(intent).await.then_some(()).ok_or_else(ended)
}

/// UNSUBSCRIBEs subscription `id`.
#[tauri::command]
pub async fn stomp_unsubscribe(
    state: State<'_, AppState>,
    session: u32,
    id: String,
) -> Result<(), AppError> {
    let c = stomp_of(&state, session)?;
    let intent = StompIntent::new(StompAction::Unsubscribe { id });
    c.intent(intent).await.then_some(()).ok_or_else(ended)
}

/// SENDs `body` to `destination` with `headers` (one `name:value` a line).
#[tauri::command]
pub async fn stomp_send(
    state: State<'_, AppState>,
    session: u32,
    destination: String,
    headers: String,
    body: String,
) -> Result<(), AppError> {
    let intent = app::stomp_send(&destination, &headers, &body)?;
    let c = stomp_of(&state, session)?;
    c.intent(intent).await.then_some(()).ok_or_else(ended)
}

/// SUBSCRIBEs to topic filter `filter` at `qos`.
#[tauri::command]
pub async fn mqtt_subscribe(
    state: State<'_, AppState>,
    session: u32,
    filter: String,
    qos: u8,
) -> Result<(), AppError> {
    let intent = app::mqtt_subscribe(&filter, qos)?;
    let c = mqtt_of(&state, session)?;
    c.intent(intent).await.then_some(()).ok_or_else(ended)
}

/// UNSUBSCRIBEs from topic filter `filter`.
#[tauri::command]
pub async fn mqtt_unsubscribe(
    state: State<'_, AppState>,
    session: u32,
    filter: String,
) -> Result<(), AppError> {
    let c = mqtt_of(&state, session)?;
    let intent = MqttIntent::Unsubscribe {
        filters: vec![filter],
    };
    c.intent(intent).await.then_some(()).ok_or_else(ended)
}

/// PUBLISHes `payload` to `topic` at `qos`, retained when `retain`.
#[tauri::command]
pub async fn mqtt_publish(
    state: State<'_, AppState>,
    session: u32,
    topic: String,
    qos: u8,
    retain: bool,
    payload: String,
) -> Result<(), AppError> {
    let intent = app::mqtt_publish(&topic, qos, retain, &payload)?;
    let c = mqtt_of(&state, session)?;
    c.intent(intent).await.then_some(()).ok_or_else(ended)
}
