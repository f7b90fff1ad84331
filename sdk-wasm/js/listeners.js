// The app's event listeners of one SDK instance (`src/js/mod.rs`, which decides which events
// are emitted and with what data).

// Each name's list is replaced, never changed in place, so that an event being emitted goes to
// the listeners it found, whatever they add or remove meanwhile.
export class Listeners {
  constructor() {
    this.byName = new Map();
  }

  on(name, handler) {
    this.byName.set(name, [...(this.byName.get(name) ?? []), handler]);
  }

  off(name, handler) {
    const list = this.byName.get(name);
    if (list) this.byName.set(name, list.filter((h) => h !== handler));
  }

  clear() {
    this.byName.clear();
  }

  /**
   * Calls each listener of `name` with `{ name, data }`. A listener that throws is reported on
   * the console, and the others still hear the event.
   */
  emit(name, data) {
    const event = { name, data };
    for (const handler of this.byName.get(name) ?? []) {
      try {
        handler(event);
      } catch (error) {
        console.error(error);
      }
    }
  }
}
