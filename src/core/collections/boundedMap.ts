/**
 * A Map that keeps its newest entries: insertion order is age, setting a key makes it the newest,
 * and past `capacity` the oldest entry goes. For memory that a stream of events must not grow.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.capacity) super.delete(this.keys().next().value as K);
    return this;
  }
}
