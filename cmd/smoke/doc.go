// Smoke smoke-tests an HTTP API from its OpenAPI document.
//
// It reads the document (OpenAPI 3.0, 3.1 or Swagger 2.0), builds one check
// per path and HTTP method, and then plans them (smoke plan), sends them to
// a deployment (smoke run), compares two deployments (smoke diff), or keeps
// them as Datadog Synthetics API tests (smoke publish, smoke trigger).
// smoke demo runs the whole flow against the bundled example service.
//
// Usage:
//
//	smoke plan    --spec openapi.yaml [--format text|json]
//	smoke run     --spec openapi.yaml --base-url URL [--format text|json|junit|markdown]
//	smoke diff    --spec openapi.yaml --old URL --new URL [--rounds N] [--format text|json|markdown|html]
//	smoke publish --spec openapi.yaml --base-url URL --service NAME [--dry-run] [--prune]
//	smoke trigger --service NAME [--wait] [--junit FILE]
//	smoke demo
//
// Exit status, every command: 0 nothing failed (parity, in sync); 1
// findings; 2 usage, config or spec error, nothing sent; 3 incomplete
// (interrupted, target unreachable, not every check ran).
//
// This file's package is the only one that parses flags, reads the
// environment or exits; everything else lives in importable packages that
// promise no API.
package main
