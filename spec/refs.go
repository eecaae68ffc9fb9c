package spec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// RefError is an external $ref, or a redirect of the spec URL, that the
// reference rules refuse. Without Options.AllowExternalRefs:
//
//   - a spec read from a file resolves file $refs inside its own
//     directory tree only (symbolic links resolved), and no http(s) $refs;
//   - a spec read from an http(s) URL resolves $refs on its own origin
//     (scheme, host and port) only, and its redirects stay on that origin;
//   - a spec read from standard input resolves no external $refs at all.
//
// A spec loaded over http(s) never reads local files, even with
// AllowExternalRefs: a remote document must not pick files from the
// machine that reads it.
type RefError struct {
	// Ref is the reference as resolved: an absolute path or URL.
	Ref string
	// Rule says which rule refused it.
	Rule string
	// Redirect is set when a redirect, not a $ref, was refused.
	Redirect bool
}

func (e *RefError) Error() string {
	if e.Redirect {
		return fmt.Sprintf("redirect to %q refused: %s", e.Ref, e.Rule)
	}
	return fmt.Sprintf("$ref to %q refused: %s", e.Ref, e.Rule)
}

// source is where the root document came from.
type source int

const (
	sourceFile source = iota
	sourceURL
	sourceStdin
)

// refReader reads the external documents a spec refers to, by the rules
// of RefError, observing the load's context.
type refReader struct {
	ctx    context.Context
	src    source
	root   string   // sourceFile: the spec's directory, symlinks resolved
	origin *url.URL // sourceURL: the spec's URL
	allow  bool
	client *http.Client
	// version is the root document's openapi/swagger field, for
	// normalising referenced documents the same way.
	version string

	mu       sync.Mutex
	cache    map[string][]byte
	refused  *RefError // the first refusal, reported instead of kin's wrapping
	warnings []string
}

func newRefReader(ctx context.Context, src source, base *url.URL, version string, opts Options) (*refReader, error) {
	r := &refReader{ctx: ctx, src: src, allow: opts.AllowExternalRefs, version: version, cache: map[string][]byte{}}
	switch src {
	case sourceFile:
		dir, err := filepath.EvalSymlinks(filepath.Dir(filepath.FromSlash(base.Path)))
		if err != nil {
			return nil, err
		}
		r.root = dir
	case sourceURL:
		r.origin = base
		r.client = specClient(opts, base)
	}
	if src != sourceURL && r.allow {
		r.client = specClient(opts, nil)
	}
	return r, nil
}

// refuse records and returns a refusal.
func (r *refReader) refuse(ref, rule string) error {
	e := &RefError{Ref: ref, Rule: rule}
	r.mu.Lock()
	if r.refused == nil {
		r.refused = e
	}
	r.mu.Unlock()
	return e
}

// read is the loader's ReadFromURIFunc.
func (r *refReader) read(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	if r.src == sourceURL && u.Scheme == "" {
		u = r.origin.ResolveReference(u)
	}
	u = &url.URL{Scheme: u.Scheme, Opaque: u.Opaque, User: u.User, Host: u.Host, Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	key := u.String()
	r.mu.Lock()
	data, ok := r.cache[key]
	r.mu.Unlock()
	if ok {
		return data, nil
	}
	var err error
	switch u.Scheme {
	case "http", "https":
		data, err = r.readHTTP(u)
	case "", "file":
		data, err = r.readFile(u)
	default:
		return nil, r.refuse(key, fmt.Sprintf("the %q scheme is not supported (only files and http(s))", u.Scheme))
	}
	if err != nil {
		return nil, err
	}
	data, warnings, err := normalise(data, r.version, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	r.mu.Lock()
	r.cache[key] = data
	for _, w := range warnings {
		r.warnings = append(r.warnings, key+": "+w)
	}
	r.mu.Unlock()
	return data, nil
}

func (r *refReader) readHTTP(u *url.URL) ([]byte, error) {
	ref := u.String()
	switch {
	case r.src == sourceStdin && !r.allow:
		return nil, r.refuse(ref, "a spec read from standard input follows no external references")
	case r.src == sourceFile && !r.allow:
		return nil, r.refuse(ref, "a spec read from a file follows no http(s) references")
	case r.src == sourceURL && !r.allow && !sameOrigin(u, r.origin):
		return nil, r.refuse(ref, "not on the spec's origin "+originOf(r.origin))
	}
	data, err := fetch(r.ctx, r.client, ref)
	if re, ok := errors.AsType[*RefError](err); ok {
		return nil, r.refuse(re.Ref, re.Rule)
	}
	return data, err
}

func (r *refReader) readFile(u *url.URL) ([]byte, error) {
	p := filepath.Clean(filepath.FromSlash(u.Path))
	switch r.src {
	case sourceStdin:
		if !r.allow {
			return nil, r.refuse(p, "a spec read from standard input resolves no file references")
		}
	case sourceURL:
		return nil, r.refuse(p, "a spec loaded over http(s) never reads local files")
	case sourceFile:
		if !r.allow {
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return nil, unwrapPath(err)
			}
			if !within(r.root, real) {
				rule := "outside the spec's directory " + r.root
				if real != p {
					rule += " (through a symbolic link to " + real + ")"
				}
				return nil, r.refuse(p, rule)
			}
		}
	}
	return readFileCtx(r.ctx, p)
}

// within reports whether p is dir or below it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// sameOrigin compares scheme, host and port, the default port spelled or
// not.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

func originOf(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + u.Host
}

// specClient returns the client that fetches a spec and its references:
// Options.HTTPClient (or one with a 30 s timeout) whose redirects stay on
// origin's origin unless AllowExternalRefs. A nil origin allows any
// redirect (used only with AllowExternalRefs).
func specClient(opts Options, origin *url.URL) *http.Client {
	c := httpClient(opts)
	cp := *c
	next := c.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if origin != nil && !opts.AllowExternalRefs && !sameOrigin(req.URL, origin) {
			return &RefError{Ref: req.URL.String(), Rule: "it leaves the spec's origin " + originOf(origin), Redirect: true}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &cp
}

func unwrapPath(err error) error {
	if pe, ok := errors.AsType[*os.PathError](err); ok {
		return pe.Err
	}
	return err
}
