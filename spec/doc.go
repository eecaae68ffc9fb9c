// Package spec loads OpenAPI documents for smoke.
//
// # Overview
//
// Load reads OpenAPI 3.0 and 3.1 documents, and Swagger 2.0 documents
// converted to OpenAPI 3.0, as YAML or JSON, from a file, an http(s) URL or
// standard input, and resolves every $ref, external relative ones included.
// Loading is lenient: kin-openapi's strict validation rejects many real
// published descriptions (GitHub's, Datadog's), so its problems become
// Document.Warnings, and only an unusable document is an error (*Error).
// Options.Strict turns warnings into an error.
//
// # Usage
//
//	doc, err := spec.Load(ctx, "openapi.yaml", spec.Options{})
//	for _, op := range doc.Operations() { ... }
//
// The package is part of smoke and promises no API to other modules.
package spec
