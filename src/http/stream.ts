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

/**
 * Pages read as the client pulls (an export, an import's errors) answered as text lines: `head`
 * first, then a line per item. One page in memory at a time; a client that goes away stops the reads.
 */
export function linesStream<T>(pages: AsyncGenerator<T[]>, line: (item: T) => string, head = ""): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let first = head;
  return new ReadableStream({
    async pull(controller) {
      const next = await pages.next();
      let text = first;
      first = "";
      for (const item of next.done ? [] : next.value) text += line(item);
      if (text !== "") controller.enqueue(encoder.encode(text));
      if (next.done) controller.close();
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}

/** NDJSON of pages: a JSON value per line. */
export const ndjsonStream = <T>(pages: AsyncGenerator<T[]>): ReadableStream<Uint8Array> => linesStream(pages, (item) => `${JSON.stringify(item)}\n`);
