package diff

import (
	"github.com/smoke-dev/smoke/generator"
	"net/http"
	"testing"
)

// FuzzNormalise feeds arbitrary bodies through normalisation: it never
// panics, and a sample compared with itself never differs.
func FuzzNormalise(f *testing.F) {
	f.Add([]byte(`{"a":[1,2.50,{"b":null}],"c":"d"}`), "application/json", "")
	f.Add([]byte(`[1e400, -0, 123456789012345678901234567890]`), "application/json", "")
	f.Add([]byte(`{"a":1} trailing`), "", "")
	f.Add([]byte("plain text\n"), "text/plain; charset=utf-8", "")
	f.Add([]byte{0x1f, 0x8b, 0, 0}, "application/json", "gzip")
	f.Add([]byte{0xff, 0xfe, 0}, "application/octet-stream", "deflate")
	f.Add([]byte(`{"a":{"a":{"a":[[[[]]]]}}}`), "application/vnd.api+json", "identity")
	f.Fuzz(func(t *testing.T, raw []byte, contentType, encoding string) {
		h := http.Header{}
		h.Set("Content-Type", contentType)
		h.Set("Content-Encoding", encoding)
		n := normalised{status: 200, headers: normaliseHeaders(h, nil), body: normaliseBody(h, raw, false)}
		if ds := compareSamples(n, n, map[string]string{"*": "id"}); len(ds) != 0 {
			t.Errorf("compareSamples(x, x) = %d differences, want none; first %+v", len(ds), ds[0])
		}
		if n.body.kind == bodyJSON {
			if got := canonical(n.body.value); got != canonical(n.body.value) {
				t.Errorf("canonical is not deterministic: %q", got)
			}
		}
	})
}

// FuzzCompareJSON compares arbitrary JSON pairs: no panics, diff(a, a)
// is empty, and a and b differ exactly when their canonical forms do.
func FuzzCompareJSON(f *testing.F) {
	f.Add(`{"a":1}`, `{"a":1.0}`)
	f.Add(`{"a":[1,2]}`, `{"a":[2,1]}`)
	f.Add(`[{"id":1},{"id":1}]`, `[{"id":1}]`)
	f.Add(`{"x":"2024-01-01T00:00:00Z"}`, `{"x":null}`)
	f.Add(`0.1`, `0.10000000000000001`)
	f.Fuzz(func(t *testing.T, a, b string) {
		va, errA := decodeJSON([]byte(a))
		vb, errB := decodeJSON([]byte(b))
		if errA != nil || errB != nil {
			return
		}
		for _, keys := range []map[string]string{nil, {"*": "id"}} {
			c := comparer{keys: keys}
			c.value(nil, va, va, nil)
			if len(c.diffs) != 0 {
				t.Fatalf("compare(a, a) = %+v, want no differences (a = %s)", c.diffs, a)
			}
		}
		c := comparer{}
		c.value(nil, va, vb, nil)
		if differ := canonical(va) != canonical(vb); differ != (len(c.diffs) > 0) {
			t.Errorf("compare(%s, %s) found %d differences, canonical forms differ: %v", a, b, len(c.diffs), differ)
		}
	})
}

// FuzzPointer checks that the pointers and templates diff builds parse
// back to their tokens (generator's FuzzPointer checks the round trip).
func FuzzPointer(f *testing.F) {
	f.Add("/a/b", "x")
	f.Add("/a~1b/c~0d", "~")
	f.Add("", "/")
	f.Fuzz(func(t *testing.T, p, token string) {
		built := jpath(nil).key(token).elem(3).key(token)
		back, err := generator.SplitPointer(built.Pointer())
		if err != nil || len(back) != 3 || back[0] != token || back[1] != "3" || back[2] != token {
			t.Errorf("generator.SplitPointer(%q) = %q, %v; want [%q 3 %q]", built.Pointer(), back, err, token, token)
		}
		if _, err := generator.SplitPointer(built.Template()); err != nil {
			t.Errorf("generator.SplitPointer(template %q): %v", built.Template(), err)
		}
	})
}
