package hostile

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// injectEvil is text an attacker controls, in the spec or in a service's
// answers: a terminal escape that retitles the window and rings the bell,
// a blank line and a heading with a link (a Markdown table ends there),
// a pipe (a table cell ends there), three backticks (a code block ends
// there), raw HTML, a carriage return and a right-to-left override.
const (
	injectOSC     = "\x1b]0;owned\x07"
	injectHeading = "\n\n## Injected [link](https://evil.test)"
	injectFence   = "```\n# fenced-out\n```"
	injectHTML    = "<img src=x onerror=alert(1)>"
)

// injectSpec is an OpenAPI document whose title, paths and operationIds
// carry the attacks; JSON can hold the control characters YAML cannot.
func injectSpec(t *testing.T) string {
	t.Helper()
	item := func(method, opID string, body bool) map[string]any {
		op := map[string]any{
			"operationId": opID,
			"responses": map[string]any{"200": map[string]any{"description": "ok",
				"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
					"type": "object", "properties": map[string]any{"n": map[string]any{"type": "integer"}}}}}}},
		}
		if body {
			op["requestBody"] = map[string]any{"content": map[string]any{"text/plain": map[string]any{
				"schema": map[string]any{"type": "string"}, "example": injectFence + injectOSC}}}
		}
		return map[string]any{method: op}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Evil " + injectOSC + injectHeading + " \u202eAPI\r", "version": "1" + injectOSC},
		"paths": map[string]any{
			"/evil" + injectOSC + "|pipe": item("get", "op"+injectHeading+"|"+injectHTML, false),
			"/fence" + injectOSC:          item("post", "fence"+injectOSC, true),
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// injectServer answers every request with JSON whose keys and values are
// the attacks, different on OLD and NEW so diff reports them, and with an
// integer that is not one where the schema wants it, so run reports them.
func injectServer(side string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		body, _ := json.Marshal(map[string]any{ // strings and numbers always marshal
			"n":                   injectOSC + side,
			injectOSC:             side,
			injectHeading:         side + injectHeading,
			"pipe|key":            side + "|" + injectHTML,
			"tick```":             injectFence + side,
			"only-" + side + "\r": 1,
		})
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}

// TestInject runs every command that renders the spec's or a service's
// text, in every format, and asserts that the text is neutralised for its
// medium: nothing drives a terminal, nothing breaks a Markdown table or
// code block or adds a heading or a link, HTML and XML stay well-formed
// with no element the attacker chose.
func TestInject(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "spec.json", injectSpec(t))
	old, new := httptest.NewServer(injectServer("old")), httptest.NewServer(injectServer("new"))
	defer old.Close()
	defer new.Close()

	run := func(t *testing.T, wantCode int, args ...string) result {
		t.Helper()
		res := smoke(t, invocation{dir: dir, args: append([]string{"--spec", "spec.json"}, args...)})
		if res.code != wantCode {
			t.Fatalf("smoke %s: exit code %d, want %d\n%s", strings.Join(args, " "), res.code, wantCode, res.stderr)
		}
		injectCheckTerminal(t, "stderr", res.stderr)
		return res
	}
	for _, format := range []string{"text", "json"} {
		t.Run("plan/"+format, func(t *testing.T) {
			res := run(t, 0, "plan", "--format", format)
			if format == "text" {
				injectCheckTerminal(t, "plan", res.stdout)
			} else {
				injectCheckJSON(t, res.stdout)
			}
		})
	}
	for _, format := range []string{"text", "json", "junit", "markdown"} {
		t.Run("run/"+format, func(t *testing.T) {
			res := run(t, 1, "run", "--base-url", old.URL, "--format", format)
			injectCheckFormat(t, format, res.stdout)
		})
	}
	for _, format := range []string{"text", "json", "markdown", "html"} {
		t.Run("diff/"+format, func(t *testing.T) {
			res := run(t, 1, "diff", "--old", old.URL, "--new", new.URL, "--rounds", "1", "--format", format)
			injectCheckFormat(t, format, res.stdout)
		})
	}
}

func injectCheckFormat(t *testing.T, format, out string) {
	t.Helper()
	switch format {
	case "text":
		injectCheckTerminal(t, "report", out)
	case "json":
		injectCheckJSON(t, out)
	case "junit":
		injectCheckXML(t, out)
	case "markdown":
		injectCheckMarkdown(t, out)
	case "html":
		injectCheckHTML(t, out)
	}
	if !strings.Contains(out, "owned") {
		t.Errorf("%s output never shows the attacker's text: the test proves nothing\n%s", format, out)
	}
}

// injectCheckTerminal asserts that out holds no byte a terminal acts on:
// no control character but the line feed, no C1 control, no
// bidirectional override, only UTF-8.
func injectCheckTerminal(t *testing.T, what, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s is not UTF-8:\n%q", what, out)
	}
	for i, r := range out {
		bad := (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
		if bad {
			t.Errorf("%s holds %U at byte %d: %q", what, r, i, out[max(0, i-40):min(len(out), i+40)])
			return
		}
	}
}

func injectCheckJSON(t *testing.T, out string) {
	t.Helper()
	if !json.Valid([]byte(out)) {
		t.Errorf("JSON output is not valid:\n%s", out)
	}
}

func injectCheckXML(t *testing.T, out string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(out))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Errorf("JUnit does not parse: %v\n%s", err, out)
			return
		}
	}
}

// injectCodeSpan matches a Markdown code span: a run of backticks, text,
// the same run.
var injectCodeSpan = regexp.MustCompile("(`+)")

// stripCodeSpans removes the code spans of a line: what they hold is
// shown literally.
func stripCodeSpans(line string) string {
	var b strings.Builder
	for {
		loc := injectCodeSpan.FindStringIndex(line)
		if loc == nil {
			b.WriteString(line)
			return b.String()
		}
		fence := line[loc[0]:loc[1]]
		rest := line[loc[1]:]
		end := -1
		for i := 0; i+len(fence) <= len(rest); i++ {
			if rest[i:i+len(fence)] == fence && (i+len(fence) == len(rest) || rest[i+len(fence)] != '`') && (i == 0 || rest[i-1] != '`') {
				end = i
				break
			}
		}
		b.WriteString(line[:loc[0]])
		if end < 0 {
			b.WriteString(fence) // no closing run: literal backticks
			line = rest
			continue
		}
		line = rest[end+len(fence):]
	}
}

// tableCells counts the cells of a table row: pipes not escaped by a
// backslash, less the leading and trailing ones.
func tableCells(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}

// injectCheckMarkdown asserts that a Markdown report keeps its shape: code
// blocks close where they should and hold one line, every table row has
// the cells of its header, the only headings are smoke's, and no link
// or raw HTML comes from the attacker's text.
func injectCheckMarkdown(t *testing.T, out string) {
	t.Helper()
	injectCheckTerminal(t, "markdown", out)
	lines := strings.Split(out, "\n")
	fenceRE := regexp.MustCompile("^(`{3,})[a-z]*$")
	header := -1
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := fenceRE.FindStringSubmatch(l); m != nil {
			if i+2 >= len(lines) || lines[i+2] != m[1] {
				t.Errorf("code block opened at line %d does not close after one line:\n%s", i+1, strings.Join(lines[i:min(len(lines), i+4)], "\n"))
			}
			i += 2
			continue
		}
		if strings.HasPrefix(l, "|") {
			if header < 0 {
				header = tableCells(l)
			} else if got := tableCells(l); got != header {
				t.Errorf("table row at line %d has %d cells, header has %d:\n%s", i+1, got, header, l)
			}
		} else {
			header = -1
		}
		if strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "### ") && !strings.HasPrefix(l, "#### ") {
			t.Errorf("line %d is a heading smoke did not write:\n%s", i+1, l)
		}
		if strings.HasPrefix(l, "### ") && i > 0 {
			t.Errorf("line %d is a second title:\n%s", i+1, l)
		}
		text := stripCodeSpans(l)
		if strings.Contains(strings.ReplaceAll(text, `\]`, ""), "](") {
			t.Errorf("line %d has a link outside code:\n%s", i+1, l)
		}
		if strings.Contains(text, "<img") || strings.Contains(text, "<script") {
			t.Errorf("line %d has raw HTML from the service:\n%s", i+1, l)
		}
	}
}

// injectCheckHTML asserts that the HTML report holds only the elements
// and attributes smoke's template writes.
func injectCheckHTML(t *testing.T, out string) {
	t.Helper()
	allowedTags := []string{"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "br", "code", "div", "b",
		"span", "nav", "a", "section", "header", "details", "summary", "pre", "table", "tr", "th", "td"}
	allowedAttrs := []string{"lang", "charset", "name", "content", "class", "id", "href"}
	z := html.NewTokenizer(bytes.NewReader([]byte(out)))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Errorf("HTML does not tokenize: %v", z.Err())
			}
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !slices.Contains(allowedTags, tok.Data) {
				t.Errorf("HTML has a <%s> element smoke does not write", tok.Data)
			}
			for _, a := range tok.Attr {
				if !slices.Contains(allowedAttrs, a.Key) || (a.Key == "href" && !strings.HasPrefix(a.Val, "#")) {
					t.Errorf("HTML <%s> has attribute %s=%q smoke does not write", tok.Data, a.Key, a.Val)
				}
			}
		}
	}
}
