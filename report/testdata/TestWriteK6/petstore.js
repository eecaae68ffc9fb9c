// k6 load test of "Petstore (smoke example) 1.0.0", written by smoke export k6.
// One request per check (8 checks), judged as smoke run judges it: no
// server error, a documented status, the documented media type, the
// required headers (response schemas are smoke run's alone).
// Safe methods only: 12 writes left out (smoke export k6 --allow-writes
// sends them in chains that delete what each iteration creates).
//
//   k6 run -e BASE_URL=https://staging.example.com -e PETSTORE_TOKEN=... load.js
//
// Credentials come from the environment: PETSTORE_TOKEN.
import http from "k6/http";
import { check } from "k6";

/**
 * need returns a variable of the environment, and stops the test at its
 * start when it is not set.
 * @param {string} name
 * @param {string | undefined} value
 * @returns {string}
 */
function need(name, value) {
  if (!value) {
    throw new Error("environment variable " + name + " is not set: k6 run -e " + name + "=...");
  }
  return value;
}

const BASE_URL = (__ENV.BASE_URL || "http://127.0.0.1:8080").replace(/\/+$/, "");
const env = {
  "PETSTORE_TOKEN": need("PETSTORE_TOKEN", __ENV.PETSTORE_TOKEN),
};

/** @type {import("k6/options").Options} */
export const options = {
  stages: [
    { duration: "20s", target: 10 },
    { duration: "1m20s", target: 10 },
    { duration: "20s", target: 0 },
  ],
  // smoke reports redirects; it never follows them.
  maxRedirects: 0,
  // No check reads a body: keep them out of memory under load.
  discardResponseBodies: true,
  thresholds: {
    // Every check passes, as in smoke run.
    checks: ["rate==1"],
    // Latency budgets of smoke.yaml, at the p(95) of each check's requests.
    "http_req_duration{smoke_check:96e3f4523439}": ["p(95)<500"], // GET /owners
    "http_req_duration{smoke_check:af77951abb15}": ["p(95)<500"], // GET /owners/{ownerId}
    "http_req_duration{smoke_check:481ea096afc3}": ["p(95)<500"], // GET /owners/{ownerId}/pets
    "http_req_duration{smoke_check:d1f766ef2248}": ["p(95)<500"], // GET /owners/{ownerId}/pets/{petId}
    "http_req_duration{smoke_check:d436fea64fa1}": ["p(95)<500"], // GET /pets
    "http_req_duration{smoke_check:547a0a2c89cf}": ["p(95)<200"], // GET /pets/{petId}
    "http_req_duration{smoke_check:67fbbb5c8e96}": ["p(95)<500"], // GET /stats
  },
};

export default function () {
  // GET /health (getHealth)
  {
    const r0 = http.request("GET", BASE_URL + "/health", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /health", smoke_check: "92482e2cfe00" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200),
    });
    judge(r0, "GET /health", {
      "200": { types: ["text/plain"] },
    }, ["content_type", "latency"]);
  }
  // GET /owners (listOwners)
  {
    const r1 = http.request("GET", BASE_URL + "/owners", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /owners", smoke_check: "96e3f4523439" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200),
    });
    judge(r1, "GET /owners", {
      "200": { types: ["application/json"] },
    }, []);
  }
  // GET /owners/{ownerId} (getOwner)
  {
    const r2 = http.request("GET", BASE_URL + "/owners/1", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /owners/{ownerId}", smoke_check: "af77951abb15" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404),
    });
    judge(r2, "GET /owners/{ownerId}", {
      "200": { types: ["application/json"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // GET /owners/{ownerId}/pets (listOwnerPets)
  {
    const r3 = http.request("GET", BASE_URL + "/owners/1/pets", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /owners/{ownerId}/pets", smoke_check: "481ea096afc3" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404),
    });
    judge(r3, "GET /owners/{ownerId}/pets", {
      "200": { types: ["application/json"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // GET /owners/{ownerId}/pets/{petId} (getOwnerPet)
  {
    const r4 = http.request("GET", BASE_URL + "/owners/1/pets/1", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /owners/{ownerId}/pets/{petId}", smoke_check: "d1f766ef2248" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404),
    });
    judge(r4, "GET /owners/{ownerId}/pets/{petId}", {
      "200": { types: ["application/json"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // GET /pets (listPets)
  {
    const r5 = http.request("GET", BASE_URL + "/pets?limit=2", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /pets", smoke_check: "d436fea64fa1" },
      timeout: "10s",
      responseCallback: http.expectedStatuses({ min: 100, max: 499 }),
    });
    judge(r5, "GET /pets", {
      "200": { types: ["application/json"], headers: ["X-Request-Id"] },
      "default": { types: ["application/json"] },
    }, []);
  }
  // GET /pets/{petId} (getPet)
  {
    const r6 = http.request("GET", BASE_URL + "/pets/1", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /pets/{petId}", smoke_check: "547a0a2c89cf" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404),
    });
    judge(r6, "GET /pets/{petId}", {
      "200": { types: ["application/json"], headers: ["X-Request-Id"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // GET /stats (getStats)
  {
    const r7 = http.request("GET", BASE_URL + "/stats", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /stats", smoke_check: "67fbbb5c8e96" },
      timeout: "10s",
      responseCallback: http.expectedStatuses({ min: 100, max: 499 }),
    });
    judge(r7, "GET /stats", {
      "2XX": { types: ["application/json"] },
      "default": { types: ["application/json"] },
    }, []);
  }
}

/**
 * @typedef {{ types?: string[], headers?: string[] }} Documented
 */

/**
 * judge checks one answer as smoke run does, as k6 checks named after the
 * operation: no server error (nor no answer), a documented status, one of
 * the documented media types, the required headers.
 * @param {import("k6/http").RefinedResponse<import("k6/http").ResponseType | undefined>} res
 * @param {string} name
 * @param {{ [status: string]: Documented }} documented
 * @param {string[]} skip
 */
function judge(res, name, documented, skip) {
  const status = res.status;
  const code = String(status);
  const doc = documented[code] || documented[code.charAt(0) + "XX"] || documented["default"];
  /** @type {{ [name: string]: () => boolean }} */
  const sets = {};
  if (!skip.includes("not_server_error")) {
    sets[name + ": no server error"] = () => status > 0 && status < 500;
  }
  const keys = Object.keys(documented);
  if (!skip.includes("status_documented") && keys.length > 0) {
    sets[name + ": status documented (" + keys.join(", ") + ")"] = () => status > 0 && doc !== undefined;
  }
  if (doc !== undefined && status > 0) {
    const bodyless = res.request.method === "HEAD" || status === 204 || status === 304 || status < 200;
    const types = doc.types || [];
    if (!skip.includes("content_type") && !bodyless && types.length > 0) {
      const got = mediaType(header(res, "Content-Type"));
      sets[name + ": content type " + types.join(" or ")] = () => matchesType(types, got);
    }
    if (!skip.includes("required_headers")) {
      for (const h of doc.headers || []) {
        sets[name + ": header " + h] = () => header(res, h) !== "";
      }
    }
  }
  check(res, sets);
}

/**
 * header returns a response header, whatever the case of its name.
 * @param {import("k6/http").RefinedResponse<import("k6/http").ResponseType | undefined>} res
 * @param {string} name
 * @returns {string}
 */
function header(res, name) {
  const want = name.toLowerCase();
  for (const k of Object.keys(res.headers)) {
    if (k.toLowerCase() === want) {
      return res.headers[k];
    }
  }
  return "";
}

/**
 * mediaType returns the lower-case type/subtype of a Content-Type value.
 * @param {string} value
 * @returns {string}
 */
function mediaType(value) {
  return value.split(";")[0].trim().toLowerCase();
}

/**
 * matchesType reports whether got is one of the documented media types,
 * or falls in a documented range such as text/* (or any type).
 * @param {string[]} types
 * @param {string} got
 * @returns {boolean}
 */
function matchesType(types, got) {
  if (got === "") {
    return false;
  }
  const range = got.split("/")[0] + "/*";
  return types.some((t) => t === got || t === range || t === "*/*");
}
