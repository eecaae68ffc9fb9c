package generator

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// SourceBound marks a value taken from an earlier check's exchange.
const SourceBound Source = "bound"

// WithValue returns a copy of c whose request value at in/name (a
// Binding's target) is v, a value read from an earlier exchange: a
// string, a json.Number or a bool. The URL, query string and body are
// rebuilt; c itself is not changed. A body value keeps the JSON type of
// the static value it replaces (a number stays a number when v reads as
// one). It fails when the target does not exist in the request and
// cannot be added (a path parameter the template lacks, a body that is
// not JSON or form-encoded).
func (c Check) WithValue(in, name string, v any) (Check, error) {
	text, ok := Scalar(v)
	if !ok {
		return c, fmt.Errorf("%s %s: a %s is not a value", in, name, JSONKind(v))
	}
	r := c.Request
	switch in {
	case InPath:
		i := slices.IndexFunc(r.Path, func(p Param) bool { return p.Name == name })
		if i < 0 {
			return c, fmt.Errorf("path %s: the check has no such path parameter", name)
		}
		u, err := rebindPath(c.Path, r.URL, name, text)
		if err != nil {
			return c, err
		}
		r.Path = slices.Clone(r.Path)
		r.Path[i] = Param{Name: name, Value: text, Source: SourceBound}
		r.URL = u
	case InQuery:
		r.Query = withParam(r.Query, Param{Name: name, Value: text, Source: SourceBound})
		path, _, _ := strings.Cut(r.URL, "?")
		r.URL = path + encodeQuery(r.Query)
	case InHeader:
		r.Headers = slices.Clone(r.Headers)
		setParam(&r.Headers, Param{Name: name, Value: text, Source: SourceBound})
	case InCookie:
		r.Cookies = withParam(r.Cookies, Param{Name: name, Value: text, Source: SourceBound})
	case InBody:
		b, err := rebindBody(r.Body, name, v)
		if err != nil {
			return c, err
		}
		r.Body = b
	default:
		return c, fmt.Errorf("binding target %q: unknown location", in)
	}
	c.Request = r
	return c, nil
}

// withParam returns a copy of list in which p replaces the parameter of
// the same name (names of query parameters and cookies are case
// sensitive, unlike headers' in setParam), or to which p is added.
func withParam(list []Param, p Param) []Param {
	list = slices.Clone(list)
	if i := slices.IndexFunc(list, func(q Param) bool { return q.Name == p.Name }); i >= 0 {
		list[i] = p
		return list
	}
	return append(list, p)
}

// rebindPath rebuilds the path of rawURL with parameter name set to
// value, keeping every other segment exactly as the generator escaped
// it.
func rebindPath(template, rawURL, name, value string) (string, error) {
	path, query, hasQuery := strings.Cut(rawURL, "?")
	out, ok := rebindSegments(template, path, name, url.PathEscape(value))
	if !ok {
		// A segment mixes parameters and text ("{name}.{ext}"): match
		// the whole template.
		names := pathParamRe.FindAllStringSubmatch(template, -1)
		re, err := templateRegexp(template)
		if err != nil {
			return "", err
		}
		m := re.FindStringSubmatch(path)
		if m == nil {
			return "", fmt.Errorf("path %s: URL %q does not follow the template %s", name, path, template)
		}
		values := map[string]string{}
		for i, n := range names {
			values[n[1]] = m[i+1]
		}
		values[name] = url.PathEscape(value)
		out = substitutePath(template, values)
	}
	if hasQuery {
		out += "?" + query
	}
	return out, nil
}

// rebindSegments replaces the segment of path that template's segment
// "{name}" stands for, when every segment of template is a parameter or
// plain text: the common case, without a regular expression.
func rebindSegments(template, path, name, escaped string) (string, bool) {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return "", false
	}
	want := "{" + name + "}"
	found := false
	for i, t := range ts {
		switch {
		case t == want:
			ps[i] = escaped
			found = true
		case isParamSegment(t):
		case strings.ContainsAny(t, "{}"), t != ps[i]:
			return "", false
		}
	}
	return strings.Join(ps, "/"), found
}

// templateRegexp matches a concrete path against its template, one group
// per parameter.
func templateRegexp(template string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range pathParamRe.FindAllStringIndex(template, -1) {
		b.WriteString(regexp.QuoteMeta(template[last:loc[0]]))
		b.WriteString("(.*?)")
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(template[last:]))
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// rebindBody sets the value at pointer in a JSON or form body.
func rebindBody(body *Body, pointer string, v any) (*Body, error) {
	if body == nil {
		return nil, fmt.Errorf("body %s: the check sends no body", pointer)
	}
	toks, err := SplitPointer(pointer)
	if err != nil || len(toks) == 0 {
		return nil, fmt.Errorf("body %q: want a pointer to a field", pointer)
	}
	base, _, _ := mime.ParseMediaType(body.ContentType)
	switch pref := mediaPreference(body.ContentType); {
	case pref <= 1:
		var doc any
		if strings.TrimSpace(body.Text) != "" {
			if doc, err = DecodeJSON([]byte(body.Text)); err != nil {
				return nil, fmt.Errorf("body %s: the static body is not JSON: %v", pointer, err)
			}
		}
		doc, err = setPointer(doc, toks, v)
		if err != nil {
			return nil, fmt.Errorf("body %s: %v", pointer, err)
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("body %s: %v", pointer, err)
		}
		return &Body{ContentType: body.ContentType, Text: string(raw), Source: body.Source}, nil
	case base == "application/x-www-form-urlencoded":
		if len(toks) != 1 {
			return nil, fmt.Errorf("body %s: a form field is one token deep", pointer)
		}
		vals, err := url.ParseQuery(body.Text)
		if err != nil {
			return nil, fmt.Errorf("body %s: the static body is not a form: %v", pointer, err)
		}
		text, _ := Scalar(v) // checked by WithValue
		vals.Set(toks[0], text)
		return &Body{ContentType: body.ContentType, Text: vals.Encode(), Source: body.Source}, nil
	}
	return nil, fmt.Errorf("body %s: a %s body cannot take a bound value", pointer, base)
}

// setPointer sets the value at toks in doc, creating objects on the way;
// an existing value keeps its JSON type when v can take it.
func setPointer(doc any, toks []string, v any) (any, error) {
	if len(toks) == 0 {
		return retype(doc, v), nil
	}
	switch x := doc.(type) {
	case nil:
		obj := map[string]any{}
		val, err := setPointer(nil, toks[1:], v)
		if err != nil {
			return nil, err
		}
		obj[toks[0]] = val
		return obj, nil
	case map[string]any:
		val, err := setPointer(x[toks[0]], toks[1:], v)
		if err != nil {
			return nil, err
		}
		x[toks[0]] = val
		return x, nil
	case []any:
		i, err := strconv.Atoi(toks[0])
		if err != nil || i < 0 || i >= len(x) {
			return nil, fmt.Errorf("no array element %q", toks[0])
		}
		val, err := setPointer(x[i], toks[1:], v)
		if err != nil {
			return nil, err
		}
		x[i] = val
		return x, nil
	}
	return nil, fmt.Errorf("a %s has no field %q", JSONKind(doc), toks[0])
}

// retype gives v the JSON type of the value it replaces, when it can
// take it: a bound "42" replacing a number becomes the number 42, a bound
// 42 replacing a string becomes "42".
func retype(old, v any) any {
	text, _ := Scalar(v)
	switch old.(type) {
	case json.Number:
		if _, err := strconv.ParseFloat(text, 64); err == nil {
			return json.Number(text)
		}
	case string:
		return text
	case bool:
		if b, err := strconv.ParseBool(text); err == nil {
			return b
		}
	}
	return v
}

// JSONKind names the JSON type of a decoded value (DecodeJSON, or
// encoding/json with or without UseNumber): object, array, string,
// number, boolean or null; "unknown" for anything JSON does not decode to.
func JSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	}
	return "unknown"
}
