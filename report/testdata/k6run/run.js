// run.js runs an exported k6 script under node, the way k6 runs it, with
// k6's modules replaced by the stand-ins of node_modules/k6: for each
// virtual user, its iterations in turn. It prints, as JSON, every request,
// answer, check and error.
//
//   node run.js SCRIPT VUS ITERATIONS [THROW_ON]
//
// THROW_ON ("PUT /pets/") makes http.request throw for requests whose
// method and path start with it, as an exception in a script would.
import { pathToFileURL } from "node:url";
import { events, record } from "k6/log.js";
import { state } from "k6/execution";
import { close, settings } from "k6/http";

const [script, vus, iterations, throwOn] = process.argv.slice(2);
globalThis.__ENV = { ...process.env };
const mod = await import(pathToFileURL(script).href);
settings.discardResponseBodies = Boolean(mod.options && mod.options.discardResponseBodies);
settings.throwOn = throwOn || "";
for (let vu = 1; vu <= Number(vus); vu++) {
  for (let it = 0; it < Number(iterations); it++) {
    state.vu = vu;
    state.iteration = it;
    globalThis.__VU = vu;
    globalThis.__ITER = it;
    record("iteration", { vu, iteration: it });
    try {
      mod.default();
    } catch (e) {
      record("error", { vu, iteration: it, message: String(e && e.message) });
    }
  }
}
await close();
process.stdout.write(JSON.stringify(events) + "\n");
