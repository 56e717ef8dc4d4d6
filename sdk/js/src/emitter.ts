/** A minimal typed event emitter: no dependencies, runs in browsers and Node. */
export class Emitter<E extends { [K in keyof E]: (...args: any[]) => void }> {
  private handlers = new Map<keyof E, Set<E[keyof E]>>();

  /** Adds a handler; returns a function that removes it. */
  on<K extends keyof E>(name: K, fn: E[K]): () => void {
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
    }
    set.add(fn);
    return () => this.off(name, fn);
  }

  /** Adds a handler that runs once. */
  once<K extends keyof E>(name: K, fn: E[K]): () => void {
    const wrap = ((...args: Parameters<E[K]>) => {
      this.off(name, wrap);
      fn(...args);
    }) as E[K];
    return this.on(name, wrap);
  }

  /** Removes a handler. */
  off<K extends keyof E>(name: K, fn: E[K]): void {
    this.handlers.get(name)?.delete(fn);
  }

  /** Calls every handler of name; a handler that throws does not stop the others or the client. */
  protected emit<K extends keyof E>(name: K, ...args: Parameters<E[K]>): void {
    const set = this.handlers.get(name);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (...a: Parameters<E[K]>) => void)(...args);
      } catch (err) {
        reportLater(err);
      }
    }
  }
}

function reportLater(err: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === "function") {
    g.reportError(err);
    return;
  }
  setTimeout(() => {
    throw err;
  }, 0);
}
