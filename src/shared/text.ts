/**
 * Text helpers for messages that repeat what a user sent.
 * @module
 */

/** `text` whole up to `max` characters, else its first `max` characters and how many were cut. */
export function shortened(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...[${text.length - max} more characters]`;
}
