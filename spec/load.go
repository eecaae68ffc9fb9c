package spec

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// MaxDocumentBytes bounds how much of a spec is read from a file, URL or
// stdin. The largest public descriptions (GitHub's dereferenced one) are
// under 100 MB.
const MaxDocumentBytes = 256 << 20

// Options tune Load. The zero value loads leniently with a 30 s timeout for
// URLs and the reference rules of RefError.
type Options struct {
	// Strict turns validation warnings into a load error.
	Strict bool
	// Stdin is read when the location is "-".
	Stdin io.Reader
	// HTTPClient fetches http(s) locations and their external $refs.
	// Nil means a client with a 30 s timeout. Its redirects are limited to
	// the spec's origin unless AllowExternalRefs.
	HTTPClient *http.Client
	// AllowExternalRefs lifts the reference rules (see RefError): $refs
	// resolve anywhere, and a spec URL's redirects may leave its origin.
	AllowExternalRefs bool
	// Logger receives debug detail (timings, counts). Nil discards.
	Logger *slog.Logger
	// SkipValidation leaves kin-openapi's validation to a later call of
	// Document.Validate, so a caller can overlap it with other work (it
	// only reads the document). Ignored when Strict is set.
	SkipValidation bool
}

// Document is a loaded, resolved OpenAPI document. Swagger 2.0 input is
// converted to OpenAPI 3.0 on load; Version keeps what the file said.
type Document struct {
	// T is the resolved OpenAPI 3 document.
	T *openapi3.T
	// Location is where the document was read from ("-" for stdin).
	Location string
	// Version is the document's "openapi" or "swagger" field as written.
	Version string
	// Warnings are problems that did not stop the document from being
	// used: failed strict validation, converted constructs, ignored parts.
	Warnings []string
}

// Error is a spec error: the document could not be read or used. The CLI
// maps it to exit code 2.
type Error struct {
	Location string
	Op       string // read, parse, resolve, convert, validate
	Err      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("load spec %q: %s: %s", e.Location, e.Op, oneLine(e.Err.Error()))
}

func (e *Error) Unwrap() error { return e.Err }

// Load reads an OpenAPI 2.0, 3.0 or 3.1 document (YAML or JSON) from a file
// path, an http(s) URL, or stdin ("-"), resolves every $ref (external ones
// by the rules of RefError) and validates it leniently.
//
// Load returns as soon as ctx is done, with an error wrapping ctx.Err(),
// whatever it was doing: reading a pipe or a terminal, fetching, or inside
// kin-openapi, which cannot be interrupted. That work is then left to end
// on its own in the background and its result dropped; it holds nothing
// but memory, and a command that was interrupted exits right after.
func Load(ctx context.Context, location string, opts Options) (*Document, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log.Debug("spec: loading", "location", location)
	type result struct {
		doc *Document
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				log.Debug("spec: panic while loading", "panic", p, "stack", string(debug.Stack()))
				done <- result{nil, &Error{Location: location, Op: "parse", Err: fmt.Errorf("internal error (panic: %v): please report it with the document", p)}}
			}
		}()
		doc, err := load(ctx, location, opts, log)
		done <- result{doc, err}
	}()
	select {
	case r := <-done:
		return r.doc, r.err
	case <-ctx.Done():
		return nil, &Error{Location: location, Op: "load", Err: ctx.Err()}
	}
}

func load(ctx context.Context, location string, opts Options, log *slog.Logger) (*Document, error) {
	start := time.Now()
	data, base, src, err := read(ctx, location, opts)
	if err != nil {
		return nil, &Error{Location: location, Op: "read", Err: err}
	}
	kind, version, err := probe(data)
	if err != nil {
		return nil, &Error{Location: location, Op: "parse", Err: err}
	}
	if kind == "swagger" && !strings.HasPrefix(version, "2") {
		return nil, &Error{Location: location, Op: "parse", Err: fmt.Errorf("unsupported swagger version %q (want 2.0)", version)}
	}
	if kind != "swagger" && !strings.HasPrefix(version, "3.") {
		return nil, &Error{Location: location, Op: "parse", Err: fmt.Errorf("unsupported openapi version %q (want 3.0 or 3.1)", version)}
	}
	data, warnings, err := normalise(data, version, false)
	if err != nil {
		return nil, &Error{Location: location, Op: "parse", Err: err}
	}
	log.Debug("spec: parsing", "location", location, "bytes", len(data))
	doc, refs, err := parse(ctx, location, data, base, src, kind, version, opts)
	if err != nil && ctx.Err() == nil {
		// A list under "items" makes kin-openapi refuse the document:
		// rewrite it (a warning) and try once more.
		if fixed, more, nerr := normalise(data, version, true); nerr == nil && len(more) > 0 {
			if d, r, err2 := parse(ctx, location, fixed, base, src, kind, version, opts); err2 == nil {
				data, doc, refs, err = fixed, d, r, nil
				warnings = append(warnings, more...)
			}
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, &Error{Location: location, Op: "load", Err: ctx.Err()}
		}
		return nil, err
	}
	doc.Warnings = append(warnings, doc.Warnings...)
	doc.Warnings = append(doc.Warnings, refs.warnings...)
	if doc.T.Paths == nil {
		doc.T.Paths = openapi3.NewPaths()
	}
	if err := checkRefs(doc.T, &rawDoc{data: data, version: version}); err != nil {
		return nil, &Error{Location: location, Op: "resolve", Err: err}
	}
	log.Debug("spec loaded", "location", location, "version", version, "ms", time.Since(start).Milliseconds())

	if len(doc.Operations()) == 0 {
		doc.Warnings = append(doc.Warnings, "the document has no operations under \"paths\": nothing to check")
	}
	if opts.Strict || !opts.SkipValidation {
		problems := doc.Validate(ctx)
		if opts.Strict && len(problems) > 0 {
			return nil, &Error{Location: location, Op: "validate", Err: errors.New(strings.TrimPrefix(problems[0], "validation: "))}
		}
		doc.Warnings = append(doc.Warnings, problems...)
	}
	return doc, nil
}

// parse hands the document to kin-openapi, with the external references
// read by the rules of RefError.
func parse(ctx context.Context, location string, data []byte, base *url.URL, src source, kind, version string, opts Options) (*Document, *refReader, error) {
	refs, err := newRefReader(ctx, src, base, version, opts)
	if err != nil {
		return nil, nil, &Error{Location: location, Op: "resolve", Err: err}
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true // the policy is refs.read's
	loader.Context = ctx
	loader.ReadFromURIFunc = refs.read
	refused := func(err error) error {
		if refs.refused != nil {
			return &Error{Location: location, Op: "resolve", Err: refs.refused}
		}
		return err
	}

	doc := &Document{Location: location, Version: version}
	if kind == "swagger" {
		var d2 openapi2.T
		if err := openapi2.UnmarshalFromData(data, &d2); err != nil {
			return nil, nil, kinError(location, err)
		}
		doc.Warnings = append(doc.Warnings, swagger2Warnings(&d2)...)
		t, err := openapi2conv.ToV3WithLoader(&d2, loader, base)
		if err != nil {
			return nil, nil, refused(&Error{Location: location, Op: "convert", Err: err})
		}
		doc.T = t
	} else {
		t, err := loader.LoadFromDataWithPath(data, base)
		if err != nil {
			return nil, nil, refused(kinError(location, err))
		}
		doc.T = t
	}
	return doc, refs, nil
}

func httpClient(opts Options) *http.Client {
	if opts.HTTPClient != nil {
		return opts.HTTPClient
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// read returns the document bytes, the base location external refs are
// resolved against, and the kind of source. Every read observes ctx.
func read(ctx context.Context, location string, opts Options) ([]byte, *url.URL, source, error) {
	switch {
	case location == "":
		return nil, nil, 0, errors.New("no spec given (use --spec PATH|URL|-)")
	case location == "-":
		if opts.Stdin == nil {
			return nil, nil, 0, errors.New("no standard input")
		}
		data, err := readCtx(ctx, func() ([]byte, error) { return readAll(opts.Stdin) })
		if err != nil {
			return nil, nil, 0, err
		}
		// With --allow-external-refs, relative file $refs from stdin
		// resolve against the working directory.
		wd, _ := os.Getwd() // "" only when the directory was removed: refs then fail on their own
		return data, &url.URL{Path: filepath.ToSlash(wd) + "/"}, sourceStdin, nil
	case strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://"):
		u, err := url.Parse(location)
		if err != nil {
			return nil, nil, 0, err
		}
		data, err := fetch(ctx, specClient(opts, u), location)
		return data, u, sourceURL, err
	default:
		path := strings.TrimPrefix(location, "file://")
		data, err := readFileCtx(ctx, path)
		if err != nil {
			return nil, nil, 0, err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, nil, 0, err
		}
		return data, &url.URL{Path: filepath.ToSlash(abs)}, sourceFile, nil
	}
}

// readFileCtx reads a file of at most MaxDocumentBytes. A FIFO or a
// descriptor (--spec <(…)) blocks in open and read until its writer
// comes: readCtx lets ctx end the wait.
func readFileCtx(ctx context.Context, path string) ([]byte, error) {
	return readCtx(ctx, func() ([]byte, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, unwrapPath(err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, errors.New("is a directory")
		}
		return readAll(f)
	})
}

// readCtx runs a blocking read and returns when it ends or ctx is done:
// a read from a terminal, a pipe or a FIFO sits in the kernel, where
// nothing else can interrupt it. After a cancellation the read is left to
// end on its own (when its writer closes, or the process exits).
func readCtx(ctx context.Context, read func() ([]byte, error)) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := read()
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("larger than %d MiB", MaxDocumentBytes>>20)
	}
	return data, nil
}

func fetch(ctx context.Context, client *http.Client, location string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, application/yaml;q=0.9, */*;q=0.5")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", location, resp.Status)
	}
	return readAll(resp.Body)
}

var (
	bareNumber     = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	yamlVersionKey = regexp.MustCompile(`^["']?(openapi|swagger)["']?\s*:\s*["']?([^"'\s#]*)`)
	errNotOpenAPI  = errors.New(`not an OpenAPI document: no "openapi" or "swagger" field at the top level`)
)

// probe finds the top-level "openapi" or "swagger" field without parsing
// the whole document: a 13 MB description should not be parsed twice.
func probe(data []byte) (kind, version string, err error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return "", "", errors.New("empty document")
	}
	if trimmed[0] == '{' {
		if kind, version, err := probeJSON(trimmed); err == nil {
			return kind, version, nil
		} else if !errors.Is(err, errNotOpenAPI) {
			// Maybe YAML flow style; fall through to the YAML parser.
			return probeYAMLFull(trimmed, err)
		}
		return "", "", errNotOpenAPI
	}
	sc := bufio.NewScanner(bytes.NewReader(trimmed))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		m := yamlVersionKey.FindSubmatch(sc.Bytes())
		if m != nil && len(m[2]) > 0 {
			if bareNumber.Match(m[2]) && !bytes.ContainsAny(sc.Bytes(), `"'`) {
				return "", "", fmt.Errorf("%q field is %s (a number): quote it, e.g. %s: \"%s\"", m[1], m[2], m[1], m[2])
			}
			return string(m[1]), string(m[2]), nil
		}
	}
	return probeYAMLFull(trimmed, nil)
}

func probeJSON(data []byte) (string, string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return "", "", err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", "", err
		}
		key, _ := tok.(string)
		if key == "openapi" || key == "swagger" {
			var v any
			if err := dec.Decode(&v); err != nil {
				return "", "", err
			}
			s, ok := v.(string)
			if !ok {
				return "", "", fmt.Errorf("%q field is %T, want a string such as \"3.0.3\"", key, v)
			}
			return key, s, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", "", err
		}
	}
	return "", "", errNotOpenAPI
}

// probeYAMLFull parses the document as YAML to find the version field, and
// reports YAML syntax errors with their line.
func probeYAMLFull(data []byte, jsonErr error) (string, string, error) {
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		if jsonErr != nil {
			return "", "", fmt.Errorf("invalid JSON: %w", jsonErr)
		}
		return "", "", fmt.Errorf("invalid YAML: %w", err)
	}
	for _, k := range []string{"openapi", "swagger"} {
		if v, ok := top[k]; ok {
			s := fmt.Sprint(v)
			if _, isStr := v.(string); !isStr {
				return "", "", fmt.Errorf("%q field is %v (a number): quote it, e.g. %s: \"%s\"", k, v, k, s)
			}
			return k, s, nil
		}
	}
	return "", "", errNotOpenAPI
}

// kinError turns a kin-openapi load error into a spec error, calling
// syntax errors what they are rather than "failed to unmarshal".
func kinError(location string, err error) error {
	msg := err.Error()
	for _, marker := range []string{"failed to unmarshal data: ", "failed to unmarshal"} {
		if i := strings.Index(msg, marker); i >= 0 {
			rest := strings.TrimPrefix(strings.TrimSpace(msg[i+len(marker):]), ":")
			rest = strings.TrimPrefix(strings.TrimSpace(rest), "yaml error: ")
			rest = strings.TrimPrefix(rest, "yaml: ")
			return &Error{Location: location, Op: "parse", Err: errors.New(strings.TrimSpace(rest))}
		}
	}
	return &Error{Location: location, Op: "resolve", Err: err}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 400
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
