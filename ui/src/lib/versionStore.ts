// A counter components can subscribe to (useSyncExternalStore): bumped on every session batch, so
// only the views that show live rows re-render at the batch rate, not the whole window.
export class VersionStore {
  private v = 0;
  private listeners = new Set<() => void>();

  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  };

  readonly get = (): number => this.v;

  bump(): void {
    this.v += 1;
    for (const fn of this.listeners) fn();
  }
}
