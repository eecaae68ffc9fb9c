package generator

import "strings"

// MediaType returns the lower-case type/subtype of a Content-Type value,
// without parameters; "" when absent.
//
// It is the media type mime.ParseMediaType returns, without parsing the
// parameters it would then drop: that costs a map per response.
func MediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// IsJSON reports whether a media type (or a whole Content-Type value)
// carries JSON: application/json, text/json, any type whose subtype is
// json, and the structured-syntax suffix +json (application/problem+json,
// application/vnd.github+json). It is smoke's one answer to the question:
// the runner schema-checks exactly what diff compares field by field and
// what Datadog gets a JSON body type for.
func IsJSON(mediaType string) bool {
	mt := MediaType(mediaType)
	_, sub, ok := strings.Cut(mt, "/")
	return ok && (sub == "json" || strings.HasSuffix(sub, "+json"))
}
