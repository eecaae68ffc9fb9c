package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// fuzzSecretMark begins every secret of FuzzReportsSecretsAndText. Nothing
// else in a report holds "§": where it shows, in any encoding, a secret
// (or part of one) leaked.
const fuzzSecretMark = "§Zq9"

// fuzzSecretTraces are the forms "§" takes in the encodings a report
// uses: raw, URL-encoded, JSON and Go escapes.
var fuzzSecretTraces = []string{"§", "%C2%A7", "%c2%a7", `\u00a7`, `\u00A7`, `\xc2\xa7`}

// fuzzTransport answers every request without a network: a body that
// echoes the secret (raw, URL-encoded, JSON-escaped, as a key, across the
// 120-byte excerpt cut) and the untrusted text, different per host so
// that diff reports differences, with status 500 on OLD.
type fuzzTransport struct {
	secret, text string
}

func (f fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	side := r.URL.Host
	body, _ := json.Marshal(map[string]any{ // strings always marshal
		"id":                                     f.secret + side,
		"pad":                                    strings.Repeat("p", 100) + f.secret + f.text,
		"query":                                  r.URL.RawQuery,
		f.secret:                                 side,
		f.text:                                   f.text + side,
		"n" + f.text:                             1,
		url.QueryEscape(f.secret) + "/" + f.text: side,
	})
	status := http.StatusOK
	if side == "old.test" {
		status = http.StatusInternalServerError
	}
	return &http.Response{
		StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}, "X-Echo": {url.QueryEscape(f.secret)}},
		Body:    io.NopCloser(bytes.NewReader(append(body, f.text...))),
		Request: r, ContentLength: -1,
	}, nil
}

// FuzzReportsSecretsAndText drives runner, diff and every renderer with a
// secret the service echoes in many encodings and with text (the spec's
// and the service's) full of control characters and markup, and checks:
// the secret never appears, in any format, not even in part; the text
// output holds no byte a terminal acts on; JSON is valid; JUnit parses as
// XML; the HTML holds only smoke's elements; Markdown tables keep their
// cells, code blocks close, and no heading comes from the text.
func FuzzReportsSecretsAndText(f *testing.F) {
	for _, s := range [][2]string{
		{"QKEY+SECRET/222==", "plain"},
		{`tok"en\x`, "\x1b]0;owned\x07"},
		{"user:pass", "\n\n## Injected [link](https://evil.test)"},
		{"a b\nc", "```\n# out\n```|pipe|"},
		{"\x00\xff", "<img src=x onerror=alert(1)>\r\u202e"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, tail, text string) {
		secret := fuzzSecretMark + tail
		if strings.Contains(tail, "*") || strings.Contains(text, "*") {
			t.Skip() // the mask is made of asterisks
		}
		for _, tr := range append(fuzzSecretTraces, "Zq9") {
			if strings.Contains(text, tr) {
				t.Skip()
			}
		}
		check := generator.Check{ID: "c1", Method: "GET", Path: "/items/" + text, OperationID: text, Safe: true,
			Request: generator.Request{URL: "/items?k=" + url.QueryEscape(secret),
				Query: []generator.Param{{Name: "k", Value: secret, Source: generator.SourceSecret, Secret: true}}},
			Expect: generator.Expect{Status: []string{"200"}, Responses: []generator.Response{{Status: "200"}}}}
		r, err := runner.New(runner.Options{BaseURL: "http://old.test", Transport: fuzzTransport{secret, text}})
		if err != nil {
			t.Fatal(err)
		}
		results, err := r.Run(t.Context(), []generator.Check{check})
		if err != nil {
			t.Fatal(err)
		}
		ropts := RunOptions{Title: text, Target: "http://old.test", Incomplete: text,
			Reproduce: map[string]string{"c1": r.Curl("", check)}}
		rep, err := diff.Run(t.Context(), []generator.Check{check}, "http://old.test", "http://new.test",
			diff.Options{Send: r.Send, Evaluate: r.Evaluate, Rounds: 1, Secrets: r.Secrets()})
		if err != nil {
			t.Fatal(err)
		}
		rep.Warnings = append(rep.Warnings, text)
		dopts := DiffOptions{Title: text, Incomplete: text}

		outputs := map[string]string{}
		render := func(name string, w func(*bytes.Buffer) error) {
			var b bytes.Buffer
			if err := w(&b); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			outputs[name] = b.String()
		}
		render("run text", func(b *bytes.Buffer) error { return WriteRunText(b, results, ropts) })
		render("run json", func(b *bytes.Buffer) error { return WriteRunJSON(b, results, ropts) })
		render("run junit", func(b *bytes.Buffer) error { return WriteRunJUnit(b, results, ropts) })
		render("run markdown", func(b *bytes.Buffer) error { return WriteRunMarkdown(b, results, ropts) })
		for _, format := range DiffFormats {
			render("diff "+format, func(b *bytes.Buffer) error { return WriteDiff(b, format, rep, dopts) })
		}

		// Not vacuous: the secret reached the reports, masked, and diff
		// found the sides different.
		if !strings.Contains(outputs["run json"], generator.Mask) || len(rep.Operations) != 1 || len(rep.Operations[0].Differences) == 0 {
			t.Fatalf("nothing to check: run json has no mask or diff no difference:\n%s\n%s", outputs["run json"], outputs["diff json"])
		}
		for name, out := range outputs {
			for _, tr := range append(fuzzSecretTraces, "Zq9") {
				if strings.Contains(out, tr) {
					t.Fatalf("%s shows %q of secret %q:\n%s", name, tr, secret, out)
				}
			}
		}
		fuzzCheckTerminal(t, "run text", outputs["run text"])
		fuzzCheckTerminal(t, "diff text", outputs["diff text"])
		for _, name := range []string{"run json", "diff json"} {
			if !json.Valid([]byte(outputs[name])) {
				t.Fatalf("%s is not valid JSON:\n%s", name, outputs[name])
			}
		}
		d := xml.NewDecoder(strings.NewReader(outputs["run junit"]))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("run junit does not parse: %v\n%s", err, outputs["run junit"])
			}
		}
		fuzzCheckHTML(t, outputs["diff html"])
		fuzzCheckMarkdown(t, "run markdown", outputs["run markdown"])
		fuzzCheckMarkdown(t, "diff markdown", outputs["diff markdown"])
	})
}

// fuzzCheckTerminal fails on any byte a terminal acts on: a control
// character but the line feed, a C1 control, a bidirectional control.
func fuzzCheckTerminal(t *testing.T, name, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s is not UTF-8: %q", name, out)
	}
	for _, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || unsafeRune(r) {
			t.Fatalf("%s holds %U:\n%q", name, r, out)
		}
	}
}

// fuzzCheckHTML fails on an element or attribute smoke's template does
// not write.
func fuzzCheckHTML(t *testing.T, out string) {
	t.Helper()
	tags := []string{"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "br", "code", "div", "b",
		"span", "nav", "a", "section", "header", "details", "summary", "pre", "table", "tr", "th", "td"}
	attrs := []string{"lang", "charset", "name", "content", "class", "id", "href"}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("diff html: %v", z.Err())
			}
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !slices.Contains(tags, tok.Data) {
				t.Fatalf("diff html has a <%s> element:\n%s", tok.Data, out)
			}
			for _, a := range tok.Attr {
				if !slices.Contains(attrs, a.Key) || (a.Key == "href" && !strings.HasPrefix(a.Val, "#")) {
					t.Fatalf("diff html <%s> has %s=%q:\n%s", tok.Data, a.Key, a.Val, out)
				}
			}
		}
	}
}

var fuzzFence = regexp.MustCompile("^(`{3,})[a-z]*$")

// fuzzCheckMarkdown fails when a table row has more or fewer cells than
// its header, a code block does not close after its one line, or a line
// starts a heading smoke did not write.
func fuzzCheckMarkdown(t *testing.T, name, out string) {
	t.Helper()
	fuzzCheckTerminal(t, name, out)
	lines := strings.Split(out, "\n")
	header := -1
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := fuzzFence.FindStringSubmatch(l); m != nil {
			if i+2 >= len(lines) || lines[i+2] != m[1] {
				t.Fatalf("%s: code block at line %d does not close after one line:\n%s", name, i+1, out)
			}
			i += 2
			continue
		}
		if strings.HasPrefix(l, "|") {
			cells := 0
			for j := 0; j < len(l); j++ {
				switch l[j] {
				case '\\':
					j++
				case '|':
					cells++
				}
			}
			if header < 0 {
				header = cells
			} else if cells != header {
				t.Fatalf("%s: row at line %d has %d pipes, header %d:\n%s", name, i+1, cells, header, out)
			}
		} else {
			header = -1
		}
		if strings.HasPrefix(l, "#") && (!strings.HasPrefix(l, "###") || (strings.HasPrefix(l, "### ") && i > 0)) {
			t.Fatalf("%s: line %d is a heading smoke did not write:\n%s", name, i+1, out)
		}
	}
}
