// k6 load test of "Petstore (smoke example) 1.0.0", written by smoke export k6.
// One request per check (20 checks), judged as smoke run judges it: no
// server error, a documented status, the documented media type, the
// required headers (response schemas are smoke run's alone).
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
    "http_req_duration{smoke_check:878a32ef21f8}": ["p(95)<500"], // POST /appointments
    "http_req_duration{smoke_check:da3f723f9a5a}": ["p(95)<500"], // DELETE /appointments/{appointmentId}
    "http_req_duration{smoke_check:96e3f4523439}": ["p(95)<500"], // GET /owners
    "http_req_duration{smoke_check:24c7c64fcb0d}": ["p(95)<500"], // POST /owners
    "http_req_duration{smoke_check:af77951abb15}": ["p(95)<500"], // GET /owners/{ownerId}
    "http_req_duration{smoke_check:ddcd06d5f261}": ["p(95)<500"], // DELETE /owners/{ownerId}
    "http_req_duration{smoke_check:481ea096afc3}": ["p(95)<500"], // GET /owners/{ownerId}/pets
    "http_req_duration{smoke_check:374010ede831}": ["p(95)<500"], // POST /owners/{ownerId}/pets
    "http_req_duration{smoke_check:d1f766ef2248}": ["p(95)<500"], // GET /owners/{ownerId}/pets/{petId}
    "http_req_duration{smoke_check:5f5ddd1c4298}": ["p(95)<500"], // DELETE /owners/{ownerId}/pets/{petId}
    "http_req_duration{smoke_check:d436fea64fa1}": ["p(95)<500"], // GET /pets
    "http_req_duration{smoke_check:5979e1e3f919}": ["p(95)<500"], // POST /pets
    "http_req_duration{smoke_check:547a0a2c89cf}": ["p(95)<200"], // GET /pets/{petId}
    "http_req_duration{smoke_check:b6a4b12f0a66}": ["p(95)<500"], // PUT /pets/{petId}
    "http_req_duration{smoke_check:6edbb9ae9298}": ["p(95)<500"], // DELETE /pets/{petId}
    "http_req_duration{smoke_check:aa3cb04f8caa}": ["p(95)<500"], // PUT /pets/{petId}/labels
    "http_req_duration{smoke_check:67fbbb5c8e96}": ["p(95)<500"], // GET /stats
    "http_req_duration{smoke_check:a1a1f08f634c}": ["p(95)<500"], // POST /tags
    "http_req_duration{smoke_check:0da7d289f52d}": ["p(95)<500"], // DELETE /tags/{name}
  },
};

export default function () {
  // ${run} of smoke's plan: new for every iteration, the same for its requests.
  const run = runToken();
  // POST /appointments (bookAppointment)
  {
    const now = Date.now(); // the send time of this request's placeholders
    const r0 = http.request("POST", BASE_URL + "/appointments", "{\"endsAt\":\"" + at(now, 7200, "now") + "\",\"petId\":1,\"startsAt\":\"" + at(now, 3600, "now") + "\"}", {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
        "Content-Type": "application/json",
      },
      tags: { name: "POST /appointments", smoke_check: "878a32ef21f8" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(201, 422),
    });
    judge(r0, "POST /appointments", {
      "201": { types: ["application/json"] },
      "422": { types: ["application/json"] },
    }, []);
  }
  // DELETE /appointments/{appointmentId} (cancelAppointment)
  {
    const r1 = http.request("DELETE", BASE_URL + "/appointments/1", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "DELETE /appointments/{appointmentId}", smoke_check: "da3f723f9a5a" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(204, 404),
    });
    judge(r1, "DELETE /appointments/{appointmentId}", {
      "204": {},
      "404": { types: ["application/json"] },
    }, []);
  }
  // GET /health (getHealth)
  {
    const r2 = http.request("GET", BASE_URL + "/health", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /health", smoke_check: "92482e2cfe00" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200),
    });
    judge(r2, "GET /health", {
      "200": { types: ["text/plain"] },
    }, ["content_type", "latency"]);
  }
  // GET /owners (listOwners)
  {
    const r3 = http.request("GET", BASE_URL + "/owners", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /owners", smoke_check: "96e3f4523439" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200),
    });
    judge(r3, "GET /owners", {
      "200": { types: ["application/json"] },
    }, []);
  }
  // POST /owners (createOwner)
  {
    const r4 = http.request("POST", BASE_URL + "/owners", "{\"name\":\"Ada\"}", {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
        "Content-Type": "application/json",
      },
      tags: { name: "POST /owners", smoke_check: "24c7c64fcb0d" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(201, 400),
    });
    judge(r4, "POST /owners", {
      "201": { types: ["application/json"], headers: ["Location"] },
      "400": { types: ["application/json"] },
    }, []);
  }
  // GET /owners/{ownerId} (getOwner)
  {
    const r5 = http.request("GET", BASE_URL + "/owners/1", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /owners/{ownerId}", smoke_check: "af77951abb15" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404),
    });
    judge(r5, "GET /owners/{ownerId}", {
      "200": { types: ["application/json"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // DELETE /owners/{ownerId} (deleteOwner)
  {
    const r6 = http.request("DELETE", BASE_URL + "/owners/1", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "DELETE /owners/{ownerId}", smoke_check: "ddcd06d5f261" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(204, 404, 409),
    });
    judge(r6, "DELETE /owners/{ownerId}", {
      "204": {},
      "404": { types: ["application/json"] },
      "409": { types: ["application/json"] },
    }, []);
  }
  // GET /owners/{ownerId}/pets (listOwnerPets)
  {
    const r7 = http.request("GET", BASE_URL + "/owners/1/pets", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /owners/{ownerId}/pets", smoke_check: "481ea096afc3" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404),
    });
    judge(r7, "GET /owners/{ownerId}/pets", {
      "200": { types: ["application/json"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // POST /owners/{ownerId}/pets (addOwnerPet)
  {
    const r8 = http.request("POST", BASE_URL + "/owners/1/pets", "{\"name\":\"Whiskers\",\"tag\":\"cat\"}", {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
        "Content-Type": "application/json",
      },
      tags: { name: "POST /owners/{ownerId}/pets", smoke_check: "374010ede831" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(201, 404),
    });
    judge(r8, "POST /owners/{ownerId}/pets", {
      "201": { types: ["application/json"], headers: ["Location"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // GET /owners/{ownerId}/pets/{petId} (getOwnerPet)
  {
    const r9 = http.request("GET", BASE_URL + "/owners/1/pets/1", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /owners/{ownerId}/pets/{petId}", smoke_check: "d1f766ef2248" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404),
    });
    judge(r9, "GET /owners/{ownerId}/pets/{petId}", {
      "200": { types: ["application/json"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // DELETE /owners/{ownerId}/pets/{petId} (removeOwnerPet)
  {
    const r10 = http.request("DELETE", BASE_URL + "/owners/1/pets/1", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "DELETE /owners/{ownerId}/pets/{petId}", smoke_check: "5f5ddd1c4298" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(204, 404),
    });
    judge(r10, "DELETE /owners/{ownerId}/pets/{petId}", {
      "204": {},
      "404": { types: ["application/json"] },
    }, []);
  }
  // GET /pets (listPets)
  {
    const r11 = http.request("GET", BASE_URL + "/pets?limit=2", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /pets", smoke_check: "d436fea64fa1" },
      timeout: "10s",
      responseCallback: http.expectedStatuses({ min: 100, max: 499 }),
    });
    judge(r11, "GET /pets", {
      "200": { types: ["application/json"], headers: ["X-Request-Id"] },
      "default": { types: ["application/json"] },
    }, []);
  }
  // POST /pets (createPet)
  {
    const r12 = http.request("POST", BASE_URL + "/pets", "{\"name\":\"Kitty\",\"tag\":\"cat\"}", {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
        "Content-Type": "application/json",
      },
      tags: { name: "POST /pets", smoke_check: "5979e1e3f919" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(201, 400),
    });
    judge(r12, "POST /pets", {
      "201": { types: ["application/json"], headers: ["Location"] },
      "400": { types: ["application/json"] },
    }, []);
  }
  // GET /pets/{petId} (getPet)
  {
    const r13 = http.request("GET", BASE_URL + "/pets/1", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /pets/{petId}", smoke_check: "547a0a2c89cf" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404),
    });
    judge(r13, "GET /pets/{petId}", {
      "200": { types: ["application/json"], headers: ["X-Request-Id"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // PUT /pets/{petId} (updatePet)
  {
    const r14 = http.request("PUT", BASE_URL + "/pets/1", "{\"name\":\"Rex\",\"tag\":\"dog\"}", {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
        "Content-Type": "application/json",
      },
      tags: { name: "PUT /pets/{petId}", smoke_check: "b6a4b12f0a66" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404),
    });
    judge(r14, "PUT /pets/{petId}", {
      "200": { types: ["application/json"] },
      "404": { types: ["application/json"] },
    }, []);
  }
  // DELETE /pets/{petId} (deletePet)
  {
    const r15 = http.request("DELETE", BASE_URL + "/pets/3", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "DELETE /pets/{petId}", smoke_check: "6edbb9ae9298" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(204, 404),
    });
    judge(r15, "DELETE /pets/{petId}", {
      "204": {},
      "404": { types: ["application/json"] },
    }, []);
  }
  // PUT /pets/{petId}/labels (setPetLabels)
  {
    const r16 = http.request("PUT", BASE_URL + "/pets/1/labels", "{\"smoke\":\"smoke\"}", {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
        "Content-Type": "application/json",
      },
      tags: { name: "PUT /pets/{petId}/labels", smoke_check: "aa3cb04f8caa" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(200, 404, 422),
    });
    judge(r16, "PUT /pets/{petId}/labels", {
      "200": { types: ["application/json"] },
      "404": { types: ["application/json"] },
      "422": { types: ["application/json"] },
    }, []);
  }
  // GET /stats (getStats)
  {
    const r17 = http.request("GET", BASE_URL + "/stats", null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "GET /stats", smoke_check: "67fbbb5c8e96" },
      timeout: "10s",
      responseCallback: http.expectedStatuses({ min: 100, max: 499 }),
    });
    judge(r17, "GET /stats", {
      "2XX": { types: ["application/json"] },
      "default": { types: ["application/json"] },
    }, []);
  }
  // POST /tags (createTag)
  {
    const r18 = http.request("POST", BASE_URL + "/tags", "{\"code\":\"AA0000\",\"name\":\"smoke" + run + "\"}", {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
        "Content-Type": "application/json",
      },
      tags: { name: "POST /tags", smoke_check: "a1a1f08f634c" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(201, 409, 422),
    });
    judge(r18, "POST /tags", {
      "201": { types: ["application/json"] },
      "409": { types: ["application/json"] },
      "422": { types: ["application/json"] },
    }, []);
  }
  // DELETE /tags/{name} (deleteTag)
  {
    const r19 = http.request("DELETE", BASE_URL + "/tags/smoke" + run, null, {
      headers: {
        "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
      },
      tags: { name: "DELETE /tags/{name}", smoke_check: "0da7d289f52d" },
      timeout: "10s",
      responseCallback: http.expectedStatuses(204, 404),
    });
    judge(r19, "DELETE /tags/{name}", {
      "204": {},
      "404": { types: ["application/json"] },
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

/**
 * at renders a time placeholder of smoke's plan (${now+1h}, ${date},
 * ${time}, ${unix}, ${unixms}): the send time plus an offset, in UTC.
 * @param {number} now the send time, milliseconds since the epoch
 * @param {number} offset seconds
 * @param {string} word now, date, time, unix or unixms
 * @returns {string}
 */
function at(now, offset, word) {
  const t = now + offset * 1000;
  const iso = new Date(t).toISOString(); // 2025-06-01T12:00:00.000Z
  switch (word) {
    case "date":
      return iso.slice(0, 10);
    case "time":
      return iso.slice(11, 19) + "Z";
    case "unix":
      return String(Math.floor(t / 1000));
    case "unixms":
      return String(t);
  }
  return iso.slice(0, 19) + "Z";
}

/**
 * runToken returns a token for values that must be unique (names, keys):
 * 8 lower-case letters and digits, starting with a letter.
 * @returns {string}
 */
function runToken() {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const alnum = letters + "0123456789";
  let out = letters.charAt(Math.floor(Math.random() * letters.length));
  while (out.length < 8) {
    out += alnum.charAt(Math.floor(Math.random() * alnum.length));
  }
  return out;
}
