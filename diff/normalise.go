package diff

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/smoke-dev/smoke/generator"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/runner"
)

// bodyKind says how a body is compared.
type bodyKind int

const (
	bodyEmpty bodyKind = iota
	bodyJSON           // parsed, compared field by field, numbers exactly
	bodyText           // compared as text
	bodyBytes          // compared by SHA-256
)

func (k bodyKind) String() string {
	switch k {
	case bodyJSON:
		return "json"
	case bodyText:
		return "text"
	case bodyBytes:
		return "binary"
	}
	return "empty"
}

// body is a normalised response body.
type body struct {
	kind      bodyKind
	value     any // bodyJSON
	text      string
	sum       string // hex SHA-256 of the decoded bytes
	size      int
	truncated bool
	// err says why the body cannot be compared at all: it decodes to
	// more than the body limit. The sample is then an error.
	err error
}

// normaliseBody decompresses raw according to Content-Encoding, within
// runner.DefaultMaxBodyBytes, and parses it according to Content-Type.
// A body that cannot be decoded or parsed is compared by its bytes; one
// that decodes beyond the limit has err set.
func normaliseBody(h http.Header, raw []byte, truncated bool) body {
	return normaliseBodyWithin(h, raw, truncated, runner.DefaultMaxBodyBytes)
}

// normaliseBodyWithin is normaliseBody with the limit on the decoded
// size: the same limit the runner applies to what it reads, so a
// compression bomb costs diff no more memory than a plain body.
func normaliseBodyWithin(h http.Header, raw []byte, truncated bool, limit int64) body {
	data := raw
	if enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding"))); enc != "" && enc != "identity" && !truncated {
		d, err := decompress(enc, raw, limit)
		switch {
		case errors.Is(err, errDecodedTooLarge):
			return body{size: len(raw), err: fmt.Errorf("%s body larger than the %s limit once decoded", enc, runner.ByteSize(limit))}
		case err == nil:
			data = d
		}
	}
	b := body{size: len(data), truncated: truncated}
	if len(data) == 0 {
		return b
	}
	sum := sha256.Sum256(data)
	b.sum = hex.EncodeToString(sum[:])
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	looksJSON := mt == "" && (data[0] == '{' || data[0] == '[')
	if generator.IsJSON(mt) || looksJSON {
		if v, err := decodeJSON(data); err == nil {
			b.kind, b.value = bodyJSON, v
			return b
		}
	}
	if (isTextMediaType(mt) || mt == "" || generator.IsJSON(mt)) && utf8.Valid(data) {
		b.kind, b.text = bodyText, string(data)
		return b
	}
	b.kind = bodyBytes
	return b
}

// decodeJSON parses one JSON document, keeping numbers as their text.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

// errDecodedTooLarge is returned by decompress for a body that decodes
// beyond its limit.
var errDecodedTooLarge = errors.New("decoded body too large")

// decompress decodes raw, reading at most limit decoded bytes (and one
// more, to tell that there are more).
func decompress(enc string, raw []byte, limit int64) ([]byte, error) {
	var r io.Reader
	switch enc {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		r = zr
	case "deflate":
		// RFC 9110 deflate is zlib-wrapped; some servers send raw DEFLATE.
		if zr, err := zlib.NewReader(bytes.NewReader(raw)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(raw))
		}
	default:
		return nil, fmt.Errorf("content encoding %q not supported", enc)
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errDecodedTooLarge
	}
	return data, nil
}

func isTextMediaType(mt string) bool {
	mt = strings.ToLower(mt)
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+xml"), mt == "application/xml",
		mt == "application/x-www-form-urlencoded",
		mt == "application/javascript", mt == "application/yaml", mt == "application/x-yaml":
		return true
	}
	return false
}

// compareBodies records the differences between two normalised bodies.
func (c *comparer) bodies(a, b body, s *openapi3.Schema) {
	switch {
	case a.kind == bodyEmpty && b.kind == bodyEmpty:
		return
	case a.kind == bodyEmpty:
		c.add(rawDiff{kind: KindAdded, new: b.example(), hasNew: true})
		return
	case b.kind == bodyEmpty:
		c.add(rawDiff{kind: KindMissing, old: a.example(), hasOld: true})
		return
	case a.kind != b.kind:
		c.add(rawDiff{kind: KindType, old: a.example(), new: b.example(), hasOld: true, hasNew: true,
			note: a.kind.String() + " body became " + b.kind.String()})
		return
	case a.sum == b.sum:
		return // the same bytes, read the same way
	}
	switch a.kind {
	case bodyJSON:
		c.value(nil, a.value, b.value, s)
	case bodyText:
		if a.text != b.text {
			c.add(rawDiff{kind: KindChanged, old: a.example(), new: b.example(), hasOld: true, hasNew: true})
		}
	case bodyBytes:
		if a.sum != b.sum {
			c.add(rawDiff{kind: KindChanged, old: a.example(), new: b.example(), hasOld: true, hasNew: true})
		}
	}
}

// example returns the body as an example value for a report.
func (b body) example() any {
	switch b.kind {
	case bodyJSON:
		return b.value
	case bodyText:
		return b.text
	case bodyBytes:
		return fmt.Sprintf("<%d bytes, sha256 %s>", b.size, b.sum[:16])
	}
	return nil
}
