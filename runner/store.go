package runner

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/smoke-dev/smoke/generator"
)

// store holds, for one target, the exchanges of the checks whose values
// others take: what was sent and what came back. diff keeps one per side.
type store struct {
	mu      sync.Mutex
	entries map[string]*entry // check ID → its exchange
}

func newStore() *store { return &store{entries: map[string]*entry{}} }

// entry is one producer's exchange.
type entry struct {
	// sent is the check as it was sent, bound values applied.
	sent generator.Check
	resp *Response
	// exercised is true when the answer was a documented success: only
	// then do its values flow to consumers.
	exercised bool
	// created is true when the exchange made or named a resource of this
	// run: an exercised write, or a read whose own bound values came from
	// one. Only such values reach a write (DESIGN.md, "Chains", safety).
	created bool

	once    sync.Once
	body    any // the decoded response body
	bodyErr error
	reqOnce sync.Once
	reqBody any
	reqErr  error
}

func (s *store) put(id string, e *entry) {
	s.mu.Lock()
	s.entries[id] = e
	s.mu.Unlock()
}

func (s *store) get(id string) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries[id]
}

// responseBody decodes the answer's body once.
func (e *entry) responseBody() (any, error) {
	e.once.Do(func() {
		if e.resp == nil || len(e.resp.Body) == 0 {
			e.bodyErr = fmt.Errorf("the answer had no body")
			return
		}
		e.body, e.bodyErr = generator.DecodeJSON(e.resp.Body)
		if e.bodyErr != nil {
			e.bodyErr = fmt.Errorf("the answer is not JSON")
		}
	})
	return e.body, e.bodyErr
}

// requestBody decodes the body that was sent, once.
func (e *entry) requestBody() (any, error) {
	e.reqOnce.Do(func() {
		b := e.sent.Request.Body
		switch {
		case b == nil || b.Text == "":
			e.reqErr = fmt.Errorf("it sent no body")
		case strings.HasPrefix(generator.MediaType(b.ContentType), "application/x-www-form-urlencoded"):
			vals, err := url.ParseQuery(b.Text)
			if err != nil {
				e.reqErr = fmt.Errorf("its form body does not parse")
				return
			}
			m := map[string]any{}
			for k := range vals {
				m[k] = vals.Get(k)
			}
			e.reqBody = m
		default:
			v, err := generator.DecodeJSON([]byte(b.Text))
			if err != nil {
				e.reqErr = fmt.Errorf("it sent no JSON body")
				return
			}
			e.reqBody = v
		}
	})
	return e.reqBody, e.reqErr
}

// eval evaluates a binding's runtime expression on the producer's
// exchange, for consumer c. The error says, for the result's note, what
// the producer did not give.
func (e *entry) eval(b generator.Binding, c generator.Check) (any, error) {
	x, err := generator.ParseExpr(b.From)
	if err != nil {
		return nil, err
	}
	var v any
	switch {
	case x.Source == "response" && x.Part == "body":
		doc, err := e.responseBody()
		if err != nil {
			return nil, err
		}
		val, ok := generator.Lookup(doc, x.Pointer)
		if !ok {
			return nil, fmt.Errorf("its answer has no %s", pointerName(x.Pointer))
		}
		v = val
	case x.Source == "response" && x.Part == "header":
		h := ""
		if e.resp != nil {
			h = e.resp.Header.Get(x.Name)
		}
		if h == "" {
			return nil, fmt.Errorf("its answer has no %s header", x.Name)
		}
		v = h
		if strings.EqualFold(x.Name, "Location") && b.In == generator.InPath {
			// A Location names the resource: the parameter is the
			// segment the consumer's template puts it in.
			id, ok := generator.PathValue(c.Path, b.Name, h)
			if !ok {
				return nil, fmt.Errorf("its Location %q does not name a %s", h, c.Path)
			}
			v = id
		}
	case x.Part == "body":
		doc, err := e.requestBody()
		if err != nil {
			return nil, err
		}
		val, ok := generator.Lookup(doc, x.Pointer)
		if !ok {
			return nil, fmt.Errorf("its request has no %s", pointerName(x.Pointer))
		}
		v = val
	default:
		val, ok := requestValue(e.sent, x)
		if !ok {
			return nil, fmt.Errorf("its request has no %s %s", x.Part, x.Name)
		}
		v = val
	}
	if _, ok := generator.Scalar(v); !ok {
		return nil, fmt.Errorf("%s is %s, not a value", exprName(x), kindOf(v))
	}
	if s, _ := generator.Scalar(v); s == "" {
		return nil, fmt.Errorf("%s is empty", exprName(x))
	}
	return v, nil
}

func requestValue(c generator.Check, x generator.Expr) (string, bool) {
	var list []generator.Param
	switch x.Part {
	case "path":
		list = c.Request.Path
	case "query":
		list = c.Request.Query
	case "header":
		if p, ok := c.Request.Header(x.Name); ok {
			return p.Value, true
		}
		return "", false
	}
	for _, p := range list {
		if p.Name == x.Name {
			return p.Value, true
		}
	}
	return "", false
}

func pointerName(p string) string {
	if p == "" {
		return "body"
	}
	return p
}

func exprName(x generator.Expr) string {
	if x.Part == "body" {
		return pointerName(x.Pointer)
	}
	return x.Part + " " + x.Name
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return "a value"
}
