package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"github.com/smoke-dev/smoke/internal/junit"
	"testing"

	"github.com/smoke-dev/smoke/runner"
)

// FuzzWriteRun checks that whatever a server puts into a failure message
// (it may echo any bytes), the JUnit report stays well-formed XML and the
// JSON report valid JSON.
func FuzzWriteRun(f *testing.F) {
	for _, s := range []string{"plain", "a]]>b", "<x>&amp;", "\x00\x01\x1b[31m", "\xff\xfe", "line\nbreak|pipe", "é ✓"} {
		f.Add(s, "/pets/{id}")
	}
	f.Fuzz(func(t *testing.T, msg, path string) {
		results := []runner.Result{{
			CheckID: "c", Method: "GET", Path: path, OperationID: msg, Outcome: runner.Failed, StatusCode: 500,
			Failures: []runner.Failure{{Check: "not_server_error", Message: msg}},
		}}
		opts := RunOptions{Title: msg, Target: msg, Reproduce: map[string]string{"c": msg}}
		var x bytes.Buffer
		if err := WriteRunJUnit(&x, results, opts); err != nil {
			t.Fatal(err)
		}
		var doc junit.Suites
		if err := xml.Unmarshal(x.Bytes(), &doc); err != nil {
			t.Fatalf("JUnit for message %q does not parse: %v\n%s", msg, err, x.Bytes())
		}
		var j bytes.Buffer
		if err := WriteRunJSON(&j, results, opts); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(j.Bytes()) {
			t.Fatalf("JSON for message %q is not valid", msg)
		}
		for _, w := range []func(*bytes.Buffer) error{
			func(b *bytes.Buffer) error { return WriteRunText(b, results, opts) },
			func(b *bytes.Buffer) error { return WriteRunMarkdown(b, results, opts) },
		} {
			var b bytes.Buffer
			if err := w(&b); err != nil {
				t.Fatal(err)
			}
		}
	})
}
