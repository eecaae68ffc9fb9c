package ddemu

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Strict mode enforces what Datadog's servers refuse although the public
// v1 document allows it. Each rule names its source; docs/datadog.md
// lists them with the tests that prove smoke never sends such a value.

// Limits of the strict rules.
const (
	// maxRetryCount: "Maximum value: 3 for api tests"
	// (terraform-provider-datadog, resource_datadog_synthetics_test_.go,
	// options_list.retry.count).
	maxRetryCount = 3
	// maxRetryIntervalMS: "Interval between a failed test and the next
	// retry in milliseconds. Maximum value: 5000." (same file,
	// options_list.retry.interval).
	maxRetryIntervalMS = 5000
	// maxTimeoutSeconds: the request timeout defaults to 60 s and a whole
	// test run is cut at 60.5 s (DataDog/documentation
	// content/en/synthetics/api_tests/http_tests.md, "TIMEOUT").
	maxTimeoutSeconds = 60
	// maxBodyBytes: "The request body is limited to a maximum size of 50
	// kilobytes." (http_tests.md, "Request Body").
	maxBodyBytes = 50 << 10
	// maxAssertions: "You can create up to 20 assertions per API test"
	// (http_tests.md, "Define assertions").
	maxAssertions = 20
	// maxSchemaChars: the server limits a validatesJSONSchema target to
	// 51,200 characters (issue 13, observed against Datadog; the public
	// document states no limit).
	maxSchemaChars = 51200
	// maxSteps: "By default, a maximum of 10 steps can be created"
	// (docs: Synthetic Monitoring, Multistep API Testing, Define steps).
	maxSteps = 10
	// maxTagLength: "Tags can be up to 200 characters long"
	// (DataDog/documentation content/en/getting_started/tagging/_index.md).
	maxTagLength = 200
)

// variableName is the pattern of a Datadog variable name, global or
// local (terraform-provider-datadog: resource_datadog_synthetics_global_variable.go
// and the config_variable block of resource_datadog_synthetics_test_.go).
var variableName = regexp.MustCompile(`^[A-Z][A-Z0-9_]+[A-Z0-9]$`)

// reference finds {{ NAME }} (or a {{ built-in }}) in a test's request
// or a variable's pattern.
var reference = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// strictRequest returns the errors Datadog would answer for a request
// body that the public document accepts. globals maps the id of each
// global variable the account holds to its name.
func strictRequest(op string, in map[string]any, globals map[string]string) []string {
	switch op {
	case "CreateSyntheticsAPITest", "UpdateAPITest":
		return strictTest(in, globals)
	case "CreateGlobalVariable":
		if name, _ := in["name"].(string); !variableName.MatchString(name) {
			return []string{fmt.Sprintf("Invalid variable name %q: must match %s", name, variableName)}
		}
	case "CreateSyntheticsSuite", "EditSyntheticsSuite":
		data, _ := in["data"].(map[string]any)
		attrs, _ := data["attributes"].(map[string]any)
		return strictTags(attrs["tags"])
	}
	return nil
}

func strictTest(t map[string]any, globals map[string]string) []string {
	var errs []string
	errs = append(errs, strictTags(t["tags"])...)
	if locs, _ := t["locations"].([]any); len(locs) == 0 {
		// terraform-provider-datadog refuses it before calling Datadog:
		// "locations must not be empty for synthetics API and browser tests".
		errs = append(errs, "locations must not be empty")
	}
	opts, _ := t["options"].(map[string]any)
	if retry, isMap := opts["retry"].(map[string]any); isMap {
		if n, _ := retry["count"].(float64); n < 0 || n > maxRetryCount {
			errs = append(errs, fmt.Sprintf("Invalid retry count %v: must be between 0 and %d", n, maxRetryCount))
		}
		if ms, _ := retry["interval"].(float64); ms < 0 || ms > maxRetryIntervalMS {
			errs = append(errs, fmt.Sprintf("Invalid retry interval %v: must be between 0 and %d ms", ms, maxRetryIntervalMS))
		}
	}
	cfg, _ := t["config"].(map[string]any)
	errs = append(errs, strictShape(t, cfg)...)
	errs = append(errs, strictVariables(cfg)...)
	errs = append(errs, strictConfigVariableFlags(cfg)...)
	defined, errsDefined := definedVariables(cfg, globals)
	errs = append(errs, errsDefined...)
	if t["subtype"] == "multi" {
		steps, _ := cfg["steps"].([]any)
		if len(steps) > maxSteps {
			errs = append(errs, fmt.Sprintf("%d steps: a multistep test has at most %d", len(steps), maxSteps))
		}
		_, followInOptions := opts["follow_redirects"]
		// extractedBy names the step that extracts each value.
		extractedBy := map[string]int{}
		for i, st := range steps {
			step, _ := st.(map[string]any)
			for _, ev := range listOf(step["extractedValues"]) {
				if name, _ := ev["name"].(string); name != "" {
					if _, seen := extractedBy[name]; !seen {
						extractedBy[name] = i
					}
				}
			}
		}
		for i, st := range steps {
			step, _ := st.(map[string]any)
			req, _ := step["request"].(map[string]any)
			assertions, _ := step["assertions"].([]any)
			for _, e := range strictHTTPRequest(req, assertions, false) {
				errs = append(errs, fmt.Sprintf("step %d: %s", i, e))
			}
			for _, e := range strictStep(step, followInOptions) {
				errs = append(errs, fmt.Sprintf("step %d (%v): %s", i, step["name"], e))
			}
			for _, e := range strictReferences(req, defined, extractedBy, i) {
				errs = append(errs, fmt.Sprintf("step %d (%v): %s", i, step["name"], e))
			}
			if _, script := step["extractedValuesFromScript"]; script {
				// A script may set any variable: the later steps'
				// references cannot be checked.
				defined = nil
			}
		}
	} else {
		req, _ := cfg["request"].(map[string]any)
		assertions, _ := cfg["assertions"].([]any)
		errs = append(errs, strictHTTPRequest(req, assertions, true)...)
		version, _ := opts["httpVersion"].(string)
		errs = append(errs, strictBodyVersion(req, version, "options.httpVersion")...)
		errs = append(errs, strictReferences(req, defined, nil, 0)...)
	}
	return errs
}

// strictHTTPRequest checks one request and its assertions: of a
// single-step test (single) or of a multistep test's step, which alone
// may set follow_redirects on its request.
func strictHTTPRequest(req map[string]any, assertions []any, single bool) []string {
	var errs []string
	if s, _ := req["timeout"].(float64); s > maxTimeoutSeconds || s < 0 {
		errs = append(errs, fmt.Sprintf("Invalid request timeout %v: must be at most %d seconds", s, maxTimeoutSeconds))
	}
	if b, _ := req["body"].(string); len(b) > maxBodyBytes {
		errs = append(errs, fmt.Sprintf("Request body of %d bytes is larger than %d bytes", len(b), maxBodyBytes))
	}
	if _, set := req["follow_redirects"]; set && single {
		// terraform-provider-datadog sets follow_redirects on the request
		// of multistep steps only; a single-step test has it in options.
		errs = append(errs, "config.request.follow_redirects is for multistep steps: set options.follow_redirects")
	}
	if len(assertions) > maxAssertions {
		errs = append(errs, fmt.Sprintf("%d assertions: a test has at most %d", len(assertions), maxAssertions))
	}
	for _, a := range assertions {
		am, _ := a.(map[string]any)
		target, _ := am["target"].(map[string]any)
		if js, isStr := target["jsonSchema"].(string); isStr && utf8.RuneCountInString(js) > maxSchemaChars {
			errs = append(errs, fmt.Sprintf("JSON schema of %d characters is longer than %d characters", utf8.RuneCountInString(js), maxSchemaChars))
		}
	}
	return errs
}

// strictVariables checks the names of a test's variables: a name
// Datadog refuses can never hold a value.
func strictVariables(cfg map[string]any) []string {
	var errs []string
	for _, key := range []string{"configVariables", "variables"} {
		for _, m := range listOf(cfg[key]) {
			if name, _ := m["name"].(string); !variableName.MatchString(name) {
				errs = append(errs, fmt.Sprintf("Invalid variable name %q in %s: must match %s", name, key, variableName))
			}
		}
	}
	return errs
}

// definedVariables returns the variables a test defines for all its
// requests: its config variables, a global one only when it names a
// global variable of the account by id and by that variable's own name.
// nil means anything may be defined (a variablesFromScript sets
// variables the emulator cannot know).
//
// Sources: the id of a config variable is "only used (and required) in
// the case of using a variable of type global"
// (terraform-provider-datadog, resource_datadog_synthetics_test_.go,
// config_variable.id); Datadog answers 400 "Global variable invalid
// names: …" when a global config variable's name is not its global
// variable's name (terraform-provider-datadog#1973).
func definedVariables(cfg map[string]any, globals map[string]string) (map[string]bool, []string) {
	defined := map[string]bool{}
	var errs []string
	for _, m := range listOf(cfg["configVariables"]) {
		name, _ := m["name"].(string)
		if m["type"] == "global" {
			id, _ := m["id"].(string)
			global, known := globals[id]
			switch {
			case id == "":
				errs = append(errs, fmt.Sprintf("config variable %s of type global has no id: it must name a global variable", name))
				continue
			case !known:
				errs = append(errs, fmt.Sprintf("config variable %s refers to global variable %s, which does not exist", name, id))
				continue
			case global != name:
				errs = append(errs, fmt.Sprintf("Global variable invalid names: %s (global variable %s is named %s)", name, id, global))
				continue
			}
		}
		defined[name] = true
	}
	if _, script := cfg["variablesFromScript"]; script {
		return nil, errs
	}
	return defined, errs
}

// strictReferences checks every {{ NAME }} a request refers to (its URL,
// headers, query, body, credentials: any string in it). A name must be a
// valid variable name, and be defined when the request is sent: a
// config variable of the test or a global variable it declares (defined;
// nil when anything may be), or, for step number step of a multistep
// test, a value an earlier step extracts (extractedBy names the step
// that extracts each value). Built-ins ({{ uuid }}, {{ timestamp(3600,
// s) }}: a call or a space) need no definition.
//
// Sources: "Use variables" (DataDog/documentation
// content/en/synthetics/api_tests/http_tests.md and
// content/en/synthetics/multistep.md): a test uses the global variables
// defined in Settings and the variables defined locally, and a
// multistep test re-injects "in subsequent steps" the values it
// extracts; a global variable used without being declared is not
// interpolated (terraform-provider-datadog#1701).
func strictReferences(req map[string]any, defined map[string]bool, extractedBy map[string]int, step int) []string {
	raw, err := json.Marshal(req)
	if err != nil {
		return nil
	}
	var errs []string
	seen := map[string]bool{}
	for _, m := range reference.FindAllStringSubmatch(string(raw), -1) {
		name := m[1]
		if isBuiltin(name) || seen[name] {
			continue
		}
		seen[name] = true
		if !variableName.MatchString(name) {
			errs = append(errs, fmt.Sprintf("Invalid variable reference {{ %s }}: a variable name must match %s", name, variableName))
			continue
		}
		if defined == nil || defined[name] {
			continue
		}
		by, extracted := extractedBy[name]
		switch {
		case extracted && by < step:
		case extracted && by == step:
			errs = append(errs, fmt.Sprintf("{{ %s }} is extracted by this step's own answer: its request cannot use it", name))
		case extracted:
			errs = append(errs, fmt.Sprintf("{{ %s }} is extracted by a later step (%d): a step can only use values earlier steps extract", name, by))
		default:
			errs = append(errs, fmt.Sprintf("{{ %s }} is not defined: it is neither a config variable of the test, a global variable it declares, nor a value an earlier step extracts", name))
		}
	}
	return errs
}

// listOf returns the objects of a JSON array.
func listOf(v any) []map[string]any {
	l, _ := v.([]any)
	out := make([]map[string]any, 0, len(l))
	for _, x := range l {
		if m, isMap := x.(map[string]any); isMap {
			out = append(out, m)
		}
	}
	return out
}

// strictTags refuses tags Datadog cannot store: one that normalises to
// nothing (it must start with a letter) or ends with a colon ("A tag
// cannot end with a colon", tagging/_index.md).
func strictTags(v any) []string {
	var errs []string
	list, _ := v.([]any)
	for _, t := range list {
		s, _ := t.(string)
		n := normalizeTag(s)
		switch {
		case n == "":
			errs = append(errs, fmt.Sprintf("Invalid tag %q: a tag must start with a letter", s))
		case strings.HasSuffix(n, ":"):
			errs = append(errs, fmt.Sprintf("Invalid tag %q: a tag cannot end with a colon", s))
		}
	}
	return errs
}

// normalizeTags replaces the tags of a stored test or suite with what
// Datadog keeps of them (see normalizeTag); other than string entries are
// dropped.
func normalizeTags(obj map[string]any) {
	tags, isList := obj["tags"].([]any)
	if !isList {
		return
	}
	norm := make([]any, 0, len(tags))
	for _, t := range tags {
		if s, isStr := t.(string); isStr {
			norm = append(norm, normalizeTag(s))
		}
	}
	obj["tags"] = norm
}

// normalizeTag stores a tag as Datadog does (tagging/_index.md; the
// algorithm of datadog-agent pkg/trace/traceutil/normalize.go): lower
// case; leading characters that are not letters (or colons) dropped;
// letters, digits, '.', '/', '-' and ':' kept; any other run of
// characters, underscores included, becomes one '_', and a run at the
// end is dropped; at most 200 characters.
//
// It is kept apart from synthetics' normaliser on purpose: the emulator
// checks smoke and does not import the package it checks; both are
// pinned to the agent's test cases.
func normalizeTag(tag string) string {
	var out []rune
	chars := 0
	cut := false
	for _, r := range tag {
		if unicode.IsUpper(r) {
			r = unicode.ToLower(r)
		}
		ok := unicode.IsLetter(r) || r == ':'
		if chars == 0 && !ok {
			continue // this character cannot start a tag
		}
		if chars >= maxTagLength {
			break
		}
		chars++
		if ok || unicode.IsDigit(r) || r == '.' || r == '/' || r == '-' {
			if cut {
				out = append(out, '_')
				cut = false
			}
			out = append(out, r)
			continue
		}
		cut = true
	}
	return string(out)
}

// closedObjects lists the properties of v that the schemas do not
// define, as JSON paths. An object schema with properties and no
// additionalProperties is closed: Datadog's API refuses what it does not
// know in these payloads ("Additional properties are not allowed"). The
// properties of every schema given and of their allOf, oneOf and anyOf
// branches are merged, so a value is judged against every shape it may
// take.
func closedObjects(schemas []*openapi3.Schema, v any, path string) []string {
	switch x := v.(type) {
	case map[string]any:
		props, open := properties(schemas)
		var out []string
		for _, k := range slicesSorted(x) {
			subs, known := props[k]
			if !known {
				if !open {
					out = append(out, path+"/"+k)
				}
				continue
			}
			out = append(out, closedObjects(subs, x[k], path+"/"+k)...)
		}
		return dedupe(out)
	case []any:
		var items []*openapi3.Schema
		for _, s := range schemas {
			items = append(items, itemSchemas(s)...)
		}
		var out []string
		for i, e := range x {
			out = append(out, closedObjects(items, e, fmt.Sprintf("%s/%d", path, i))...)
		}
		return dedupe(out)
	}
	return nil
}

// properties merges the properties the schemas and their branches
// define; open is true when one of them admits undeclared properties.
func properties(schemas []*openapi3.Schema) (map[string][]*openapi3.Schema, bool) {
	props := map[string][]*openapi3.Schema{}
	open := len(schemas) == 0
	var walk func(s *openapi3.Schema, depth int) bool
	walk = func(s *openapi3.Schema, depth int) bool {
		if s == nil || depth > 16 {
			return false
		}
		declares := len(s.Properties) > 0
		for k, p := range s.Properties {
			if p != nil && p.Value != nil {
				props[k] = append(props[k], p.Value)
			}
		}
		if s.AdditionalProperties.Schema != nil || (s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has) {
			open = true
		}
		for _, l := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, b := range l {
				if b != nil && walk(b.Value, depth+1) {
					declares = true
				}
			}
		}
		return declares
	}
	for _, s := range schemas {
		if !walk(s, 0) {
			open = true // a free-form object, a map, or not an object
		}
	}
	return props, open
}

func itemSchemas(s *openapi3.Schema) []*openapi3.Schema {
	if s == nil {
		return nil
	}
	var out []*openapi3.Schema
	if s.Items != nil && s.Items.Value != nil {
		out = append(out, s.Items.Value)
	}
	for _, l := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, b := range l {
			if b != nil {
				out = append(out, itemSchemas(b.Value)...)
			}
		}
	}
	return out
}

func slicesSorted(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func dedupe(in []string) []string {
	slices.Sort(in)
	return slices.Compact(in)
}
