package ddemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A multistep API test (subtype multi) runs its steps in order, as a
// Datadog location does: each step's request with the {{ VAR }} of the
// test's local variables (rendered once, before the first step) and of
// the values earlier steps extracted, its assertions, then its
// extractedValues (a JSONPath on the body, or a header, raw or through a
// regular expression). A step that fails fails the test; the next steps
// still run when it allows failure.

type multiTest struct {
	Subtype string `json:"subtype"`
	Config  struct {
		ConfigVariables []configVariable `json:"configVariables"`
		Steps           []struct {
			Name            string      `json:"name"`
			Subtype         string      `json:"subtype"`
			AllowFailure    bool        `json:"allowFailure"`
			Request         request     `json:"request"`
			Assertions      []assertion `json:"assertions"`
			ExtractedValues []struct {
				Name   string `json:"name"`
				Type   string `json:"type"`
				Field  string `json:"field"`
				Parser struct {
					Type  string `json:"type"`
					Value string `json:"value"`
				} `json:"parser"`
			} `json:"extractedValues"`
		} `json:"steps"`
	} `json:"config"`
}

// runSteps runs a multistep test; its steps must all be on loopback. The
// test's config variables are rendered once, before the first step: every
// step sees the same values.
func runSteps(raw []byte, env *patternEnv) (outcome, reason string) {
	var t multiTest
	if err := json.Unmarshal(raw, &t); err != nil {
		return "failed", err.Error()
	}
	vars, err := localValues(t.Config.ConfigVariables, env)
	if err != nil {
		return "failed", err.Error()
	}
	outcome = "passed"
	for _, st := range t.Config.Steps {
		switch st.Subtype {
		case "", "http":
		case "wait":
			continue // nothing changes while the emulator waits
		default:
			return "failed", fmt.Sprintf("step %s: subtype %q is not emulated", st.Name, st.Subtype)
		}
		r := st.Request
		req, err := r.build(vars, env)
		if err != nil {
			return "failed", fmt.Sprintf("step %s: %v", st.Name, err)
		}
		if !onLoopback(req.URL) {
			continue // the emulator never leaves the machine
		}
		ex, err := send(req, r.Timeout)
		why := ""
		if err != nil {
			why = fmt.Sprintf("step %s: %v", st.Name, err)
		} else {
			why = check(st.Assertions, ex, req.Method+" "+req.URL.String())
		}
		if why != "" {
			if reason == "" {
				outcome, reason = "failed", why
			}
			if !st.AllowFailure {
				return outcome, reason
			}
			if err != nil {
				continue
			}
		}
		for _, ev := range st.ExtractedValues {
			var src string
			switch ev.Type {
			case "http_body":
				src = string(ex.body)
			case "http_header":
				src = ex.resp.Header.Get(ev.Field)
			default:
				continue
			}
			if v, ok := parse(ev.Parser.Type, ev.Parser.Value, src); ok {
				vars[ev.Name] = v
			}
		}
	}
	return outcome, reason
}

// parse extracts a value as Datadog's parsers do: raw, json_path, or
// regex (the first capture group, else the whole match; a leading
// lookbehind, which Go's regexp lacks, is read as a capture of what
// follows it).
func parse(kind, value, src string) (string, bool) {
	switch kind {
	case "raw", "":
		return src, src != ""
	case "json_path":
		var doc any
		dec := json.NewDecoder(bytes.NewReader([]byte(src)))
		dec.UseNumber()
		if dec.Decode(&doc) != nil {
			return "", false
		}
		v, ok := jsonPath(doc, value)
		if !ok {
			return "", false
		}
		switch x := v.(type) {
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		case bool:
			return strconv.FormatBool(x), true
		}
		b, err := json.Marshal(v)
		return string(b), err == nil
	case "regex":
		pat := value
		if strings.HasPrefix(pat, "(?<=") {
			if end := closingParen(pat); end > 0 {
				pat = pat[4:end] + "(" + pat[end+1:] + ")"
			}
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return "", false
		}
		m := re.FindStringSubmatch(src)
		switch {
		case m == nil:
			return "", false
		case len(m) > 1:
			return m[1], true
		}
		return m[0], true
	}
	return "", false
}

// closingParen returns the index of the parenthesis that closes the one
// at the start of pat.
func closingParen(pat string) int {
	depth := 0
	for i := 0; i < len(pat); i++ {
		switch pat[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

var pathTokenRe = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\['((?:[^'\\]|\\.)*)'\]`)

// jsonPath evaluates the JSONPath subset smoke writes: $.a.b[0]["c d"].
func jsonPath(doc any, path string) (any, bool) {
	rest, ok := strings.CutPrefix(path, "$")
	if !ok {
		return nil, false
	}
	cur := doc
	for rest != "" {
		m := pathTokenRe.FindStringSubmatchIndex(rest)
		if m == nil || m[0] != 0 {
			return nil, false
		}
		tok := pathTokenRe.FindStringSubmatch(rest)
		rest = rest[m[1]:]
		switch {
		case tok[2] != "":
			i, _ := strconv.Atoi(tok[2])
			l, ok := cur.([]any)
			if !ok || i >= len(l) {
				return nil, false
			}
			cur = l[i]
		default:
			key := tok[1]
			if tok[3] != "" || strings.HasPrefix(tok[0], `["`) {
				if err := json.Unmarshal([]byte(`"`+tok[3]+`"`), &key); err != nil {
					return nil, false
				}
			} else if tok[4] != "" || strings.HasPrefix(tok[0], `['`) {
				key = strings.ReplaceAll(tok[4], `\'`, `'`)
			}
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = obj[key]; !ok {
				return nil, false
			}
		}
	}
	return cur, true
}
