/** The longest part of a client's id an error message repeats. */
const ECHOED_ID_LENGTH = 128;

/**
 * An id as an error message repeats it: whole up to {@link ECHOED_ID_LENGTH} characters, else cut there
 * with an ellipsis (a client's id may be anything, megabytes long).
 *
 * @param id - the id the client sent
 */
export function echoedId(id: string): string {
  return id.length > ECHOED_ID_LENGTH ? `${id.slice(0, ECHOED_ID_LENGTH)}…` : id;
}
