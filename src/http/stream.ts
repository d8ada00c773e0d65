/**
 * A large JSON array answered as a stream: serialised a slice at a time as the client reads, so
 * the body never exists as one string (the unpaged CloudCockpit customer list: 10,000 users are
 * ~1.5 MB). The bytes are exactly what `JSON.stringify(items.map(toWire))` would give.
 */
const SLICE = 256;

export function jsonArrayStream<T>(items: readonly T[], toWire: (item: T) => unknown): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next >= items.length) {
        controller.enqueue(encoder.encode(next === 0 ? "[]" : "]"));
        controller.close();
        return;
      }
      const end = Math.min(items.length, next + SLICE);
      const parts: string[] = [];
      for (let i = next; i < end; i++) parts.push(JSON.stringify(toWire(items[i] as T)));
      controller.enqueue(encoder.encode((next === 0 ? "[" : ",") + parts.join(",")));
      next = end;
    },
  });
}
