// k6 load test of "Petstore (smoke example) 1.0.0", written by smoke export k6.
// One request per check (20 checks), judged as smoke run judges it: no
// server error, a documented status, the documented media type, the
// required headers (response schemas are smoke run's alone).
// 3 chains: a group per iteration that creates its own resources, passes
// their ids from step to step and deletes them at its end.
//
//   k6 run -e BASE_URL=https://staging.example.com -e PETSTORE_TOKEN=... load.js
//
// Credentials come from the environment: PETSTORE_TOKEN.
import http from "k6/http";
import { check, group } from "k6";
import exec from "k6/execution";

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
  // No check reads a body, and a chain's step whose answer gives an id
  // asks for its own (responseType): keep the others out of memory.
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
  // ${run} of smoke's plan: new for every iteration of every virtual user,
  // the same for its requests.
  const run = runToken();
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
  // The chain POST /owners → DELETE /owners/{ownerId} (7 steps):
  // each iteration creates its own resources and passes their ids from
  // step to step; a write whose id did not come is not sent, a read
  // falls back to its static value.
  // Its deletes run at the end, whatever failed before them.
  group("chain POST /owners → DELETE /owners/{ownerId} (7 steps)", function () {
    /** @type {Value} */
    let $ownerId; // POST /owners header:Location
    /** @type {Value} */
    let $petId; // POST /owners/{ownerId}/pets header:Location
    try {
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
        if (exercised(r4, [])) {
          $ownerId = fromLocation(header(r4, "Location"), ["owners", null]);
        }
      }
      // GET /owners/{ownerId} (getOwner)
      // path:ownerId ← POST /owners header:Location
      {
        const r5 = http.request("GET", BASE_URL + "/owners/" + pathEscape($ownerId !== undefined ? $ownerId : "1"), null, {
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
        if ($ownerId !== undefined) {
          check(r5, { "GET /owners/{ownerId}: read right after POST /owners created it": (res) => exercised(res, []) });
        }
      }
      // POST /owners/{ownerId}/pets (addOwnerPet)
      // path:ownerId ← POST /owners header:Location
      if ($ownerId !== undefined) {
        const r8 = http.request("POST", BASE_URL + "/owners/" + pathEscape($ownerId) + "/pets", "{\"name\":\"Whiskers\",\"tag\":\"cat\"}", {
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
        if (exercised(r8, [])) {
          $petId = fromLocation(header(r8, "Location"), ["owners", null, "pets", null]);
        }
      }
      // GET /owners/{ownerId}/pets/{petId} (getOwnerPet)
      // path:ownerId ← POST /owners header:Location
      // path:petId ← POST /owners/{ownerId}/pets header:Location
      {
        const r9 = http.request("GET", BASE_URL + "/owners/" + pathEscape($ownerId !== undefined ? $ownerId : "1") + "/pets/" + pathEscape($petId !== undefined ? $petId : "1"), null, {
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
        if ($petId !== undefined) {
          check(r9, { "GET /owners/{ownerId}/pets/{petId}: read right after POST /owners/{ownerId}/pets created it": (res) => exercised(res, []) });
        }
      }
      // GET /owners/{ownerId}/pets (listOwnerPets)
      // path:ownerId ← POST /owners header:Location
      {
        const r7 = http.request("GET", BASE_URL + "/owners/" + pathEscape($ownerId !== undefined ? $ownerId : "1") + "/pets", null, {
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
    } finally {
      // DELETE /owners/{ownerId}/pets/{petId} (removeOwnerPet)
      // path:ownerId ← POST /owners header:Location
      // path:petId ← POST /owners/{ownerId}/pets header:Location
      if ($ownerId !== undefined && $petId !== undefined) {
        const r10 = http.request("DELETE", BASE_URL + "/owners/" + pathEscape($ownerId) + "/pets/" + pathEscape($petId), null, {
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
      // DELETE /owners/{ownerId} (deleteOwner)
      // path:ownerId ← POST /owners header:Location
      if ($ownerId !== undefined) {
        const r6 = http.request("DELETE", BASE_URL + "/owners/" + pathEscape($ownerId), null, {
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
    }
  });
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
  // The chain POST /pets → DELETE /pets/{petId} (7 steps):
  // each iteration creates its own resources and passes their ids from
  // step to step; a write whose id did not come is not sent, a read
  // falls back to its static value.
  // Its deletes run at the end, whatever failed before them.
  group("chain POST /pets → DELETE /pets/{petId} (7 steps)", function () {
    /** @type {Value} */
    let $petId; // POST /pets /id
    /** @type {Value} */
    let $appointmentId; // POST /appointments /id
    /** @type {Value} */
    let $petId2; // POST /pets header:Location
    try {
      // POST /pets (createPet)
      {
        const r12 = http.request("POST", BASE_URL + "/pets", "{\"name\":\"Kitty\",\"tag\":\"cat\"}", {
          headers: {
            "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
            "Content-Type": "application/json",
          },
          tags: { name: "POST /pets", smoke_check: "5979e1e3f919" },
          timeout: "10s",
          responseType: "text", // a later step reads a value in it
          responseCallback: http.expectedStatuses(201, 400),
        });
        judge(r12, "POST /pets", {
          "201": { types: ["application/json"], headers: ["Location"] },
          "400": { types: ["application/json"] },
        }, []);
        if (exercised(r12, [])) {
          const doc = answer(r12);
          $petId = pick(doc, ["id"]);
          $petId2 = fromLocation(header(r12, "Location"), ["pets", null]);
        }
      }
      // POST /appointments (bookAppointment)
      // body:/petId ← POST /pets /id
      if ($petId !== undefined) {
        const now = Date.now(); // the send time of this request's placeholders
        const r0 = http.request("POST", BASE_URL + "/appointments", "{\"endsAt\":\"" + at(now, 7200, "now") + "\",\"petId\":" + asJSON($petId, "number") + ",\"startsAt\":\"" + at(now, 3600, "now") + "\"}", {
          headers: {
            "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
            "Content-Type": "application/json",
          },
          tags: { name: "POST /appointments", smoke_check: "878a32ef21f8" },
          timeout: "10s",
          responseType: "text", // a later step reads a value in it
          responseCallback: http.expectedStatuses(201, 422),
        });
        judge(r0, "POST /appointments", {
          "201": { types: ["application/json"] },
          "422": { types: ["application/json"] },
        }, []);
        if (exercised(r0, [])) {
          const doc = answer(r0);
          $appointmentId = pick(doc, ["id"]);
        }
      }
      // GET /pets/{petId} (getPet)
      // path:petId ← POST /pets header:Location
      {
        const r13 = http.request("GET", BASE_URL + "/pets/" + pathEscape($petId2 !== undefined ? $petId2 : "1"), null, {
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
        if ($petId2 !== undefined) {
          check(r13, { "GET /pets/{petId}: read right after POST /pets created it": (res) => exercised(res, []) });
        }
      }
      // PUT /pets/{petId} (updatePet)
      // path:petId ← POST /pets header:Location
      if ($petId2 !== undefined) {
        const r14 = http.request("PUT", BASE_URL + "/pets/" + pathEscape($petId2), "{\"name\":\"Rex\",\"tag\":\"dog\"}", {
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
      // PUT /pets/{petId}/labels (setPetLabels)
      // path:petId ← POST /pets header:Location
      if ($petId2 !== undefined) {
        const r16 = http.request("PUT", BASE_URL + "/pets/" + pathEscape($petId2) + "/labels", "{\"smoke\":\"smoke\"}", {
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
    } finally {
      // DELETE /appointments/{appointmentId} (cancelAppointment)
      // path:appointmentId ← POST /appointments /id
      if ($appointmentId !== undefined) {
        const r1 = http.request("DELETE", BASE_URL + "/appointments/" + pathEscape($appointmentId), null, {
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
      // DELETE /pets/{petId} (deletePet)
      // path:petId ← POST /pets header:Location
      if ($petId2 !== undefined) {
        const r15 = http.request("DELETE", BASE_URL + "/pets/" + pathEscape($petId2), null, {
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
    }
  });
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
  // The chain POST /tags → DELETE /tags/{name}:
  // each iteration creates its own resources and passes their ids from
  // step to step; a write whose id did not come is not sent, a read
  // falls back to its static value.
  // Its deletes run at the end, whatever failed before them.
  group("chain POST /tags → DELETE /tags/{name}", function () {
    /** @type {Value} */
    let $name; // POST /tags /name
    try {
      // POST /tags (createTag)
      {
        const r18 = http.request("POST", BASE_URL + "/tags", "{\"code\":\"AA0000\",\"name\":\"smoke" + run + "\"}", {
          headers: {
            "Authorization": "Bearer " + env["PETSTORE_TOKEN"],
            "Content-Type": "application/json",
          },
          tags: { name: "POST /tags", smoke_check: "a1a1f08f634c" },
          timeout: "10s",
          responseType: "text", // a later step reads a value in it
          responseCallback: http.expectedStatuses(201, 409, 422),
        });
        judge(r18, "POST /tags", {
          "201": { types: ["application/json"] },
          "409": { types: ["application/json"] },
          "422": { types: ["application/json"] },
        }, []);
        if (exercised(r18, [])) {
          const doc = answer(r18);
          $name = pick(doc, ["name"]);
        }
      }
    } finally {
      // DELETE /tags/{name} (deleteTag)
      // path:name ← POST /tags /name
      if ($name !== undefined) {
        const r19 = http.request("DELETE", BASE_URL + "/tags/" + pathEscape($name), null, {
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
  });
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
 * @typedef {string | number | boolean | undefined} Value
 */

/**
 * exercised reports whether an answer is a success that exercised its
 * operation, as smoke run says: any 2XX, or a documented 3XX.
 * @param {import("k6/http").RefinedResponse<import("k6/http").ResponseType | undefined>} res
 * @param {boolean | number[]} redirects every 3XX (true) or the documented ones
 * @returns {boolean}
 */
function exercised(res, redirects) {
  const s = res.status;
  return (s >= 200 && s < 300) || (s >= 300 && s < 400 && (redirects === true || (redirects !== false && redirects.includes(s))));
}

/**
 * answer parses an answer's body as JSON; undefined when it is not.
 * @param {import("k6/http").RefinedResponse<import("k6/http").ResponseType | undefined>} res
 * @returns {unknown}
 */
function answer(res) {
  try {
    return JSON.parse(typeof res.body === "string" ? res.body : "");
  } catch (e) {
    return undefined;
  }
}

/**
 * pick returns the value at a JSON pointer (its unescaped tokens) of a
 * parsed body: a string, number or boolean that is not empty.
 * @param {unknown} doc
 * @param {string[]} tokens
 * @returns {Value}
 */
function pick(doc, tokens) {
  /** @type {unknown} */
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t)) {
        return undefined;
      }
      cur = cur[Number(t)];
    } else if (cur !== null && typeof cur === "object" && Object.prototype.hasOwnProperty.call(cur, t)) {
      cur = /** @type {{ [key: string]: unknown }} */ (cur)[t];
    } else {
      return undefined;
    }
  }
  return value(cur);
}

/**
 * value keeps a string, number or boolean that is not empty.
 * @param {unknown} v
 * @returns {Value}
 */
function value(v) {
  if ((typeof v === "string" && v !== "") || typeof v === "boolean" || (typeof v === "number" && isFinite(v))) {
    return v;
  }
  return undefined;
}

/**
 * fromLocation returns the path parameter a Location names: the
 * consumer's template up to the parameter (static segments, null for
 * parameters) aligned with the end of the Location's path, the static
 * segments matching.
 * @param {string} location
 * @param {(string | null)[]} want
 * @returns {Value}
 */
function fromLocation(location, want) {
  let p = location.replace(/^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^/?#]*/, "");
  p = p.split(/[?#]/)[0].replace(/^\/+|\/+$/g, "");
  const target = want.length - 1;
  if (p === "" || target < 0) {
    return undefined;
  }
  const have = p.split("/");
  const off = have.length - want.length;
  if (off + target < 0 || (target > 0 && off + target - 1 < 0)) {
    return undefined;
  }
  for (let i = target - 1; i >= 0 && i + off >= 0; i--) {
    const w = want[i];
    if (w !== null && w.toLowerCase() !== have[i + off].toLowerCase()) {
      return undefined;
    }
  }
  try {
    return value(decodeURIComponent(have[target + off]));
  } catch (e) {
    return undefined;
  }
}

/**
 * pathEscape escapes a path segment as smoke run does (Go's
 * url.PathEscape).
 * @param {string | number | boolean} v
 * @returns {string}
 */
function pathEscape(v) {
  return encodeURIComponent(String(v))
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%(24|26|2B|3A|3D|40)/g, (m, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * queryEscape escapes a query or form value as smoke run does (Go's
 * url.QueryEscape).
 * @param {string | number | boolean} v
 * @returns {string}
 */
function queryEscape(v) {
  return encodeURIComponent(String(v))
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

/**
 * asJSON writes a value into a JSON body with the type of the static
 * value it replaces, as smoke run does: "42" replacing a number is 42,
 * 42 replacing a string is "42".
 * @param {string | number | boolean} v
 * @param {string} kind number, string, boolean, or "" (the value's own)
 * @returns {string}
 */
function asJSON(v, kind) {
  const text = String(v);
  if (kind === "number" && /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) {
    return text;
  }
  if (kind === "string") {
    return JSON.stringify(text);
  }
  if (kind === "boolean") {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) {
      return "true";
    }
    if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) {
      return "false";
    }
  }
  return JSON.stringify(v);
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
 * runToken returns a token for values that must be unique (names, keys),
 * shaped as smoke run's: 8 lower-case letters and digits, starting with a
 * letter. Two random characters, then the virtual user's number in the
 * whole test and its iteration, three base-36 digits each: no two
 * iterations of different virtual users share one, and one user's
 * iterations repeat only after 46,656 of them.
 * @returns {string}
 */
function runToken() {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const alnum = letters + "0123456789";
  /** @param {number} n */
  const b36 = (n) => (n % 46656).toString(36).padStart(3, "0");
  return letters.charAt(Math.floor(Math.random() * letters.length)) +
    alnum.charAt(Math.floor(Math.random() * alnum.length)) +
    b36(exec.vu.idInTest) + b36(exec.vu.iterationInScenario);
}
