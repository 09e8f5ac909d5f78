// The toast stack's model: transient confirmations ("Copied …", "Exported to …", "Saved"), newest
// last, a few at most, each gone after its time. Warnings stay in the Notices bar, not here.

export interface ToastAction {
  label: string;
  run(): void;
}

export interface Toast {
  id: number;
  text: string;
  /** One button beside the text, e.g. "Open folder" on an export's toast. */
  action?: ToastAction;
  /** How long it stays (ms) while the pointer or focus is not on it. */
  ttlMs: number;
}

/** A plain confirmation's time on screen. */
export const TOAST_MS = 4000;
/** A toast with an action stays longer, so there is time to reach its button. */
export const ACTION_TOAST_MS = 10000;
/** The most toasts shown at once; the oldest goes first. */
export const MAX_TOASTS = 4;

let nextId = 1;

/** A new toast for `text` (with `action`, if any), with the time on screen its kind gets. */
export function makeToast(text: string, action?: ToastAction): Toast {
  return { id: nextId++, text, action, ttlMs: action ? ACTION_TOAST_MS : TOAST_MS };
}

/** `list` with `t` added last, the oldest dropped beyond `max`; the same text replaces its twin. */
export function pushToast(list: readonly Toast[], t: Toast, max = MAX_TOASTS): Toast[] {
  return [...list.filter((x) => x.text !== t.text), t].slice(-max);
}

export function dismissToast(list: readonly Toast[], id: number): Toast[] {
  return list.filter((t) => t.id !== id);
}
