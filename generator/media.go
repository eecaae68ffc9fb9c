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

// Kinds of streamed response bodies (Response.Stream).
const (
	// StreamJSON is JSON values one after another: JSON Lines, NDJSON,
	// JSON text sequences, and the gRPC-gateway's streaming responses.
	StreamJSON = "json"
	// StreamSSE is server-sent events (text/event-stream).
	StreamSSE = "sse"
)

// streamTypes are the media types of streamed bodies.
var streamTypes = map[string]string{
	"text/event-stream":         StreamSSE,
	"application/x-ndjson":      StreamJSON,
	"application/ndjson":        StreamJSON,
	"application/jsonl":         StreamJSON,
	"application/x-jsonlines":   StreamJSON,
	"application/jsonlines":     StreamJSON,
	"application/json-seq":      StreamJSON,
	"application/stream+json":   StreamJSON,
	"application/x-json-stream": StreamJSON,
}

// StreamKind says whether a documented response is a stream of records,
// and of which kind: by its media types, or by the description the
// gRPC-gateway gives its streaming responses ("A successful
// response.(streaming responses)"). "" when it is not one.
func StreamKind(description string, mediaTypes []string) string {
	for _, mt := range mediaTypes {
		if k, ok := streamTypes[MediaType(mt)]; ok {
			return k
		}
	}
	if strings.Contains(strings.ToLower(description), "(streaming responses)") {
		return StreamJSON
	}
	return ""
}
