type Listener<T> = (payload: T) => void;

/** A tiny typed emitter: tests and the service observe what a worker did without log scraping. */
export interface Hooks<E extends object> {
  /** Returns a function that removes the listener. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void;
}

export interface HookEmitter<E extends object> extends Hooks<E> {
  emit<K extends keyof E>(event: K, payload: E[K]): void;
}

export function createHooks<E extends object>(): HookEmitter<E> {
  const listeners = new Map<keyof E, Set<Listener<never>>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as Listener<never>);
      return () => set.delete(listener as Listener<never>);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) (listener as Listener<typeof payload>)(payload);
    },
  };
}
