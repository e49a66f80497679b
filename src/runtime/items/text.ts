/**
 * Byte streams as text and as lines, decoded as they arrive (UTF-8, a byte order mark dropped).
 * @module
 */

/** Text chunks of a byte stream; a character split between chunks is joined. */
export async function* utf8Chunks(bytes: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  for await (const b of bytes) {
    const s = typeof b === 'string' ? b : decoder.decode(b, { stream: true });
    if (s) yield s;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** The lines of a text stream, without their line ends (`\n` or `\r\n`); a last line without an end included. */
export async function* lines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of chunks) {
    let from = 0;
    const text = carry + chunk;
    carry = '';
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      const line = text.slice(from, nl);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
      from = nl + 1;
    }
    carry = text.slice(from);
  }
  if (carry) yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}
