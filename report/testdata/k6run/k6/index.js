// A stand-in for k6's "k6" module, for tests that run an exported script
// under node: check() and group() record what the script did.
import { record } from "./log.js";

const groups = [];

export function group(name, fn) {
  groups.push(name);
  try {
    return fn();
  } finally {
    groups.pop();
  }
}

export function currentGroup() {
  return groups.length > 0 ? groups[groups.length - 1] : "";
}

export function check(val, sets) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(fn(val));
    record("check", { name, ok, group: currentGroup() });
    all = all && ok;
  }
  return all;
}

export function sleep() {}
