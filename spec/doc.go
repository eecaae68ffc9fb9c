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
// External $refs follow the rules of RefError: a file spec resolves them
// inside its own directory tree, a URL spec on its own origin (redirects
// included), a spec from standard input not at all, unless
// Options.AllowExternalRefs. A $ref cycle is reported naming each link.
// Before kin-openapi reads a document, YAML merge keys are expanded and
// "items" written as a list (the tuple form of JSON Schema) is rewritten
// with a warning (see normalise). Load returns as soon as its context is
// done, even while kin-openapi is still parsing.
//
// # Usage
//
//	doc, err := spec.Load(ctx, "openapi.yaml", spec.Options{})
//	for _, op := range doc.Operations() { ... }
//
// The package is part of smoke and promises no API to other modules.
package spec
