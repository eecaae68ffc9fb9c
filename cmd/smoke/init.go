package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
	"github.com/smoke-dev/smoke/spec"
)

type initOptions struct {
	Spec    string
	Output  string
	Service string
	Strict  bool

	cmd *cobra.Command
}

func newInitCmd(env *Env) *cobra.Command { return newInitCmdF(env, runInit) }

// newInitCmdF builds the command around runF, so tests can check flag
// parsing alone.
func newInitCmdF(env *Env, runF func(context.Context, *Env, initOptions) error) *cobra.Command {
	var opts initOptions
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented smoke.yaml to start from, read from the spec",
		Long: `Read the OpenAPI document and write a smoke.yaml that runs as it is:

  service       a name for the service (check IDs, Datadog tags);
  spec          the document, relative to the written file;
  environments  one per server the spec lists (send to one with --base-url NAME);
  auth          one entry per security scheme, each secret read from an
                environment variable named after the scheme (see below);

and, commented out, what a newcomer edits next: a latency budget, the
operations that write (to exclude them), and fixtures for the path
parameters the spec gives no example for (smoke invents those values, and
most services answer 404 to an id nobody created): one parameters: line for
a parent id that several operations share and no create gives
(/servers/{server_id}/...), one operations: entry for the rest.

Variable names: the scheme's name in upper snake case (letters and digits
kept, camelCase split, every other run of characters one underscore), then
_TOKEN, or _USERNAME and _PASSWORD for HTTP basic, unless the name already
ends with that word: petstore_auth gives PETSTORE_AUTH_TOKEN, bearerAuth
BEARER_AUTH_TOKEN, BasicAuth BASIC_AUTH_USERNAME and BASIC_AUTH_PASSWORD.
A name that would start with a digit gets AUTH_ in front; two schemes that
would share a name get _2, _3 in the order of their names. Every name is a
valid shell variable and a valid Datadog global variable name.

When several schemes are alternatives for the same operations, only the
first is active and the others are written commented out, so that one
credential is enough to run.

smoke init never overwrites a file: it writes --output (default
./smoke.yaml, or $SMOKE_CONFIG) only when nothing is there, and exits 2
otherwise. --output - prints the file instead.

EXIT STATUS
  0  the file was written
  2  usage or spec error, or the file exists: nothing was written
  3  interrupted`,
		Example: `  smoke init --spec openapi.yaml
  smoke init --spec https://api.example.com/openapi.json --service orders --output ci/smoke.yaml
  smoke init --spec openapi.yaml --output - | less`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.cmd = cmd
			return runF(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Spec, "spec", "s", "", "OpenAPI document: file, http(s) URL, or - for stdin (env SMOKE_SPEC)")
	f.StringVarP(&opts.Output, "output", "o", "", "file to create, or - for stdout (default smoke.yaml; env SMOKE_CONFIG)")
	f.StringVar(&opts.Service, "service", "", "service name (default: from the spec's info.title)")
	f.BoolVar(&opts.Strict, "strict", false, "treat spec validation warnings as errors")
	return cmd
}

// initSettings are smoke init's resolved settings.
type initSettings struct {
	load loadSettings
	// output is the file to create, "-" for stdout.
	output string
	// specRef is the spec: value to write (relative to the output's
	// directory), "" when the spec came from stdin.
	specRef string
	// service is --service, "" for the generator's default.
	service string
}

// defaultConfigFile is where smoke init writes and every command looks.
const defaultConfigFile = "smoke.yaml"

// resolveInit resolves smoke init's flags and environment. There is no
// smoke.yaml to read: writing one is the point.
func resolveInit(env *Env, opts initOptions) (initSettings, error) {
	s := sources{cmd: opts.cmd, env: env}
	loc, _ := pickEnv(s, "spec", opts.Spec, "SMOKE_SPEC", "", "")
	if loc == "" {
		return initSettings{}, withHint(usageErrf("no spec given"), "Pass --spec PATH|URL|- (or set SMOKE_SPEC).")
	}
	out, from := pickEnv(s, "output", opts.Output, "SMOKE_CONFIG", "", "")
	if out == "" {
		out, from = defaultConfigFile, flagOrigin("output")
	}
	service := strings.TrimSpace(opts.Service)
	if s.changed("service") && service == "" {
		return initSettings{}, flagOrigin("service").invalid(`""`, "want a name")
	}
	is := initSettings{
		load:    loadSettings{Spec: loc, Strict: opts.Strict, Generator: generator.Options{Service: service}},
		output:  out,
		service: service,
	}
	if out != "-" {
		if err := checkCreatable(out, from); err != nil {
			return is, err
		}
	}
	is.specRef = specReference(loc, out)
	return is, nil
}

// checkCreatable fails when path exists (whatever it is: smoke init never
// replaces a file, a link or a directory) or its directory does not.
func checkCreatable(path string, from origin) error {
	if _, err := os.Lstat(path); err == nil {
		return withHint(usageErrf("%s already exists: smoke init never overwrites a file", path),
			"Pass --output FILE to write another file, or --output - to print it.")
	} else if !errors.Is(err, fs.ErrNotExist) {
		return from.invalid(path, "%v", unwrapPathErr(err))
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return from.invalid(path, "%v", unwrapPathErr(err))
	}
	if !fi.IsDir() {
		return from.invalid(path, "%s is not a directory", dir)
	}
	return nil
}

// specReference is how the written file names the spec: a URL as given,
// a file relative to the file's directory (every command reads spec:
// relative to smoke.yaml), nothing for stdin.
func specReference(loc, output string) string {
	switch {
	case loc == "-":
		return ""
	case strings.Contains(loc, "://"):
		return loc
	}
	dir := "."
	if output != "-" {
		dir = filepath.Dir(output)
	}
	absDir, err1 := filepath.Abs(dir)
	absSpec, err2 := filepath.Abs(loc)
	if err1 != nil || err2 != nil {
		return loc
	}
	rel, err := filepath.Rel(absDir, absSpec)
	if err != nil {
		return absSpec
	}
	return filepath.ToSlash(rel)
}

// runInit is smoke init: resolve, load the spec, write the file.
func runInit(ctx context.Context, env *Env, opts initOptions) error {
	is, err := resolveInit(env, opts)
	if err != nil {
		return err
	}
	l, err := load(ctx, env, is.load)
	if err != nil {
		return err
	}
	st := newStarter(l, is)
	text := st.render()
	if is.output == "-" {
		return writeOutput(env, "-", func(w io.Writer) error {
			_, err := io.WriteString(w, text)
			return err
		})
	}
	if err := createExclusive(is.output, text); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "smoke: wrote %s: service %s, %s, %s, %s\n", is.output, st.service,
		plural(len(l.Plan.Checks), "check", "checks"), plural(st.activeEnvironments(), "environment", "environments"), plural(len(st.variables()), "credential variable", "credential variables"))
	if vars := st.variables(); len(vars) > 0 {
		fmt.Fprintf(env.Stderr, "Next: set %s, then run smoke plan, then smoke run --base-url URL.\n", strings.Join(vars, ", "))
	} else {
		fmt.Fprintln(env.Stderr, "Next: smoke plan, then smoke run --base-url URL.")
	}
	return nil
}

// createExclusive creates path with O_EXCL (never replacing anything that
// appeared since resolveInit looked) and writes text to it; a failed write
// removes the file it created.
func createExclusive(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return withHint(usageErrf("%s already exists: smoke init never overwrites a file", path),
			"Pass --output FILE to write another file, or --output - to print it.")
	}
	if err != nil {
		return usageErrf("--output %s: %v", path, unwrapPathErr(err))
	}
	_, werr := io.WriteString(f, text)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path) // we created it, half-written: not a config to load
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

// starter holds what the written smoke.yaml says about one spec.
type starter struct {
	l       *loaded
	is      initSettings
	service string
	envs    []starterEnv
	schemes []starterScheme
	// ops are the spec's operations by "METHOD /path", made when first
	// needed.
	ops map[string]spec.Operation
}

// starterEnv is one environment from a server of the spec.
type starterEnv struct {
	name, url, description string
	// template is the server URL as the spec writes it.
	template string
	// variables describes the server's variables ("scheme: https (https, http)").
	variables []string
	// relative is set when the server has no scheme and host.
	relative bool
}

// schemeState says whether a security scheme's auth entry is active.
type schemeState int

const (
	schemeActive      schemeState = iota // an operation needs it and no active scheme serves instead
	schemeAlternative                    // operations accept an active scheme instead
	schemeUnused                         // no operation requires it
	schemeUnsupported                    // smoke cannot present it (mutual TLS)
)

// starterScheme is one auth entry.
type starterScheme struct {
	name   string
	scheme spec.SecurityScheme
	state  schemeState
	// instead names the active schemes an alternative stands in for.
	instead []string
	// vars are the environment variables: one for a token, two (username,
	// password) for HTTP basic.
	vars []string
}

func newStarter(l *loaded, is initSettings) *starter {
	st := &starter{l: l, is: is, service: l.Plan.Spec.Service}
	st.envs = starterEnvironments(l.Doc)
	st.schemes = starterSchemes(l.Doc)
	return st
}

func (st *starter) activeEnvironments() int {
	n := 0
	for _, e := range st.envs {
		if !e.relative {
			n++
		}
	}
	return n
}

// variables lists the environment variables of the active auth entries.
func (st *starter) variables() []string {
	var out []string
	for _, s := range st.schemes {
		if s.state == schemeActive {
			out = append(out, s.vars...)
		}
	}
	return out
}

// starterEnvironments names the spec's servers. A name is the slug of the
// server's description when that is short, "local" for a loopback host,
// else the slug of the host; repeated names get -2, -3.
func starterEnvironments(doc *spec.Document) []starterEnv {
	var out []starterEnv
	used := map[string]bool{}
	for _, s := range doc.ServerList() {
		e := starterEnv{url: strings.TrimSuffix(s.URL, "/"), template: s.Template, description: oneLine(s.Description)}
		if e.url == "" {
			e.url = s.URL
		}
		for _, v := range s.Variables {
			d := v.Name + ": " + v.Default
			if len(v.Enum) > 0 {
				d += " (one of " + strings.Join(v.Enum, ", ") + ")"
			}
			e.variables = append(e.variables, d)
		}
		parsed, err := url.Parse(s.URL)
		if err != nil || parsed.Host == "" || (parsed.Scheme != "http" && parsed.Scheme != "https") {
			e.relative = true
			e.name = "staging"
			if p := strings.TrimSuffix(s.URL, "/"); strings.HasPrefix(p, "/") {
				e.url = "https://staging.example.com" + p
			} else {
				e.url = "https://staging.example.com"
			}
		} else if _, err := runner.New(runner.Options{BaseURL: s.URL}); err != nil {
			e.relative = true
			e.name = "staging"
			e.url = "https://staging.example.com" + strings.TrimSuffix(parsed.EscapedPath(), "/")
		} else {
			e.name = environmentName(e.description, parsed.Hostname())
		}
		base := e.name
		for i := 2; used[e.name]; i++ {
			e.name = base + "-" + strconv.Itoa(i)
		}
		used[e.name] = true
		out = append(out, e)
	}
	return out
}

func environmentName(description, host string) string {
	if d := generator.Slug(description); description != "" && len(d) <= 24 {
		return d
	}
	if host == "localhost" {
		return "local"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return "local"
	}
	return generator.Slug(host)
}

// starterSchemes lists the document's security schemes and decides which
// are active: for each operation that needs credentials (in plan order),
// when no active scheme set already satisfies one of its alternatives,
// the first alternative smoke can present becomes active. One credential
// per operation is then enough, and every operation gets one.
func starterSchemes(doc *spec.Document) []starterScheme {
	schemes := doc.SecuritySchemes()
	if len(schemes) == 0 {
		return nil
	}
	defs := map[string]spec.SecurityScheme{}
	for _, s := range schemes {
		defs[s.Name] = s
	}
	supported := func(n string) bool {
		s, ok := defs[n]
		return ok && !strings.EqualFold(s.Type, "mutualTLS")
	}
	active := map[string]bool{}
	required := map[string]bool{}
	alternativeTo := map[string][]string{}
	for _, op := range doc.Operations() {
		reqs := doc.Security(op)
		optional := len(reqs) == 0
		for _, r := range reqs {
			if len(r) == 0 {
				optional = true
			}
			for _, n := range r {
				required[n] = true
			}
		}
		if optional {
			continue
		}
		satisfied := slices.IndexFunc(reqs, func(r []string) bool {
			return !slices.ContainsFunc(r, func(n string) bool { return !active[n] })
		})
		if satisfied < 0 {
			satisfied = slices.IndexFunc(reqs, func(r []string) bool {
				return !slices.ContainsFunc(r, func(n string) bool { return !supported(n) })
			})
			if satisfied >= 0 {
				for _, n := range reqs[satisfied] {
					active[n] = true
				}
			}
		}
		if satisfied < 0 {
			continue
		}
		for i, r := range reqs {
			if i == satisfied {
				continue
			}
			for _, n := range r {
				alternativeTo[n] = append(alternativeTo[n], reqs[satisfied]...)
			}
		}
	}
	var out []starterScheme
	taken := map[string]bool{}
	for _, sch := range schemes {
		n := sch.Name
		s := starterScheme{name: n, scheme: sch}
		switch {
		case !supported(n):
			s.state = schemeUnsupported
		case active[n]:
			s.state = schemeActive
		case required[n]:
			s.state = schemeAlternative
			s.instead = uniqueSorted(alternativeTo[n])
		default:
			s.state = schemeUnused
		}
		if s.state != schemeUnsupported {
			s.vars = schemeVariables(n, s.scheme, taken)
		}
		out = append(out, s)
	}
	return out
}

func uniqueSorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func isBasic(s spec.SecurityScheme) bool {
	return strings.EqualFold(s.Type, "http") && strings.EqualFold(s.Scheme, "basic")
}

// schemeVariables names the environment variables of a scheme (see
// EnvName); taken holds the names given so far, so that two schemes never
// share one.
func schemeVariables(name string, s spec.SecurityScheme, taken map[string]bool) []string {
	suffixes := []string{"TOKEN"}
	if isBasic(s) {
		suffixes = []string{"USERNAME", "PASSWORD"}
	}
	base := envBase(name)
	for i := 1; ; i++ {
		b := base
		if i > 1 {
			b += "_" + strconv.Itoa(i)
		}
		vars := make([]string, len(suffixes))
		free := true
		for j, suf := range suffixes {
			vars[j] = withSuffix(b, suf)
			free = free && !taken[vars[j]]
		}
		if free {
			for _, v := range vars {
				taken[v] = true
			}
			return vars
		}
	}
}

// envBase is a scheme name in upper snake case: camelCase split, letters
// and digits kept, every other run of characters one underscore; AUTH_ in
// front of a leading digit, AUTH for a name with no letter or digit.
func envBase(name string) string {
	var b strings.Builder
	rs := []rune(name)
	sep := false
	for i, r := range rs {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			sep = b.Len() > 0
			continue
		}
		if unicode.IsUpper(r) && i > 0 && b.Len() > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1]) && rs[i+1] <= unicode.MaxASCII
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				sep = true
			}
		}
		if sep {
			b.WriteByte('_')
			sep = false
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	s := b.String()
	switch {
	case s == "":
		return "AUTH"
	case s[0] >= '0' && s[0] <= '9':
		return "AUTH_" + s
	}
	return s
}

// withSuffix appends _SUFFIX unless base already ends with that word.
func withSuffix(base, suffix string) string {
	if base == suffix || strings.HasSuffix(base, "_"+suffix) {
		return base
	}
	return base + "_" + suffix
}

// render writes the file. Every value that comes from the spec goes
// through yamlScalar or oneLine: a title, a description or a path can
// neither break the YAML nor escape a comment.
func (st *starter) render() string {
	var b strings.Builder
	p := st.l.Plan
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	title := strings.TrimSpace(p.Spec.Title + " " + p.Spec.Version)
	from := st.is.load.Spec
	if from == "-" {
		from = "standard input"
	}
	w("# smoke.yaml for %s, written by `smoke init`\n", oneLine(strconv.Quote(title)))
	w("# from %s.\n", oneLine(from))
	w("# Every key is optional; flags and SMOKE_* variables win over it.\n")
	w("# Each command's --help describes the keys it reads.\n\n")

	w("# The service's name: part of every check ID and of the Datadog tags.\n")
	w("# Keep it once tests are published.\n")
	w("service: %s\n\n", yamlScalar(st.service))

	if st.is.specRef != "" {
		w("# The OpenAPI document, relative to this file (or a URL).\n")
		w("spec: %s\n\n", yamlScalar(st.is.specRef))
	} else {
		w("# The OpenAPI document, relative to this file (or a URL). It was read\n")
		w("# from standard input: write where it lives.\n")
		w("# spec: openapi.yaml\n\n")
	}

	st.renderEnvironments(&b)
	st.renderAuth(&b)

	w("# How smoke run sends and judges; flags win. A latency budget also\n")
	w("# becomes a threshold of `smoke export k6`.\n")
	w("# run:\n")
	w("#   timeout: %s\n", runner.DefaultTimeout)
	w("#   concurrency: %d\n", runner.DefaultConcurrency)
	w("#   rate: 0             # requests per second, 0: unlimited\n")
	w("#   latency_ms: 500     # budget of every check (operations can set their own)\n")
	w("#   fail_on: failed     # unexercised: a check that did not do its job fails too\n")
	w("#   baseline: smoke-baseline.yaml  # findings accepted until they expire;\n")
	w("#                                  # --write-baseline records today's for review\n\n")

	st.renderWrites(&b)
	st.renderParameters(&b)
	st.renderFixtures(&b)
	return b.String()
}

// renderParameters writes a commented parameters: block for the path
// parameters smoke invents in several operations and no create of the
// spec gives: a parent scope (a server, a tenant, an organisation) that
// must exist on the target, one line for every operation.
func (st *starter) renderParameters(b *strings.Builder) {
	safe := map[string]bool{}
	for _, c := range st.l.Plan.Checks {
		safe[c.ID] = c.Safe
	}
	count := map[string]int{}
	example := map[string]generator.Param{}
	where := map[string]string{}
	for _, c := range st.l.Plan.Checks {
		for _, p := range c.Request.Path {
			if p.Source != generator.SourceGenerated {
				continue
			}
			created := slices.ContainsFunc(c.Bindings, func(x generator.Binding) bool {
				return x.In == generator.InPath && x.Name == p.Name && !safe[x.Producer]
			})
			if created {
				continue
			}
			if count[p.Name] == 0 {
				example[p.Name], where[p.Name] = p, c.Method+" "+c.Path
			}
			count[p.Name]++
		}
	}
	var names []string
	for name, n := range count {
		if n >= 2 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return
	}
	slices.SortFunc(names, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("# Values for parameters by name, in every operation that has one (an\n")
	w("# operation's own fixture wins). These path parameters have no example and\n")
	w("# no create in the spec gives them: name what exists on the target.\n")
	w("# parameters:\n")
	for _, name := range names {
		w("#   %s: %s  # %s, in %d operations\n", yamlScalar(name), yamlScalar(example[name].Value), st.pathParamType(where[name], name), count[name])
	}
	w("\n")
}

func (st *starter) renderEnvironments(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("# Named deployments: `smoke run --base-url NAME` sends to one. Add yours\n")
	w("# (staging, old, new); a base_url or header may use ${VAR}.\n")
	if len(st.envs) == 0 {
		w("# The spec lists no server.\n")
		w("# environments:\n")
		w("#   staging:\n")
		w("#     base_url: https://staging.example.com\n")
	} else if st.activeEnvironments() == 0 {
		for _, e := range st.envs {
			w("# The spec's server %s has no scheme and host: name the deployment's.\n", oneLine(strconv.Quote(st.serverURL(e))))
		}
		w("# environments:\n")
		for _, e := range st.envs {
			w("#   %s:\n#     base_url: %s\n", yamlScalar(e.name), yamlScalar(e.url))
		}
	} else {
		w("environments:\n")
		for _, e := range st.envs {
			st.renderEnvironment(b, e)
		}
	}
	w("\n# The target when neither --base-url nor SMOKE_BASE_URL is given: a URL\n")
	w("# or an environment's name. Without it, smoke uses the spec's first server.\n")
	w("# base_url: staging\n\n")
}

func (st *starter) renderEnvironment(b *strings.Builder, e starterEnv) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	if e.relative {
		w("  # The spec's server %s has no scheme and host: name the deployment's.\n", oneLine(strconv.Quote(st.serverURL(e))))
		w("  # %s:\n", yamlScalar(e.name))
		w("  #   base_url: %s\n", yamlScalar(e.url))
		return
	}
	if e.description != "" {
		w("  # %s\n", e.description)
	}
	for _, v := range e.variables {
		w("  # server variable %s\n", oneLine(v))
	}
	w("  %s:\n", yamlScalar(e.name))
	w("    base_url: %s\n", yamlScalar(e.url))
}

// serverURL is the spec's own text of a server, for the comment that
// shows it.
func (st *starter) serverURL(e starterEnv) string { return e.template }

func (st *starter) renderAuth(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	if len(st.schemes) == 0 {
		w("# Credentials, per security scheme; the spec declares none. For a\n")
		w("# header every request needs, use headers: (values may use ${VAR}).\n")
		w("# headers:\n")
		w("#   X-Api-Key: ${API_KEY}\n\n")
		return
	}
	w("# Credentials, one per security scheme of the spec, read from the\n")
	w("# environment when smoke sends; never write a secret here. Variable:\n")
	w("# the scheme's name in upper snake case, then _TOKEN (_USERNAME and\n")
	w("# _PASSWORD for HTTP basic).\n")
	anyActive := slices.ContainsFunc(st.schemes, func(s starterScheme) bool { return s.state == schemeActive })
	if anyActive {
		w("auth:\n")
	} else {
		w("# auth:\n")
	}
	for _, s := range st.schemes {
		w("  # %s: %s.\n", oneLine(s.name), schemeDescription(s.scheme))
		prefix := "  "
		switch s.state {
		case schemeAlternative:
			w("  # The operations that accept it also accept %s: uncomment to use it instead.\n", strings.Join(s.instead, " or "))
			prefix = "  # "
		case schemeUnused:
			w("  # No operation requires it.\n")
			prefix = "  # "
		case schemeUnsupported:
			w("  # smoke presents no client certificate: operations that require only\n")
			w("  # this scheme are sent without one.\n")
			continue
		}
		w("%s%s:\n", prefix, yamlScalar(s.name))
		if isBasic(s.scheme) {
			w("%s  username: ${%s}\n", prefix, s.vars[0])
			w("%s  password: ${%s}\n", prefix, s.vars[1])
		} else {
			w("%s  token: ${%s}\n", prefix, s.vars[0])
		}
	}
	w("\n")
}

// schemeDescription says in words what smoke sends for a scheme.
func schemeDescription(s spec.SecurityScheme) string {
	var d string
	switch strings.ToLower(s.Type) {
	case "http":
		switch {
		case strings.EqualFold(s.Scheme, "basic"):
			d = "HTTP basic, sent as \"Authorization: Basic ...\""
		case s.Scheme == "" || strings.EqualFold(s.Scheme, "bearer"):
			d = "HTTP bearer token, sent as \"Authorization: Bearer <token>\""
			if s.BearerFormat != "" {
				d += " (" + oneLine(s.BearerFormat) + ")"
			}
		default:
			d = fmt.Sprintf("HTTP %s, sent as \"Authorization: %s <token>\"", oneLine(strconv.Quote(s.Scheme)), oneLine(s.Scheme))
		}
	case "apikey":
		where := map[string]string{"query": "query parameter", "cookie": "cookie"}[s.In]
		if where == "" {
			where = "header"
		}
		d = fmt.Sprintf("API key in %s %s", where, oneLine(strconv.Quote(s.ParamName)))
	case "oauth2":
		d = "OAuth 2.0: get a token outside smoke; sent as \"Authorization: Bearer <token>\""
	case "openidconnect":
		d = "OpenID Connect: get a token outside smoke; sent as \"Authorization: Bearer <token>\""
	case "mutualtls":
		d = "mutual TLS"
	default:
		d = "type " + oneLine(strconv.Quote(s.Type)) + ", sent as a bearer token"
	}
	return d
}

// renderWrites lists the operations that write, as a commented exclude
// list.
func (st *starter) renderWrites(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	var writes []generator.Check
	for _, c := range st.l.Plan.Checks {
		if !c.Safe {
			writes = append(writes, c)
		}
	}
	if len(writes) == 0 {
		w("# Every operation of the spec is read-only (GET, HEAD, OPTIONS, TRACE).\n\n")
		return
	}
	w("# smoke run sends every operation, writes included: it is meant for\n")
	w("# staging (smoke diff sends writes only with --allow-writes). A write\n")
	w("# on an id that no create of the run gave and you did not give here\n")
	w("# is never sent.\n")
	w("# %s To leave them all out, uncomment\n", plural(len(writes), "operation of the spec writes.", "operations of the spec write."))
	w("# read_only; to leave out some, exclude them (--read-only and --exclude\n")
	w("# do the same on the command line).\n")
	w("# read_only: true\n")
	w("# exclude:\n")
	ids := operationIDCounts(st.l.Plan.Checks)
	patterns := make([]string, len(writes))
	width := 0
	for i, c := range writes {
		patterns[i] = yamlScalar(filterPattern(c, ids))
		width = max(width, min(len(patterns[i]), 40))
	}
	for i, c := range writes {
		line := "#   - " + patterns[i]
		if cm := checkComment(c); cm != "" {
			line += strings.Repeat(" ", max(width-len(patterns[i]), 0)) + cm
		}
		w("%s\n", line)
	}
	w("\n")
}

// filterPattern selects exactly one check: "METHOD /path" (braces are
// literal in a glob), op:ID when the path has glob characters, else id:.
func filterPattern(c generator.Check, ids map[string]int) string {
	if !strings.ContainsAny(c.Path, "*?") {
		return c.Method + " " + c.Path
	}
	if c.OperationID != "" && ids[c.OperationID] == 1 && !strings.ContainsAny(c.OperationID, " ") {
		return "op:" + c.OperationID
	}
	return "id:" + c.ID
}

func operationIDCounts(checks []generator.Check) map[string]int {
	ids := map[string]int{}
	for _, c := range checks {
		if c.OperationID != "" {
			ids[c.OperationID]++
		}
	}
	return ids
}

// checkComment is "  # operationId: summary", one line.
func checkComment(c generator.Check) string {
	var parts []string
	if c.OperationID != "" {
		parts = append(parts, c.OperationID)
	}
	if c.Summary != "" {
		parts = append(parts, c.Summary)
	}
	if len(parts) == 0 {
		return ""
	}
	return "  # " + truncate(oneLine(strings.Join(parts, ": ")), 100)
}

// renderFixtures writes commented fixtures for the path parameters whose
// value smoke invents.
func (st *starter) renderFixtures(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	ids := operationIDCounts(st.l.Plan.Checks)
	var n int
	var body strings.Builder
	for _, c := range st.l.Plan.Checks {
		var invented []generator.Param
		for _, p := range c.Request.Path {
			if p.Source == generator.SourceGenerated {
				invented = append(invented, p)
			}
		}
		if len(invented) == 0 {
			continue
		}
		n++
		key := c.Method + " " + c.Path
		if c.OperationID != "" && ids[c.OperationID] == 1 && generator.OperationKey(c.OperationID) == c.OperationID && !strings.Contains(c.OperationID, " ") {
			key = c.OperationID
		}
		fmt.Fprintf(&body, "#   %s:%s\n", yamlScalar(key), fixtureComment(c, key))
		fmt.Fprintf(&body, "#     path:\n")
		for _, p := range invented {
			fmt.Fprintf(&body, "#       %s: %s  # %s, invented\n", yamlScalar(p.Name), yamlScalar(p.Value), st.pathParamType(c.Method+" "+c.Path, p.Name))
		}
	}
	w("# Per-operation settings, keyed by operationId or \"METHOD /path\": values\n")
	w("# to send (path, query, headers, cookies, body), skip, expect_status,\n")
	w("# latency_ms, skip_assertions.\n")
	if n == 0 {
		if len(st.l.Plan.Checks) > 0 {
			w("# Every path parameter has an example in the spec. For instance:\n")
			st.renderExample(b)
		}
		return
	}
	w("# %s a path parameter the spec gives no example for: smoke\n", plural(n, "operation has", "operations have"))
	w("# invents a value, and most services answer 404 to an id nobody created.\n")
	w("# Give values that exist on the target:\n")
	w("# operations:\n")
	b.WriteString(body.String())
}

// renderExample writes a commented operations entry for the first check,
// with the values smoke would send for its path parameters.
func (st *starter) renderExample(b *strings.Builder) {
	c := st.l.Plan.Checks[0]
	for _, x := range st.l.Plan.Checks {
		if len(x.Request.Path) > 0 {
			c = x
			break
		}
	}
	fmt.Fprintf(b, "# operations:\n#   %s:\n", yamlScalar(c.Method+" "+c.Path))
	if len(c.Request.Path) > 0 {
		fmt.Fprintf(b, "#     path:\n")
		for _, p := range c.Request.Path {
			fmt.Fprintf(b, "#       %s: %s\n", yamlScalar(p.Name), yamlScalar(p.Value))
		}
	}
	if len(c.Expect.Status) > 0 {
		fmt.Fprintf(b, "#     expect_status: [%s]\n", yamlScalar(c.Expect.Status[0]))
	}
	fmt.Fprintf(b, "#     latency_ms: 250\n")
}

func fixtureComment(c generator.Check, key string) string {
	if key == c.Method+" "+c.Path {
		return checkComment(generator.Check{Summary: c.Summary})
	}
	return "  # " + truncate(oneLine(c.Method+" "+c.Path), 100)
}

// pathParamType describes the schema of a path parameter of the
// operation "METHOD /path": "integer (int64)".
func (st *starter) pathParamType(op, name string) string {
	if st.ops == nil {
		st.ops = map[string]spec.Operation{}
		for _, o := range st.l.Doc.Operations() {
			st.ops[o.Method+" "+o.Path] = o
		}
	}
	if t := st.ops[op].ParamType("path", name); t != "" {
		return oneLine(t)
	}
	return "value"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// oneLine makes text from the spec safe inside a YAML comment: control
// characters and line breaks (Unicode's too) become spaces, runs of space
// one.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\ufeff' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

var (
	plainScalar = regexp.MustCompile(`^(?:\.\.?/|[A-Za-z_/])(?:[A-Za-z0-9_./:-]*[A-Za-z0-9_./-])?$|^\$\{[A-Za-z_][A-Za-z0-9_]*\}$`)
	plainInt    = regexp.MustCompile(`^(0|-?[1-9][0-9]{0,14})$`)
	yamlWords   = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}
)

// yamlScalar writes s as a YAML scalar that reads back as exactly s (or,
// for a small integer, as the number whose text is s): plain when that is
// unambiguous, else double-quoted. A JSON string is a valid YAML
// double-quoted scalar, escapes included.
func yamlScalar(s string) string {
	if plainInt.MatchString(s) {
		return s
	}
	if plainScalar.MatchString(s) && !yamlWords[strings.ToLower(s)] {
		return s
	}
	q, _ := json.Marshal(s) // a string always encodes
	// JSON leaves some runes raw that YAML refuses (DEL, C1 controls,
	// U+FFFE) or folds into a space (NEL): escape those too.
	var b strings.Builder
	for _, r := range string(q) {
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0xfeff || r == 0xfffe || r == 0xffff {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
