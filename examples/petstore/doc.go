// Package petstore is the example service bundled with smoke: a small pet
// store implementing the OpenAPI 3.1 document in openapi.yaml, kept in
// memory and deterministic apart from deliberate per-request noise.
//
// # Overview
//
// `smoke demo` starts it in-process on a free loopback port and runs every
// check against it; smoke's own end-to-end tests do the same. Version 1
// passes `smoke run` except for one deliberate bug (GET /stats answers
// 500). Version 2 fixes that bug and introduces one regression (GET
// /pets/{petId} loses its tag field), for `smoke diff`. Both versions add
// noise a diff must ignore: a random X-Request-Id header on every answer
// and a generated_at timestamp in lists and statistics. README.md lists
// the differences.
//
// # Usage
//
//	srv := httptest.NewServer(petstore.New(petstore.Options{Version: 2}))
//	// GET srv.URL + petstore.SpecPath serves the spec.
//
// The package is importable but promises no API: it exists for smoke's
// demo and tests.
package petstore
