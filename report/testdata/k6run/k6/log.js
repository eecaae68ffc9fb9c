// What the script did, in order: requests, checks and errors.
export const events = [];

export function record(kind, fields) {
  events.push({ kind, ...fields });
}
