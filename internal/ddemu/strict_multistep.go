package ddemu

import (
	"fmt"
	"maps"
	"strings"
)

// Strict rules on the shape of a test: where a multistep test keeps its
// requests, what a step's extracted values must say, where a redirect
// policy or an HTTP version is read, what a global config variable may
// carry. Sources, unless a rule says otherwise:
//
//   - terraform-provider-datadog, datadog/resource_datadog_synthetics_test_.go
//     at 701d55bc4 ("Terraform" below, with line numbers), the code that
//     builds the payloads Datadog accepts;
//   - the recorded answers of datadog-api-client-go,
//     tests/scenarios/cassettes/TestScenarios/v1/Feature_Synthetics/
//     Scenario_Create_an_API_test_with_multi_subtype_returns_OK_-_Returns_the_created_test_details._response.yaml
//     ("the multi cassette") and Terraform's
//     datadog/tests/cassettes/TestAccDatadogSyntheticsTestMultistepApi_Basic.yaml:
//     the exact multistep JSON Datadog accepted and echoed;
//   - DataDog/documentation content/en/synthetics/multistep.md
//     ("Extract variables from the response").

// maxExtractedValues: "You can extract up to ten variables per test
// step" (multistep.md, "Extract variables from the response").
const maxExtractedValues = 10

// bodilessMethods are the methods whose body Terraform does not send
// unless the request is forced to HTTP/1.1 (Terraform 3252-3262 for a
// single test, 3428-3437 for a step, from terraform-provider-datadog#2492
// "remove body from non-POST requests": "`request_definition.body` is
// not valid for %s requests. It will be ignored.").
var bodilessMethods = map[string]bool{"GET": true, "HEAD": true, "DELETE": true}

// strictShape checks where a test keeps its requests. A multistep test's
// requests and assertions are its steps': Terraform sets config.request
// only when the subtype is not multi (3357) and refuses root
// request_definition or assertion blocks next to api_step ones because
// "keeping those would produce backend validation errors" (3203-3216);
// it sends config.assertions empty (both cassettes). Steps belong to
// multistep tests only ("`api_step` blocks can only be set for
// multistep API tests", 3225-3232).
func strictShape(t, cfg map[string]any) []string {
	var errs []string
	if t["subtype"] == "multi" {
		if _, set := cfg["request"]; set {
			errs = append(errs, "config.request is not allowed on a multistep test: each step has its own request")
		}
		if as, _ := cfg["assertions"].([]any); len(as) > 0 {
			errs = append(errs, "config.assertions is not allowed on a multistep test: each step has its own assertions")
		}
		return errs
	}
	if _, set := cfg["steps"]; set {
		errs = append(errs, fmt.Sprintf("config.steps is for multistep tests: subtype is %v, not multi", t["subtype"]))
	}
	return errs
}

// strictStep checks what an HTTP step of a multistep test says besides
// its request's bounds: its extracted values, its redirect policy and
// the HTTP version its body needs. followRedirectsInOptions is true when
// the test sets options.follow_redirects.
func strictStep(step map[string]any, followRedirectsInOptions bool) []string {
	if sub, _ := step["subtype"].(string); sub != "" && sub != "http" {
		return nil
	}
	var errs []string
	errs = append(errs, strictExtractedValues(step["extractedValues"])...)
	req, _ := step["request"].(map[string]any)
	if _, set := req["follow_redirects"]; followRedirectsInOptions && !set {
		// The v1 document gives options.follow_redirects "For API HTTP
		// test"; Terraform puts a step's in its request_definition
		// ("In test `options_list` for single API tests, but in
		// `api_step.request_definition` for API steps", 1200) and
		// always sends it (3440). A test's option does not reach its
		// steps, and the steps' default is not documented.
		errs = append(errs, "options.follow_redirects does not apply to the steps of a multistep test: set request.follow_redirects on each step")
	}
	version, _ := req["httpVersion"].(string)
	errs = append(errs, strictBodyVersion(req, version, "request.httpVersion")...)
	return errs
}

// strictBodyVersion refuses a body on a GET, HEAD or DELETE request
// unless the request is sent over HTTP/1.1 (version, from where names
// it): Terraform drops such a body ("not valid for %s requests. It will
// be ignored.") unless the HTTP version is http1, so the body would not
// reach the service. Datadog stores it (Terraform's cassettes before
// #2492 echo a GET with a body): the emulator is stricter, so that smoke
// never publishes a request whose body may not be sent.
func strictBodyVersion(req map[string]any, version, where string) []string {
	method, _ := req["method"].(string)
	body, _ := req["body"].(string)
	if body == "" || !bodilessMethods[strings.ToUpper(method)] || version == "http1" {
		return nil
	}
	return []string{fmt.Sprintf("a body is not sent with %s over HTTP/2: set %s to http1", strings.ToUpper(method), where)}
}

// strictExtractedValues checks a step's extractedValues: at most ten
// (multistep.md); each names a valid variable ("Your variable name can
// only use uppercase letters, numbers, and underscores and must have at
// least three characters", multistep.md; the pattern Terraform applies to
// every variable name) and says what it parses: name, type and parser
// are required (Terraform's extracted_value schema, 1240-1287), a
// parser other than raw has a value ("Regex or JSON path used for the
// parser. Not used with type `raw`.", 1275), and a header or gRPC
// metadatum is named in field ("When type is `http_header` or
// `grpc_metadata`, name of the header or metadatum to extract", 1256).
func strictExtractedValues(v any) []string {
	list, _ := v.([]any)
	var errs []string
	if len(list) > maxExtractedValues {
		errs = append(errs, fmt.Sprintf("%d extracted values: a step extracts at most %d", len(list), maxExtractedValues))
	}
	for i, x := range list {
		ev, _ := x.(map[string]any)
		name, _ := ev["name"].(string)
		what := fmt.Sprintf("extracted value %d (%s)", i, name)
		if !variableName.MatchString(name) {
			errs = append(errs, fmt.Sprintf("Invalid %s: a variable name must match %s", what, variableName))
		}
		typ, _ := ev["type"].(string)
		if typ == "" {
			errs = append(errs, what+": type is required")
		}
		if field, _ := ev["field"].(string); field == "" && (typ == "http_header" || typ == "grpc_metadata") {
			errs = append(errs, fmt.Sprintf("%s: type %s names the header to extract in field", what, typ))
		}
		parser, isMap := ev["parser"].(map[string]any)
		ptype, _ := parser["type"].(string)
		switch value, _ := parser["value"].(string); {
		case !isMap || ptype == "":
			errs = append(errs, what+": a parser with a type is required")
		case ptype != "raw" && value == "":
			errs = append(errs, fmt.Sprintf("%s: a %s parser needs a value", what, ptype))
		}
	}
	return errs
}

// strictConfigVariableFlags refuses secure on a global config variable:
// "Whether the value of this variable will be obfuscated in test
// results. Only for config variables of type `text`." (v1 document,
// SyntheticsConfigVariable.secure); Terraform sends pattern, example and
// secure for variables other than global only (4825-4829).
func strictConfigVariableFlags(cfg map[string]any) []string {
	var errs []string
	for _, m := range listOf(cfg["configVariables"]) {
		if _, set := m["secure"]; set && m["type"] == "global" {
			errs = append(errs, fmt.Sprintf("config variable %v: secure is only for config variables of type text", m["name"]))
		}
	}
	return errs
}

// echoStepIDs gives every step of a stored multistep test an id, as
// Datadog does when it stores one (both cassettes: each step comes back
// with "id":"8gd-rh5-ct5" and the like), so that a client comparing what
// it sent with what it reads must leave them out. next returns a fresh
// id. The test's config and steps are copied: the caller's map is not
// changed.
func echoStepIDs(t map[string]any, next func() string) {
	cfg, _ := t["config"].(map[string]any)
	steps, _ := cfg["steps"].([]any)
	if len(steps) == 0 {
		return
	}
	out := make([]any, len(steps))
	for i, s := range steps {
		step, isMap := s.(map[string]any)
		if !isMap {
			out[i] = s
			continue
		}
		copied := maps.Clone(step)
		if id, _ := copied["id"].(string); id == "" {
			copied["id"] = next()
		}
		out[i] = copied
	}
	c := maps.Clone(cfg)
	c["steps"] = out
	t["config"] = c
}
