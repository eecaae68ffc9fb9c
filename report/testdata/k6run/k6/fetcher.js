// The worker behind the synchronous http.request: it sends one request at
// a time with fetch and wakes the script's thread when the answer is in.
import { parentPort, workerData } from "node:worker_threads";

const flag = new Int32Array(workerData.shared);
parentPort.on("message", async (req) => {
  let out;
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body === null ? undefined : req.body,
      redirect: "manual",
    });
    out = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  } catch (e) {
    out = { status: 0, headers: {}, body: "", error: String(e) };
  }
  workerData.port.postMessage(out);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
