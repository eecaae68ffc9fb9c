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
// URLs.
type Options struct {
	// Strict turns validation warnings into a load error.
	Strict bool
	// Stdin is read when the location is "-".
	Stdin io.Reader
	// HTTPClient fetches http(s) locations and their external $refs.
	// Nil means a client with a 30 s timeout.
	HTTPClient *http.Client
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
// path, an http(s) URL, or stdin ("-"), resolves every $ref (external
// relative ones included) and validates it leniently.
func Load(ctx context.Context, location string, opts Options) (*Document, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	data, base, err := read(ctx, location, opts)
	if err != nil {
		return nil, &Error{Location: location, Op: "read", Err: err}
	}
	kind, version, err := probe(data)
	if err != nil {
		return nil, &Error{Location: location, Op: "parse", Err: err}
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.Context = ctx
	if base != nil && (base.Scheme == "http" || base.Scheme == "https") {
		client := httpClient(opts)
		loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
			if u.Scheme == "" {
				u = base.ResolveReference(u)
			}
			if u.Scheme != "http" && u.Scheme != "https" {
				return nil, fmt.Errorf("external $ref %q: only http(s) refs are followed from a spec loaded over http", u)
			}
			return fetch(ctx, client, u.String())
		}
	}

	doc := &Document{Location: location, Version: version}
	switch kind {
	case "swagger":
		if !strings.HasPrefix(version, "2") {
			return nil, &Error{Location: location, Op: "parse", Err: fmt.Errorf("unsupported swagger version %q (want 2.0)", version)}
		}
		var d2 openapi2.T
		if err := openapi2.UnmarshalFromData(data, &d2); err != nil {
			return nil, kinError(location, err)
		}
		doc.Warnings = append(doc.Warnings, swagger2Warnings(&d2)...)
		t, err := openapi2conv.ToV3WithLoader(&d2, loader, base)
		if err != nil {
			return nil, &Error{Location: location, Op: "convert", Err: err}
		}
		doc.T = t
	default:
		if !strings.HasPrefix(version, "3.") {
			return nil, &Error{Location: location, Op: "parse", Err: fmt.Errorf("unsupported openapi version %q (want 3.0 or 3.1)", version)}
		}
		t, err := loader.LoadFromDataWithPath(data, base)
		if err != nil {
			return nil, kinError(location, err)
		}
		doc.T = t
	}
	if doc.T.Paths == nil {
		doc.T.Paths = openapi3.NewPaths()
	}
	if err := checkRefs(doc.T); err != nil {
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

func httpClient(opts Options) *http.Client {
	if opts.HTTPClient != nil {
		return opts.HTTPClient
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// read returns the document bytes and the base location external refs are
// resolved against (nil for stdin).
func read(ctx context.Context, location string, opts Options) ([]byte, *url.URL, error) {
	switch {
	case location == "":
		return nil, nil, errors.New("no spec given (use --spec PATH|URL|-)")
	case location == "-":
		if opts.Stdin == nil {
			return nil, nil, errors.New("no standard input")
		}
		data, err := readAll(opts.Stdin)
		if err != nil {
			return nil, nil, err
		}
		wd, _ := os.Getwd() // relative $refs from stdin resolve against the working directory
		return data, &url.URL{Path: wd + "/"}, nil
	case strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://"):
		u, err := url.Parse(location)
		if err != nil {
			return nil, nil, err
		}
		data, err := fetch(ctx, httpClient(opts), location)
		return data, u, err
	default:
		path := strings.TrimPrefix(location, "file://")
		f, err := os.Open(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				return nil, nil, pe.Err
			}
			return nil, nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, nil, errors.New("is a directory")
		}
		data, err := readAll(f)
		if err != nil {
			return nil, nil, err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, nil, err
		}
		return data, &url.URL{Path: filepath.ToSlash(abs)}, nil
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
