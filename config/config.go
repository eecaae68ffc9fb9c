package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the content of smoke.yaml. Every field is optional.
type Config struct {
	// Service names the service in check IDs and Datadog tags.
	Service string `yaml:"service"`
	// Spec is the default --spec.
	Spec string `yaml:"spec"`
	// BaseURL is the default --base-url.
	BaseURL string `yaml:"base_url"`
	// Environments name base URLs (staging, prod, old, new).
	Environments map[string]Environment `yaml:"environments"`
	// Headers are sent with every request; values may use ${ENV}.
	Headers map[string]string `yaml:"headers"`
	// Auth gives credentials per security scheme name.
	Auth map[string]Auth `yaml:"auth"`
	// Operations hold per-operation fixtures, keyed by "METHOD /path" or
	// operationId.
	Operations map[string]Operation `yaml:"operations"`
	// Parameters give values to parameters by name ("server_id", or
	// "path.server_id" for path parameters only) in every operation
	// that has one; an operation's own fixture wins.
	Parameters map[string]any `yaml:"parameters"`
	Include    []string       `yaml:"include"`
	Exclude    []string       `yaml:"exclude"`
	ReadOnly   bool           `yaml:"read_only"`
	// Run tunes requests and assertions.
	Run Run `yaml:"run"`
	// Diff tunes smoke diff.
	Diff Diff `yaml:"diff"`
	// Datadog tunes smoke publish and trigger.
	Datadog Datadog `yaml:"datadog"`

	// File is the path the config was read from ("" when none).
	File string `yaml:"-"`

	// lines maps key paths to their line (see Has, Line, Where).
	lines map[string]int
}

// Environment is a named deployment.
type Environment struct {
	BaseURL string            `yaml:"base_url"`
	Headers map[string]string `yaml:"headers"`
}

// Auth is the credential of one security scheme. Token serves bearer, API
// key and OAuth2 schemes; Username/Password serve HTTP basic.
type Auth struct {
	Token    string `yaml:"token"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// Operation holds fixtures and settings for one operation.
type Operation struct {
	Path    map[string]any `yaml:"path"`
	Query   map[string]any `yaml:"query"`
	Headers map[string]any `yaml:"headers"`
	Cookies map[string]any `yaml:"cookies"`
	// Body is any YAML value, sent as JSON (or form/multipart fields).
	Body        any    `yaml:"body"`
	ContentType string `yaml:"content_type"`
	// Skip leaves the operation out of every command.
	Skip bool `yaml:"skip"`
	// Expect overrides the expected status codes for this operation
	// (for example 404 for a fixture that is meant not to exist).
	Expect []string `yaml:"expect_status"`
	// LatencyMS is this operation's latency budget.
	LatencyMS int `yaml:"latency_ms"`
	// Assertions to skip for this operation.
	SkipAssertions []string `yaml:"skip_assertions"`
	// Bind sets the bindings of request values by target
	// ("path.silenceID", "body#/ID"): "OPERATION EXPRESSION" (e.g.
	// "POST /silences $response.body#/silenceID"), or none to send the
	// static value.
	Bind map[string]string `yaml:"bind"`
	// Chain false drops every binding smoke inferred for the operation
	// (those of Bind stay).
	Chain *bool `yaml:"chain"`

	// HasBody is true when the file has a body key (even null).
	HasBody bool `yaml:"-"`
}

// Run tunes smoke run (and the sampling of smoke diff).
type Run struct {
	Timeout     Duration `yaml:"timeout"`
	Concurrency int      `yaml:"concurrency"`
	Rate        float64  `yaml:"rate"`
	Retries     int      `yaml:"retries"`
	Insecure    bool     `yaml:"insecure"`
	CAFile      string   `yaml:"ca_file"`
	// MaxBodyBytes bounds how much of each response is read.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// SkipAssertions names assertions not to evaluate anywhere.
	SkipAssertions []string `yaml:"skip_assertions"`
	// LatencyMS is the default latency budget (0: none).
	LatencyMS int `yaml:"latency_ms"`
	// FailOn is the default --fail-on of smoke run: failed, or
	// unexercised.
	FailOn string `yaml:"fail_on"`
	// Baseline is the default --baseline of smoke run: a file of
	// accepted findings, relative to this file.
	Baseline string `yaml:"baseline"`
}

// Diff tunes smoke diff.
type Diff struct {
	Rounds int `yaml:"rounds"`
	// Rules ignore or expect differences, each with a reason.
	Rules []DiffRule `yaml:"rules"`
	// ArrayKeys names, per pointer template, the field that identifies
	// array elements, making the array compare as a set.
	ArrayKeys map[string]string `yaml:"array_keys"`
	// IgnoreHeaders are response headers whose values are noise.
	IgnoreHeaders []string `yaml:"ignore_headers"`
	Latency       Latency  `yaml:"latency"`
	FailOn        string   `yaml:"fail_on"`
	// Baseline is the default --baseline of smoke diff, relative to this
	// file.
	Baseline string `yaml:"baseline"`
}

// DiffRule ignores or expects a difference.
type DiffRule struct {
	// Action is "ignore" (noise) or "expect" (an intended change).
	Action string `yaml:"action"`
	// Operation selects operations ("GET /pets/{id}", operationId); empty
	// means every operation.
	Operation string `yaml:"operation"`
	// Pointer is a pointer template ("/items/*/updated_at"); empty means
	// the whole response.
	Pointer string `yaml:"pointer"`
	// Header names a response header the rule applies to (kind header).
	Header string `yaml:"header"`
	// Kind limits the rule to one difference kind (changed, missing,
	// added, type, status, header).
	Kind   string `yaml:"kind"`
	Reason string `yaml:"reason"`
	// Line is where the rule stands in the file, for warnings.
	Line int `yaml:"-"`
}

// Latency sets the thresholds beyond which a slowdown is a regression.
type Latency struct {
	Relative   float64 `yaml:"relative"`
	AbsoluteMS float64 `yaml:"absolute_ms"`
}

// Datadog tunes smoke publish and trigger. Its values are checked by the
// command that uses them, against the same rules as its flags (Where
// names the line of a refused value).
type Datadog struct {
	Locations []string `yaml:"locations"`
	// TickEvery is how often each test runs: seconds (300) or a
	// duration ("5m").
	TickEvery Seconds  `yaml:"tick_every"`
	Tags      []string `yaml:"tags"`
	Message   string   `yaml:"message"`
	Retries   int      `yaml:"retries"`
	// RetryInterval is the pause between retries ("500ms").
	RetryInterval Duration `yaml:"retry_interval"`
	// Timeout is the request timeout of each test ("30s").
	Timeout       Duration `yaml:"timeout"`
	MaxPruneShare float64  `yaml:"max_prune_share"`
	// AllowWrites publishes checks of unsafe methods too.
	AllowWrites bool `yaml:"allow_writes"`
	// Suite keeps the service's tests in one Datadog suite; default
	// true.
	Suite *bool `yaml:"suite"`
	// Schedule sets tick_every per operation or tag, or CI-only.
	Schedule []DatadogSchedule `yaml:"schedule"`
	// Variables maps environment variables to Datadog global variable
	// names, for secrets referenced as ${ENV}.
	Variables map[string]string `yaml:"variables"`
}

// DatadogSchedule is one rule of datadog.schedule: the checks it
// matches (the forms of --include) run every TickEvery, or only when
// triggered from CI.
type DatadogSchedule struct {
	Match     []string `yaml:"match"`
	TickEvery Seconds  `yaml:"tick_every"`
	CIOnly    bool     `yaml:"ci_only"`
}

// Seconds is a time.Duration written as whole seconds (300) or as a Go
// duration ("5m").
type Seconds time.Duration

// UnmarshalYAML parses seconds or a duration.
func (s *Seconds) UnmarshalYAML(n *yaml.Node) error {
	if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil && n.Tag != "!!str" {
		if i < 0 || i > math.MaxInt64/int64(time.Second) {
			return fmt.Errorf("line %d: %d seconds is out of range", n.Line, i)
		}
		*s = Seconds(time.Duration(i) * time.Second)
		return nil
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not seconds or a duration (e.g. 300, 5m)", n.Line, n.Value)
	}
	*s = Seconds(v)
	return nil
}

// Duration is a time.Duration written as "5s" or "250ms".
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (e.g. 5s, 250ms)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalYAML records whether the operation has a body key.
func (o *Operation) UnmarshalYAML(n *yaml.Node) error {
	type plain Operation
	var p plain
	if err := decodeStrict(n, &p); err != nil {
		return err
	}
	*o = Operation(p)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "body" {
			o.HasBody = true
		}
	}
	return nil
}

// UnmarshalYAML records the rule's line.
func (r *DiffRule) UnmarshalYAML(n *yaml.Node) error {
	type plain DiffRule
	var p plain
	if err := decodeStrict(n, &p); err != nil {
		return err
	}
	*r = DiffRule(p)
	r.Line = n.Line
	return nil
}

// decodeStrict decodes a node rejecting unknown keys (Node.Decode does not
// inherit the decoder's KnownFields setting).
func decodeStrict(n *yaml.Node, v any) error {
	out, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(out))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return shiftLines(err, n.Line-1)
	}
	return nil
}

var lineRe = regexp.MustCompile(`line (\d+)`)

// shiftLines rewrites "line N" in errors from a re-encoded node to the
// node's line in the original file.
func shiftLines(err error, offset int) error {
	shift := func(s string) string {
		return lineRe.ReplaceAllStringFunc(s, func(m string) string {
			var n int
			fmt.Sscanf(m, "line %d", &n)
			return fmt.Sprintf("line %d", n+offset)
		})
	}
	// A type error keeps its type, so that its first message can be
	// reported on one line with its line number.
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := &yaml.TypeError{Errors: make([]string, len(te.Errors))}
		for i, e := range te.Errors {
			out.Errors[i] = shift(e)
		}
		return out
	}
	return errors.New(shift(err.Error()))
}

// Error is a configuration error; the CLI maps it to exit code 2.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", e.File, e.Msg)
}

var (
	unknownFieldRe = regexp.MustCompile(`line (\d+): field (\S+) not found in type`)
	anyLineRe      = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// Load reads and strictly decodes a config file.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: path, Msg: err.Error()}
	}
	defer f.Close()
	return Parse(path, f)
}

// MaxBytes bounds a config file. A smoke.yaml is a few kilobytes; a file
// past the cap is refused whole rather than read in part, since a key
// beyond a cut (read_only: true) would silently be lost.
const MaxBytes = 16 << 20

// Parse decodes a config from r; name is used in errors. The config is
// one YAML document of at most MaxBytes: a larger input, or a second
// document after "---", is an error rather than something ignored.
func Parse(name string, r io.Reader) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	if len(data) > MaxBytes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("larger than %d MiB, the limit for a config file", MaxBytes>>20)}
	}
	cfg := &Config{File: name}
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // comments only
		}
		return nil, yamlError(name, err)
	}
	if err := secondDocument(name, dec); err != nil {
		return nil, err
	}
	cfg.File = name
	cfg.lines = indexLines(data)
	return cfg, nil
}

// secondDocument fails when dec holds another document with content
// after the first: its keys would otherwise be ignored without a word. An
// empty document (a trailing "---") is harmless and allowed.
func secondDocument(name string, dec *yaml.Decoder) error {
	line, err := ExtraDocument(dec)
	switch {
	case err != nil:
		return yamlError(name, err)
	case line > 0:
		return &Error{File: name, Line: line, Msg: "a second YAML document (after ---): a config file is one document; merge the two or pass the one you mean with --config"}
	}
	return nil
}

// ExtraDocument reads the rest of dec, after the first document, and
// returns the line of the first further document with content (0 when
// there is none: empty documents, a trailing "---", are harmless), or the
// error that stopped the reading. It is the one rule of every YAML file
// smoke reads as one document (smoke.yaml, baselines).
func ExtraDocument(dec *yaml.Decoder) (line int, err error) {
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		if len(doc.Content) == 0 {
			continue
		}
		n := doc.Content[0]
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			continue
		}
		return n.Line, nil
	}
}

func yamlError(name string, err error) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msgs = te.Errors
	}
	msg := strings.TrimPrefix(msgs[0], "yaml: ")
	if m := unknownFieldRe.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscanf(m[1], "%d", &line)
		return &Error{File: name, Line: line, Msg: fmt.Sprintf("unknown key %q", m[2])}
	}
	if m := anyLineRe.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscanf(m[1], "%d", &line)
		return &Error{File: name, Line: line, Msg: m[2]}
	}
	return &Error{File: name, Msg: msg}
}
