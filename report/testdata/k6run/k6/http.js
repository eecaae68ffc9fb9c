// A stand-in for k6/http: a synchronous http.request, as k6's is, over
// fetch in a worker thread (Atomics.wait blocks until the answer is in).
import { MessageChannel, Worker, receiveMessageOnPort } from "node:worker_threads";
import { record } from "./log.js";
import { currentGroup } from "./index.js";

const shared = new SharedArrayBuffer(4);
const flag = new Int32Array(shared);
const { port1, port2 } = new MessageChannel();
const worker = new Worker(new URL("./fetcher.js", import.meta.url), {
  workerData: { shared, port: port2 },
  transferList: [port2],
});
worker.unref();

export const settings = { discardResponseBodies: false, throwOn: "" };

export function close() {
  return worker.terminate();
}

// canonical writes a header name as Go's net/http (and so k6) does.
function canonical(name) {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (m, dash, c) => dash + c.toUpperCase());
}

function request(method, url, body, params = {}) {
  const path = new URL(url).pathname;
  const name = params.tags && params.tags.name ? params.tags.name : "";
  record("request", { method, url, path, name, body, group: currentGroup() });
  if (settings.throwOn !== "" && (method + " " + path).startsWith(settings.throwOn)) {
    throw new Error("harness: " + method + " " + path + " throws");
  }
  Atomics.store(flag, 0, 0);
  worker.postMessage({ method, url, headers: params.headers || {}, body });
  Atomics.wait(flag, 0, 0);
  const answer = receiveMessageOnPort(port1).message;
  const headers = {};
  for (const [k, v] of Object.entries(answer.headers)) {
    headers[canonical(k)] = v;
  }
  record("response", { method, path, name, status: answer.status, headers });
  const keep = params.responseType === "text" || (params.responseType === undefined && !settings.discardResponseBodies);
  return {
    status: answer.status,
    headers,
    body: keep ? answer.body : null,
    request: { method, url, body: body === null ? "" : body },
    json() {
      return JSON.parse(answer.body);
    },
  };
}

function expectedStatuses(...statuses) {
  return { statuses };
}

export default { request, expectedStatuses };
