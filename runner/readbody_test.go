package runner

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestReadBodyDecodes checks that every encoding readBody decodes is
// bounded after decoding, that a decoded body loses Content-Encoding
// (nothing downstream may decode it again), and that what it does not
// decode is read as it came, within the limit.
func TestReadBodyDecodes(t *testing.T) {
	const limit = 64 << 10
	plain := `{"pets":["rex","tom"]}`
	bomb := strings.Repeat("a", 4<<20) // 4 MiB, compresses to a few KiB
	encode := func(enc, s string) []byte {
		var b bytes.Buffer
		var w io.WriteCloser
		switch enc {
		case "gzip":
			w = gzip.NewWriter(&b)
		case "zlib":
			w = zlib.NewWriter(&b)
		case "raw":
			w, _ = flate.NewWriter(&b, flate.BestCompression) // a valid level cannot fail
		}
		if _, err := io.WriteString(w, s); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	tests := []struct {
		name, header  string
		raw           []byte
		want          string
		wantTruncated bool
		wantHeader    string // Content-Encoding left on the response
	}{
		{name: "gzip", header: "gzip", raw: encode("gzip", plain), want: plain},
		{name: "x-gzip", header: "X-Gzip", raw: encode("gzip", plain), want: plain},
		{name: "deflate (zlib)", header: "deflate", raw: encode("zlib", plain), want: plain},
		{name: "deflate (raw)", header: "deflate", raw: encode("raw", plain), want: plain},
		{name: "gzip bomb", header: "gzip", raw: encode("gzip", bomb), want: bomb[:limit], wantTruncated: true},
		{name: "zlib bomb", header: "deflate", raw: encode("zlib", bomb), want: bomb[:limit], wantTruncated: true},
		{name: "raw deflate bomb", header: "deflate", raw: encode("raw", bomb), want: bomb[:limit], wantTruncated: true},
		{name: "empty body naming an encoding", header: "gzip", raw: nil, want: "", wantHeader: "gzip"},
		{name: "br is not decoded", header: "br", raw: []byte("\x0b\x02\x80hello\x03"), want: "\x0b\x02\x80hello\x03", wantHeader: "br"},
		{name: "identity", header: "identity", raw: []byte(plain), want: plain, wantHeader: "identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{
				Header:        http.Header{"Content-Encoding": {tt.header}, "Content-Length": {"1"}},
				Body:          io.NopCloser(bytes.NewReader(tt.raw)),
				ContentLength: int64(len(tt.raw)),
			}
			got, truncated, err := readBody(resp, limit)
			if err != nil {
				t.Fatalf("readBody: %v", err)
			}
			if string(got) != tt.want || truncated != tt.wantTruncated {
				t.Errorf("readBody = %d bytes (truncated %v), want %d bytes (truncated %v)", len(got), truncated, len(tt.want), tt.wantTruncated)
			}
			if h := resp.Header.Get("Content-Encoding"); h != tt.wantHeader {
				t.Errorf("Content-Encoding after readBody = %q, want %q", h, tt.wantHeader)
			}
		})
	}
	resp := &http.Response{Header: http.Header{"Content-Encoding": {"gzip"}}, Body: io.NopCloser(strings.NewReader("not gzip"))}
	if _, _, err := readBody(resp, limit); err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("readBody(broken gzip) error = %v, want one naming gzip", err)
	}
}
