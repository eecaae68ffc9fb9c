package generator

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/spec"
)

// Inference of bindings, in the order DESIGN.md gives: the document's
// OpenAPI links first; then the Location header a create documents on
// its 201; then names — a parameter is matched, case-insensitively and
// with singular and plural forms, to a field of the answer of the
// operation that creates its resource (POST on the collection the path
// hierarchy names) or of the items of the operation that lists it (GET on
// that collection). RPC-style documents (etcd's gateway: POST
// /v3/lease/grant, /v3/lease/revoke) are grouped by the resource segment
// before the verb. Every guess is confirmed at run time against what the
// producer actually returned; a wrong one falls back to the static value.

// chain infers the bindings of plan.Checks (ops[i] is the operation of
// plan.Checks[i]), applies smoke.yaml's bind settings, breaks cycles and
// builds the plan's graph.
func chain(plan *Plan, ops []spec.Operation, pol policy) error {
	in := newInferrer(plan.Checks, ops)
	in.links()
	in.paths()
	in.bodies()
	in.fixtures()
	if err := in.overrides(ops, pol); err != nil {
		return err
	}
	if err := in.breakCycles(); err != nil {
		return err
	}
	for i := range plan.Checks {
		plan.Checks[i].Bindings = in.binds[i]
	}
	plan.Graph = in.graph()
	plan.Warnings = append(plan.Warnings, in.warnings...)
	return nil
}

// opInfo is what inference needs to know of one operation.
type opInfo struct {
	method string
	path   string
	segs   []string // path segments, braces kept
	key    string   // segments, parameters as {} and static ones singular lower case
	safe   bool
	resp   *openapi3.Schema // JSON schema of the success answer
	// location is true when a 2XX answer documents a Location header.
	location bool
	body     *openapi3.Schema // JSON or form request body schema
	// rpcKey and verb are set for RPC-style operations (POST
	// /v3/lease/grant: "lease", "grant").
	rpcKey, verb string
	op           *openapi3.Operation
	item         *openapi3.PathItem
}

type inferrer struct {
	checks []Check
	info   []opInfo
	binds  [][]Binding
	byKey  map[string][]int
	byOpID map[string][]int
	byName map[string]int // "METHOD /path"
	// rpc maps an RPC resource key to its create and that create's
	// identifier.
	rpc map[string]rpcCreate
	// rest maps a resource name (singular, normalised) to the creates of
	// its collections, for foreign keys ("petId" in another body).
	rest     map[string][]int
	warnings []string
	sx       *schemaIndex
}

type rpcCreate struct {
	op    int
	ident ident
}

// ident is where a create's answer (or request) names what it made.
type ident struct {
	expr string // runtime expression
	kind string // id, name or key
	prop string // the normalised property name
}

// Verbs of RPC-style operations, in order of preference.
var (
	createVerbs = []string{"create", "add", "new", "insert", "register", "put", "grant", "allocate"}
	deleteVerbs = []string{"delete", "remove", "destroy", "revoke", "deleterange", "unregister", "release", "del", "drop", "purge"}
	readVerbs   = []string{"get", "read", "show", "describe", "inspect", "info", "fetch", "timetolive", "status"}
	listVerbs   = []string{"list", "all", "search", "json"}
	// idSuffixes are what a parameter named after its resource ends in:
	// petId, issue_number, user_name.
	idSuffixes = []string{"id", "uuid", "name", "number", "key", "slug", "code"}
)

func newInferrer(checks []Check, ops []spec.Operation) *inferrer {
	in := &inferrer{
		checks: checks,
		info:   make([]opInfo, len(ops)),
		binds:  make([][]Binding, len(ops)),
		byKey:  map[string][]int{},
		byOpID: map[string][]int{},
		byName: map[string]int{},
		rpc:    map[string]rpcCreate{},
		rest:   map[string][]int{},
		sx:     newSchemaIndex(),
	}
	// A prefix with a POST child named by a create verb (/v3/kv/put) is
	// an RPC resource: every POST child of it is one of its verbs
	// (/v3/kv/range).
	rpcPrefix := map[string]bool{}
	for _, op := range ops {
		segs := pathSegments(op.Path)
		if n := len(segs); op.Method == "POST" && n >= 2 && !isParamSegment(segs[n-2]) && slices.Contains(createVerbs, strings.ToLower(segs[n-1])) {
			rpcPrefix[templateKey(segs[:n-1])] = true
		}
	}
	for i, op := range ops {
		inf := opInfo{method: op.Method, path: op.Path, safe: IsSafe(op.Method), op: op.Operation, item: op.PathItem}
		inf.segs = pathSegments(op.Path)
		inf.key = templateKey(inf.segs)
		inf.resp, inf.location = successSchema(op.Operation)
		inf.body = requestSchema(op.Operation)
		if n := len(inf.segs); op.Method == "POST" && n >= 2 && !isParamSegment(inf.segs[n-1]) && !isParamSegment(inf.segs[n-2]) {
			verb := strings.ToLower(inf.segs[n-1])
			res := singular(strings.ToLower(inf.segs[n-2]))
			if isVerb(verb) || verb == plural(res) || rpcPrefix[templateKey(inf.segs[:n-1])] {
				inf.rpcKey, inf.verb = norm(res), verb
			}
		}
		in.info[i] = inf
		in.byKey[inf.key] = append(in.byKey[inf.key], i)
		in.byName[op.Method+" "+op.Path] = i
		if id := op.Operation.OperationID; id != "" {
			in.byOpID[id] = append(in.byOpID[id], i)
		}
	}
	in.indexCreates()
	return in
}

// indexCreates finds the create of every RPC resource and the creates of
// REST collections.
func (in *inferrer) indexCreates() {
	best := map[string]int{}
	for i, inf := range in.info {
		if inf.rpcKey != "" {
			rank := slices.Index(createVerbs, inf.verb)
			if rank < 0 {
				continue
			}
			id, ok := in.sx.rpcIdent(inf, inf.rpcKey)
			if !ok {
				continue
			}
			if b, seen := best[inf.rpcKey]; seen && b <= rank {
				continue
			}
			best[inf.rpcKey] = rank
			in.rpc[inf.rpcKey] = rpcCreate{op: i, ident: id}
			continue
		}
		if inf.method != "POST" || len(inf.segs) == 0 || isParamSegment(inf.segs[len(inf.segs)-1]) {
			continue
		}
		res := norm(singular(strings.ToLower(inf.segs[len(inf.segs)-1])))
		if slices.Contains(createVerbs, res) && len(inf.segs) >= 2 && !isParamSegment(inf.segs[len(inf.segs)-2]) {
			res = norm(singular(strings.ToLower(inf.segs[len(inf.segs)-2])))
		}
		in.rest[res] = append(in.rest[res], i)
	}
}

func isVerb(v string) bool {
	return slices.Contains(createVerbs, v) || slices.Contains(deleteVerbs, v) || slices.Contains(readVerbs, v) ||
		slices.Contains(listVerbs, v) || strings.HasPrefix(v, "delete") || strings.HasPrefix(v, "update") ||
		strings.HasPrefix(v, "change") || v == "promote" || v == "keepalive" || v == "leases"
}

// rpcIdent finds what an RPC create's exchange names its resource by: an
// id-like field of its answer, else a name, key or id it was sent.
func (x *schemaIndex) rpcIdent(inf opInfo, res string) (ident, bool) {
	for _, cand := range []string{"id", res + "id", "uuid", res + "uuid"} {
		if ptr, ok := x.findField(inf.resp, res, cand); ok {
			return ident{expr: "$response.body#" + ptr, kind: "id", prop: cand}, true
		}
	}
	for _, c := range []struct{ name, kind string }{
		{"id", "id"}, {res + "id", "id"}, {"name", "name"}, {res + "name", "name"}, {"key", "key"}, {res + "key", "key"}, {res, "name"},
	} {
		if p, ok := x.scalarProp(inf.body, c.name); ok {
			return ident{expr: "$request.body#" + JoinPointer(p), kind: c.kind, prop: c.name}, true
		}
	}
	return ident{}, false
}

// add records a binding of check ci. Of two bindings of one target from
// one producer the first stays; bindings of one target from different
// producers are alternatives.
func (in *inferrer) add(ci int, b Binding) {
	if b.Producer == in.checks[ci].ID {
		return
	}
	for _, x := range in.binds[ci] {
		if x.In == b.In && x.Name == b.Name && x.Producer == b.Producer {
			return
		}
	}
	in.binds[ci] = append(in.binds[ci], b)
}

func (in *inferrer) bound(ci int, where, name string) bool {
	return slices.ContainsFunc(in.binds[ci], func(b Binding) bool { return b.In == where && b.Name == name })
}

func (in *inferrer) binding(ci, producer int, where, name, expr, origin string) Binding {
	p := in.checks[producer]
	return Binding{In: where, Name: name, Producer: p.ID, Operation: p.Method + " " + p.Path, From: expr, Origin: origin}
}

// links turns the document's OpenAPI links into bindings.
func (in *inferrer) links() {
	for pi := range in.checks {
		op := in.op(pi)
		if op == nil || op.Responses == nil {
			continue
		}
		for _, status := range slices.Sorted(maps.Keys(op.Responses.Map())) {
			r := op.Responses.Value(status)
			if r == nil || r.Value == nil || !successKey(status) {
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(r.Value.Links)) {
				l := r.Value.Links[name]
				if l == nil || l.Value == nil {
					continue
				}
				in.link(pi, name, l.Value)
			}
		}
	}
}

// ops of the document, kept by index for links.
func (in *inferrer) op(i int) *openapi3.Operation {
	return in.info[i].op
}

func (in *inferrer) link(pi int, name string, l *openapi3.Link) {
	where := fmt.Sprintf("%s %s: link %q", in.checks[pi].Method, in.checks[pi].Path, name)
	target := -1
	switch {
	case l.OperationID != "":
		ids := in.byOpID[l.OperationID]
		if len(ids) != 1 {
			in.warnings = append(in.warnings, fmt.Sprintf("%s: operationId %q names %d operations of the plan; ignored", where, l.OperationID, len(ids)))
			return
		}
		target = ids[0]
	case l.OperationRef != "":
		t, ok := in.operationRef(l.OperationRef)
		if !ok {
			in.warnings = append(in.warnings, fmt.Sprintf("%s: operationRef %q names no operation of the plan; ignored", where, l.OperationRef))
			return
		}
		target = t
	default:
		return
	}
	for _, pname := range slices.Sorted(maps.Keys(l.Parameters)) {
		s, ok := l.Parameters[pname].(string)
		if !ok || !strings.Contains(s, "$") {
			continue // a constant: the check's own value stands
		}
		e, err := ParseExpr(s)
		if err != nil {
			in.warnings = append(in.warnings, fmt.Sprintf("%s: parameter %s: %v; ignored", where, pname, err))
			continue
		}
		loc, pn, ok := in.paramOf(target, pname)
		if !ok {
			in.warnings = append(in.warnings, fmt.Sprintf("%s: %s has no parameter %q; ignored", where, in.name(target), pname))
			continue
		}
		in.add(target, in.binding(target, pi, loc, pn, e.String(), OriginLinks))
	}
	if body, ok := l.RequestBody.(map[string]any); ok {
		for _, field := range slices.Sorted(maps.Keys(body)) {
			s, ok := body[field].(string)
			if !ok || !strings.Contains(s, "$") {
				continue
			}
			e, err := ParseExpr(s)
			if err != nil {
				in.warnings = append(in.warnings, fmt.Sprintf("%s: requestBody %s: %v; ignored", where, field, err))
				continue
			}
			in.add(target, in.binding(target, pi, InBody, JoinPointer(field), e.String(), OriginLinks))
		}
	}
}

// operationRef resolves a local operationRef ("#/paths/~1users~1{id}/get").
func (in *inferrer) operationRef(ref string) (int, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return 0, false
	}
	toks, err := SplitPointer(frag)
	if err != nil || len(toks) != 3 || toks[0] != "paths" {
		return 0, false
	}
	i, ok := in.byName[strings.ToUpper(toks[2])+" "+toks[1]]
	return i, ok
}

// paramOf finds the parameter a link names, qualified ("path.id") or not.
func (in *inferrer) paramOf(ci int, name string) (where, pname string, ok bool) {
	r := in.checks[ci].Request
	lists := []struct {
		in string
		ps []Param
	}{{InPath, r.Path}, {InQuery, r.Query}, {InHeader, r.Headers}, {InCookie, r.Cookies}}
	if q, n, found := strings.Cut(name, "."); found && slices.Contains([]string{InPath, InQuery, InHeader, InCookie}, q) {
		for _, p := range in.declared(ci) {
			if p.In == q && (p.Name == n || (q == InHeader && strings.EqualFold(p.Name, n))) {
				return q, p.Name, true
			}
		}
		return "", "", false
	}
	for _, l := range lists {
		for _, p := range l.ps {
			if p.Name == name || (l.in == InHeader && strings.EqualFold(p.Name, name)) {
				return l.in, p.Name, true
			}
		}
	}
	// A parameter the check does not send (optional, no example) is
	// still declared by the operation.
	for _, p := range in.declared(ci) {
		if p.Name == name {
			return p.In, p.Name, true
		}
	}
	return "", "", false
}

// paths binds path parameters by the path hierarchy.
func (in *inferrer) paths() {
	for ci := range in.checks {
		inf := in.info[ci]
		for k, s := range inf.segs {
			if !isParamSegment(s) || k == 0 || isParamSegment(inf.segs[k-1]) {
				continue
			}
			name := s[1 : len(s)-1]
			if in.bound(ci, InPath, name) {
				continue
			}
			res := singular(strings.ToLower(inf.segs[k-1]))
			prefix := templateKey(inf.segs[:k])
			if b, ok := in.fromCreate(ci, prefix, name, res); ok {
				in.add(ci, b)
			}
			if inf.safe {
				if b, ok := in.fromList(ci, prefix, name, res); ok {
					in.add(ci, b)
				}
			}
		}
	}
}

// fromCreate binds a parameter to the create of the collection prefix:
// its Location, else a field of its answer.
func (in *inferrer) fromCreate(ci int, prefix, name, res string) (Binding, bool) {
	for _, p := range in.candidates(prefix, "POST", createVerbs) {
		if p == ci || !in.sameParents(p, ci) {
			continue
		}
		if in.info[p].location {
			return in.binding(ci, p, InPath, name, "$response.header.Location", OriginLocation), true
		}
		if ptr, ok := in.sx.fieldFor(in.info[p].resp, name, res); ok {
			return in.binding(ci, p, InPath, name, "$response.body#"+ptr, OriginInferred), true
		}
	}
	return Binding{}, false
}

// candidates lists the operations with method on the collection prefix,
// then on its verb paths (prefix/create, prefix/list, …) in the order of
// verbs.
func (in *inferrer) candidates(prefix, method string, verbs []string) []int {
	keys := []string{prefix}
	for _, v := range verbs {
		keys = append(keys, prefix+"/"+v)
	}
	var out []int
	for _, key := range keys {
		for _, p := range in.byKey[key] {
			if in.info[p].method == method {
				out = append(out, p)
			}
		}
	}
	return out
}

// fromList binds a parameter of a safe check to the first item of the
// list of the collection prefix.
func (in *inferrer) fromList(ci int, prefix, name, res string) (Binding, bool) {
	for _, p := range in.candidates(prefix, "GET", listVerbs) {
		if p == ci || !in.sameParents(p, ci) {
			continue
		}
		items, base, ok := in.sx.listItems(in.info[p].resp, res)
		if !ok {
			continue
		}
		if ptr, ok := in.sx.fieldFor(items, name, res); ok {
			return in.binding(ci, p, InPath, name, "$response.body#"+base+ptr, OriginInferred), true
		}
	}
	return Binding{}, false
}

// bodies binds body fields and query parameters: RPC resources by their
// create's identifier, and foreign keys (petId) to the create of their
// resource.
func (in *inferrer) bodies() {
	for ci := range in.checks {
		inf := in.info[ci]
		props := in.sx.properties(inf.body)
		for _, f := range slices.Sorted(maps.Keys(props)) {
			if !isScalar(props[f]) || in.bound(ci, InBody, JoinPointer(f)) {
				continue
			}
			if b, ok := in.rpcField(ci, f); ok {
				in.add(ci, b)
				continue
			}
			if b, ok := in.sameCollection(ci, f); ok {
				in.add(ci, b)
				continue
			}
			if in.sent(ci, InBody, f) || slices.Contains(inf.body.Required, f) {
				if b, ok := in.foreignKey(ci, InBody, JoinPointer(f), f); ok {
					in.add(ci, b)
				}
			}
		}
		for _, q := range in.checks[ci].Request.Query {
			if q.Secret || in.bound(ci, InQuery, q.Name) {
				continue
			}
			if b, ok := in.foreignKey(ci, InQuery, q.Name, q.Name); ok {
				in.add(ci, b)
			}
		}
	}
}

// rpcField binds a body field of an RPC-style operation: to the create
// of its own resource when the field names it ("ID", "name", "role" in
// /v3/auth/role/get), or to the create of the resource the field is
// named after ("lease" in /v3/kv/put).
func (in *inferrer) rpcField(ci int, f string) (Binding, bool) {
	inf := in.info[ci]
	nf := norm(f)
	if inf.rpcKey != "" {
		if g, ok := in.rpc[inf.rpcKey]; ok && g.op != ci {
			r := inf.rpcKey
			if nf == g.ident.prop || nf == r || nf == r+g.ident.kind || nf == g.ident.kind {
				return in.binding(ci, g.op, InBody, JoinPointer(f), g.ident.expr, OriginInferred), true
			}
		}
	}
	if inf.rpcKey != "" || inf.method == "POST" {
		if g, ok := in.rpc[nf]; ok && g.op != ci && nf != inf.rpcKey {
			return in.binding(ci, g.op, InBody, JoinPointer(f), g.ident.expr, OriginInferred), true
		}
	}
	return Binding{}, false
}

// sameCollection binds the id field of a PUT, PATCH or DELETE on a
// collection path to that collection's create (PUT /pet {"id": …} ←
// POST /pet).
func (in *inferrer) sameCollection(ci int, f string) (Binding, bool) {
	inf := in.info[ci]
	if inf.method == "POST" || inf.safe || len(inf.segs) == 0 || isParamSegment(inf.segs[len(inf.segs)-1]) {
		return Binding{}, false
	}
	res := norm(singular(strings.ToLower(inf.segs[len(inf.segs)-1])))
	if nf := norm(f); nf != "id" && nf != res+"id" {
		return Binding{}, false
	}
	for _, p := range in.byKey[inf.key] {
		if in.info[p].method != "POST" {
			continue
		}
		if ptr, ok := in.sx.fieldFor(in.info[p].resp, f, res); ok {
			return in.binding(ci, p, InBody, JoinPointer(f), "$response.body#"+ptr, OriginInferred), true
		}
	}
	return Binding{}, false
}

// foreignKey binds a value named after another resource's id ("petId",
// "owner_id") to the create of that resource.
func (in *inferrer) foreignKey(ci int, where, target, f string) (Binding, bool) {
	nf := norm(f)
	for _, suffix := range []string{"id", "uuid"} {
		res, ok := strings.CutSuffix(nf, suffix)
		if !ok || res == "" {
			continue
		}
		for _, p := range in.rest[res] {
			if p == ci || !in.inScope(p, ci) {
				continue
			}
			if ptr, ok := in.sx.fieldFor(in.info[p].resp, f, res); ok {
				return in.binding(ci, p, where, target, "$response.body#"+ptr, OriginInferred), true
			}
		}
	}
	return Binding{}, false
}

// sameParents reports whether the path parameters a producer's path
// shares with a consumer's, position by position, have the same names:
// /users/{user_id}/projectsV2/... produces nothing for
// /users/{username}/projectsV2/..., whose user is another value.
func (in *inferrer) sameParents(producer, consumer int) bool {
	ps, cs := in.info[producer].segs, in.info[consumer].segs
	for i := 0; i < len(ps) && i < len(cs); i++ {
		if isParamSegment(ps[i]) && isParamSegment(cs[i]) && norm(ps[i]) != norm(cs[i]) {
			return false
		}
	}
	return true
}

// inScope reports whether a create's collection lives where the consumer
// does: the create's parent path (its path without the collection
// segment) is a prefix of the consumer's path, parameters compared by
// position. A top-level collection is in every scope; /repos/{owner}/
// {repo}/keys is not in the scope of /orgs/{org}/secrets.
func (in *inferrer) inScope(producer, consumer int) bool {
	ps, cs := in.info[producer].segs, in.info[consumer].segs
	parent := ps[:max(len(ps)-1, 0)]
	if len(parent) > 0 && slices.Contains(createVerbs, strings.ToLower(ps[len(ps)-1])) {
		parent = parent[:len(parent)-1]
	}
	if len(parent) > len(cs) {
		return false
	}
	return templateKey(parent) == templateKey(cs[:len(parent)])
}

// sent reports whether the check's static request carries a top-level
// body field.
func (in *inferrer) sent(ci int, where, field string) bool {
	b := in.checks[ci].Request.Body
	if where != InBody || b == nil || mediaPreference(b.ContentType) > 1 {
		return false
	}
	doc, err := DecodeJSON([]byte(b.Text))
	if err != nil {
		return false
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	_, ok = obj[field]
	return ok
}

// fixtures drops the bindings of parameters, and of body fields, a
// smoke.yaml fixture sets: a value the user chose wins over everything
// the document says, links and inference alike (a bind entry still
// overrides it).
func (in *inferrer) fixtures() {
	for ci := range in.checks {
		r := in.checks[ci].Request
		in.binds[ci] = slices.DeleteFunc(in.binds[ci], func(b Binding) bool {
			var list []Param
			switch b.In {
			case InPath:
				list = r.Path
			case InQuery:
				list = r.Query
			case InHeader:
				list = r.Headers
			case InCookie:
				list = r.Cookies
			}
			if b.In == InBody {
				return fixedBodyField(r.Body, b.Name)
			}
			return slices.ContainsFunc(list, func(p Param) bool { return p.Name == b.Name && p.Source == SourceFixture })
		})
	}
}

// fixedBodyField reports whether a fixture body sets the field at
// pointer.
func fixedBodyField(b *Body, pointer string) bool {
	if b == nil || b.Source != SourceFixture || mediaPreference(b.ContentType) > 1 {
		return false
	}
	doc, err := DecodeJSON([]byte(b.Text))
	if err != nil {
		return false
	}
	_, ok := Lookup(doc, pointer)
	return ok
}

// overrides applies smoke.yaml's bind and chain settings.
func (in *inferrer) overrides(ops []spec.Operation, pol policy) error {
	for ci, op := range ops {
		set, ok := pol.forOp(op)
		if !ok {
			continue
		}
		if set.NoChain {
			in.binds[ci] = slices.DeleteFunc(in.binds[ci], func(b Binding) bool { return b.Origin != OriginConfig })
		}
		for _, rb := range set.Bind {
			where := rb.Where
			if where == "" {
				where = set.Where
			}
			prefix := fmt.Sprintf("operations: %s: bind %s", in.name(ci), Binding{In: rb.In, Name: rb.Name}.Target())
			if where != "" {
				prefix = where + ": " + prefix
			}
			if !in.declaredTarget(ci, rb.In, rb.Name) {
				return fmt.Errorf("%s: %s has no such parameter", prefix, in.name(ci))
			}
			in.binds[ci] = slices.DeleteFunc(in.binds[ci], func(b Binding) bool { return b.In == rb.In && b.Name == rb.Name })
			if rb.None {
				continue
			}
			p, err := in.lookup(rb.Operation)
			if err != nil {
				return fmt.Errorf("%s: %w", prefix, err)
			}
			if p == ci {
				return fmt.Errorf("%s: an operation cannot bind a value to its own exchange", prefix)
			}
			b := in.binding(ci, p, rb.In, rb.Name, rb.From, OriginConfig)
			in.binds[ci] = append([]Binding{b}, in.binds[ci]...)
		}
	}
	return nil
}

// lookup finds the check of an operation as smoke.yaml names it.
func (in *inferrer) lookup(key string) (int, error) {
	k := OperationKey(key)
	if i, ok := in.byName[k]; ok {
		return i, nil
	}
	switch ids := in.byOpID[k]; len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return 0, fmt.Errorf("%q matches no operation of the plan (use \"METHOD /path\" or an operationId; a skipped operation produces nothing)", key)
	}
	return 0, fmt.Errorf("%q is the operationId of several operations: name it as \"METHOD /path\"", key)
}

// declaredTarget reports whether a check can take a value at in/name:
// a parameter the operation declares, a header, or a body field.
func (in *inferrer) declaredTarget(ci int, where, name string) bool {
	switch where {
	case InHeader, InCookie:
		return true
	case InBody:
		return in.checks[ci].Request.Body != nil
	case InPath:
		return slices.ContainsFunc(in.checks[ci].Request.Path, func(p Param) bool { return p.Name == name })
	}
	if slices.ContainsFunc(in.checks[ci].Request.Query, func(p Param) bool { return p.Name == name }) {
		return true
	}
	return slices.ContainsFunc(in.declared(ci), func(p *openapi3.Parameter) bool { return p.In == where && p.Name == name })
}

func (in *inferrer) declared(ci int) []*openapi3.Parameter {
	inf := in.info[ci]
	if inf.op == nil {
		return nil
	}
	return mergeParams(inf.item.Parameters, inf.op.Parameters)
}

func (in *inferrer) name(ci int) string { return in.checks[ci].Method + " " + in.checks[ci].Path }

// rank orders binding origins, strongest first.
func rank(origin string) int {
	return slices.Index([]string{OriginConfig, OriginLinks, OriginLocation, OriginInferred}, origin)
}

// breakCycles drops inferred bindings until the bindings form no cycle:
// in each cycle found, the binding of the weakest origin (the latest in
// the plan among equals) goes, and a warning says so. A cycle of bindings
// set in smoke.yaml alone is an error.
func (in *inferrer) breakCycles() error {
	idx := map[string]int{}
	for i, c := range in.checks {
		idx[c.ID] = i
	}
	for {
		cyc := in.findCycle(idx)
		if cyc == nil {
			return nil
		}
		// cyc is a list of (consumer, binding index) edges.
		worst := -1
		for k, e := range cyc {
			b := in.binds[e[0]][e[1]]
			if b.Origin == OriginConfig {
				continue
			}
			if worst < 0 {
				worst = k
				continue
			}
			w := in.binds[cyc[worst][0]][cyc[worst][1]]
			if rank(b.Origin) > rank(w.Origin) || (rank(b.Origin) == rank(w.Origin) && e[0] > cyc[worst][0]) {
				worst = k
			}
		}
		var names []string
		for _, e := range cyc {
			names = append(names, in.name(e[0]))
		}
		names = append(names, names[0])
		if worst < 0 {
			return fmt.Errorf("operations: bind: the bindings set in smoke.yaml form a cycle (%s)", strings.Join(names, " ← "))
		}
		e := cyc[worst]
		b := in.binds[e[0]][e[1]]
		in.warnings = append(in.warnings, fmt.Sprintf("binding cycle %s: dropped %s of %s (from %s, %s); it sends its static value",
			strings.Join(names, " ← "), b.Target(), in.name(e[0]), b.Operation, b.Origin))
		in.binds[e[0]] = slices.Delete(in.binds[e[0]], e[1], e[1]+1)
	}
}

// findCycle returns the edges of one cycle of bindings (consumer index,
// binding index), or nil. Edges point from a consumer to its producer.
func (in *inferrer) findCycle(idx map[string]int) [][2]int {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(in.checks))
	type frame struct{ node, next int }
	for start := range in.checks {
		if color[start] != white || len(in.binds[start]) == 0 {
			continue
		}
		stack := []frame{{start, 0}}
		var path [][2]int // edge taken from each frame but the last
		color[start] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next >= len(in.binds[top.node]) {
				color[top.node] = black
				stack = stack[:len(stack)-1]
				if len(path) > 0 {
					path = path[:len(path)-1]
				}
				continue
			}
			bi := top.next
			top.next++
			p, ok := idx[in.binds[top.node][bi].Producer]
			if !ok {
				continue
			}
			switch color[p] {
			case grey:
				cyc := [][2]int{{top.node, bi}}
				for k := len(path) - 1; k >= 0 && path[k][0] != p; k-- {
					cyc = append(cyc, path[k])
				}
				for k := len(path) - 1; k >= 0; k-- {
					if path[k][0] == p {
						cyc = append(cyc, path[k])
						break
					}
				}
				slices.Reverse(cyc)
				return cyc
			case white:
				color[p] = grey
				path = append(path, [2]int{top.node, bi})
				stack = append(stack, frame{p, 0})
			}
		}
	}
	return nil
}

// graph assigns roles and builds groups and order.
func (in *inferrer) graph() Graph {
	var g Graph
	idx := map[string]int{}
	for i, c := range in.checks {
		idx[c.ID] = i
	}
	roles := make([]*Role, len(in.checks))
	for ci := range in.checks {
		p, role, ok := in.role(ci, idx)
		if !ok {
			continue
		}
		roles[ci] = &Role{Group: in.checks[p].ID, Role: role}
	}
	// A check that others' groups are built around is their create, even
	// when it uses another resource itself (a nested create).
	creates := map[int]bool{}
	for _, r := range roles {
		if r != nil {
			creates[idx[r.Group]] = true
		}
	}
	for p := range creates {
		roles[p] = &Role{Group: in.checks[p].ID, Role: RoleCreate}
	}
	for ci := range in.checks {
		in.checks[ci].Chain = roles[ci]
	}
	for _, p := range slices.Sorted(maps.Keys(creates)) {
		grp := Group{Create: in.checks[p].ID, Operation: in.name(p)}
		var deletes []int
		for ci, r := range roles {
			if r == nil || ci == p || r.Group != grp.Create {
				continue
			}
			switch r.Role {
			case RoleRead:
				if grp.Read == "" || (in.info[ci].method == "GET" && in.info[idx[grp.Read]].method != "GET") {
					if grp.Read != "" {
						grp.Use = append(grp.Use, grp.Read)
					}
					grp.Read = in.checks[ci].ID
				} else {
					grp.Use = append(grp.Use, in.checks[ci].ID)
				}
			case RoleUpdate:
				grp.Update = append(grp.Update, in.checks[ci].ID)
			case RoleDelete:
				deletes = append(deletes, ci)
			default:
				grp.Use = append(grp.Use, in.checks[ci].ID)
			}
		}
		if len(deletes) > 0 {
			slices.SortStableFunc(deletes, func(a, b int) int {
				switch {
				case PreferDelete(in.checks[a], in.checks[b], in.checks[p].Path):
					return -1
				case PreferDelete(in.checks[b], in.checks[a], in.checks[p].Path):
					return 1
				}
				return cmp.Compare(a, b)
			})
			grp.Delete = in.checks[deletes[0]].ID
			for _, d := range deletes[1:] {
				grp.Again = append(grp.Again, in.checks[d].ID)
			}
		}
		g.Groups = append(g.Groups, grp)
	}
	g.Order = Order(in.checks)
	g.Broken = in.brokenWarnings()
	return g
}

func (in *inferrer) brokenWarnings() []string {
	var out []string
	for _, w := range in.warnings {
		if strings.HasPrefix(w, "binding cycle ") {
			out = append(out, w)
		}
	}
	return out
}

// role finds the group of a check (the create whose resource it works
// on) and its role in it.
func (in *inferrer) role(ci int, idx map[string]int) (producer int, role string, ok bool) {
	inf := in.info[ci]
	// The resource a REST check works on is named by its last bound path
	// parameter.
	for k := len(inf.segs) - 1; k >= 0; k-- {
		s := inf.segs[k]
		if !isParamSegment(s) {
			continue
		}
		p, found := in.createOf(ci, InPath, s[1:len(s)-1], idx)
		if !found {
			continue
		}
		last := len(inf.segs) - 1
		switch {
		case k == last && inf.method == "GET":
			return p, RoleRead, true
		case k == last && (inf.method == "PUT" || inf.method == "PATCH"):
			return p, RoleUpdate, true
		case k == last && inf.method == "DELETE":
			return p, RoleDelete, true
		case k == last-1 && (inf.method == "POST" || inf.method == "DELETE") && isDeleteVerb(strings.ToLower(inf.segs[last])):
			if in.undoesSibling(ci, p) {
				return p, RoleUse, true
			}
			return p, RoleDelete, true
		}
		return p, RoleUse, true
	}
	// An RPC check works on the resource of its path, named in its body.
	for _, b := range in.binds[ci] {
		p, found := idx[b.Producer]
		if !found || b.In != InBody || in.info[p].safe {
			continue
		}
		same := inf.rpcKey != "" && in.info[p].rpcKey == inf.rpcKey
		if !same && inf.key != in.info[p].key {
			continue
		}
		switch {
		case (isDeleteVerb(inf.verb) || inf.method == "DELETE") && !in.undoesSibling(ci, p):
			return p, RoleDelete, true
		case slices.Contains(readVerbs, inf.verb):
			return p, RoleRead, true
		case inf.method == "PUT" || inf.method == "PATCH":
			return p, RoleUpdate, true
		}
		return p, RoleUse, true
	}
	for _, b := range in.binds[ci] {
		if p, found := idx[b.Producer]; found && !in.info[p].safe {
			return p, RoleUse, true
		}
	}
	return 0, "", false
}

// undoesSibling reports whether check ci, named by a verb that undoes
// another (revoke, release, unregister), undoes a sibling operation
// other than create's: /v3/auth/role/revoke takes back what
// /v3/auth/role/grant gave a role that /v3/auth/role/add created, so it
// uses the role rather than deleting it, while /v3/lease/revoke undoes
// /v3/lease/grant, the create itself, and deletes the lease.
func (in *inferrer) undoesSibling(ci, create int) bool {
	do, ok := UndoneVerb(lastSegment(in.info[ci].segs))
	if !ok || lastSegment(in.info[create].segs) == do {
		return false
	}
	parent := templateKey(in.info[ci].segs[:len(in.info[ci].segs)-1])
	for j, inf := range in.info {
		if j != ci && j != create && len(inf.segs) == len(in.info[ci].segs) && lastSegment(inf.segs) == do &&
			templateKey(inf.segs[:len(inf.segs)-1]) == parent {
			return true
		}
	}
	return false
}

func lastSegment(segs []string) string {
	if len(segs) == 0 {
		return ""
	}
	return strings.ToLower(segs[len(segs)-1])
}

// undoVerbs maps a verb that takes something back to the verb that gave
// it: the second runs first, and the first is no delete of what a third
// operation created.
var undoVerbs = map[string]string{
	"revoke": "grant", "release": "allocate", "unregister": "register", "detach": "attach",
	"unassign": "assign", "unlink": "link", "unsubscribe": "subscribe", "unfollow": "follow",
	"unwatch": "watch", "unlock": "lock", "unpin": "pin", "unstar": "star", "unmute": "mute",
	"unshare": "share", "unarchive": "archive", "unban": "ban", "unblock": "block",
	"deactivate": "activate", "dissociate": "associate", "disassociate": "associate",
}

// UndoneVerb returns the verb that verb takes back (grant for revoke),
// case-insensitively.
func UndoneVerb(verb string) (string, bool) {
	do, ok := undoVerbs[strings.ToLower(verb)]
	return do, ok
}

func isDeleteVerb(v string) bool {
	return slices.Contains(deleteVerbs, v) || strings.HasPrefix(v, "delete")
}

// createOf returns the non-safe producer of a target's first binding
// from one.
func (in *inferrer) createOf(ci int, where, name string, idx map[string]int) (int, bool) {
	for _, b := range in.binds[ci] {
		if b.In != where || b.Name != name {
			continue
		}
		if p, ok := idx[b.Producer]; ok && !in.info[p].safe {
			return p, true
		}
	}
	return 0, false
}

// Schema helpers.

func pathSegments(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// templateKey identifies a collection across spellings: parameters as
// {}, static segments lower case and singular (/silence ~ /silences).
func templateKey(segs []string) string {
	parts := make([]string, len(segs))
	for i, s := range segs {
		if strings.Contains(s, "{") {
			parts[i] = "{}"
			continue
		}
		parts[i] = singular(strings.ToLower(s))
	}
	return strings.Join(parts, "/")
}

// norm folds a name for matching: lower case, without _ - and .
func norm(s string) string {
	s = strings.ToLower(s)
	if !strings.ContainsAny(s, "_-. ") {
		return s
	}
	return normReplacer.Replace(s)
}

var normReplacer = strings.NewReplacer("_", "", "-", "", ".", "", " ", "")

// singular returns the singular of an English plural, as resource names
// use them; other words come back unchanged.
func singular(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}

// plural is the inverse of singular for regular words.
func plural(w string) string {
	switch {
	case strings.HasSuffix(w, "y") && len(w) > 1 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return w[:len(w)-1] + "ies"
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"), strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		return w + "es"
	}
	return w + "s"
}

func successKey(status string) bool {
	return strings.HasPrefix(status, "2") || strings.EqualFold(status, "2XX")
}

// successSchema returns the JSON schema of an operation's success answer
// (201, then 200, then any 2XX) and whether a success documents a
// Location header.
func successSchema(o *openapi3.Operation) (*openapi3.Schema, bool) {
	if o == nil || o.Responses == nil {
		return nil, false
	}
	m := o.Responses.Map()
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(a, b string) int {
		pref := func(k string) int {
			switch strings.ToUpper(k) {
			case "201":
				return 0
			case "200":
				return 1
			}
			return 2
		}
		return cmp.Compare(pref(a), pref(b))
	})
	var schema *openapi3.Schema
	location := false
	for _, k := range keys {
		r := m[k]
		if !successKey(k) || r == nil || r.Value == nil {
			continue
		}
		for name := range r.Value.Headers {
			if strings.EqualFold(name, "Location") {
				location = true
			}
		}
		if schema == nil {
			schema = jsonSchema(r.Value.Content)
		}
	}
	return schema, location
}

func requestSchema(o *openapi3.Operation) *openapi3.Schema {
	if o == nil || o.RequestBody == nil || o.RequestBody.Value == nil {
		return nil
	}
	c := o.RequestBody.Value.Content
	if s := jsonSchema(c); s != nil {
		return s
	}
	if mt := c["application/x-www-form-urlencoded"]; mt != nil && mt.Schema != nil {
		return mt.Schema.Value
	}
	return nil
}

// jsonSchema returns the schema of the first JSON media type.
func jsonSchema(c openapi3.Content) *openapi3.Schema {
	for _, mt := range slices.Sorted(maps.Keys(c)) {
		if mediaPreference(mt) <= 1 && c[mt] != nil && c[mt].Schema != nil {
			return c[mt].Schema.Value
		}
	}
	return nil
}

// schemaIndex caches what inference looks up in a schema again and again:
// its properties (allOf merged) and their names normalised. GitHub's
// description asks for the same few hundred schemas thousands of times.
type schemaIndex struct {
	props  map[*openapi3.Schema]map[string]*openapi3.Schema
	byNorm map[*openapi3.Schema]map[string]string // normalised → name, the first in sorted order
}

func newSchemaIndex() *schemaIndex {
	return &schemaIndex{props: map[*openapi3.Schema]map[string]*openapi3.Schema{}, byNorm: map[*openapi3.Schema]map[string]string{}}
}

// properties returns the properties of an object schema, allOf branches
// merged.
func (x *schemaIndex) properties(s *openapi3.Schema) map[string]*openapi3.Schema {
	if s == nil {
		return nil
	}
	if p, ok := x.props[s]; ok {
		return p
	}
	out := Properties(s)
	x.props[s] = out
	return out
}

// named returns the property of s whose normalised name is want.
func (x *schemaIndex) named(s *openapi3.Schema, want string) (string, *openapi3.Schema, bool) {
	if s == nil {
		return "", nil, false
	}
	idx, ok := x.byNorm[s]
	if !ok {
		props := x.properties(s)
		idx = make(map[string]string, len(props))
		for _, name := range slices.Sorted(maps.Keys(props)) {
			if _, dup := idx[norm(name)]; !dup {
				idx[norm(name)] = name
			}
		}
		x.byNorm[s] = idx
	}
	name, ok := idx[want]
	if !ok {
		return "", nil, false
	}
	return name, x.props[s][name], true
}

// Properties returns the properties of an object schema by name, its
// allOf branches merged (nested up to 8 deep); where branches define the
// same name, the schema's own or the first branch's wins. The runner
// reads it too, to compare a read with the body that created it.
func Properties(s *openapi3.Schema) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	var walk func(s *openapi3.Schema, depth int)
	walk = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		for name, p := range s.Properties {
			if p != nil && p.Value != nil {
				if _, ok := out[name]; !ok {
					out[name] = p.Value
				}
			}
		}
		for _, sub := range s.AllOf {
			if sub != nil {
				walk(sub.Value, depth+1)
			}
		}
	}
	walk(s, 0)
	return out
}

// Property is the schema of one property of s by name, its allOf
// branches' included, as Properties would give it, without building the
// map: for walking large bodies.
func Property(s *openapi3.Schema, name string) (*openapi3.Schema, bool) {
	return property(s, name, 0)
}

func property(s *openapi3.Schema, name string, depth int) (*openapi3.Schema, bool) {
	if s == nil || depth > 8 {
		return nil, false
	}
	if ref, ok := s.Properties[name]; ok && ref != nil && ref.Value != nil {
		return ref.Value, true
	}
	for _, sub := range s.AllOf {
		if sub != nil {
			if p, ok := property(sub.Value, name, depth+1); ok {
				return p, true
			}
		}
	}
	return nil, false
}

// HasProperties reports whether Properties(s) would name any.
func HasProperties(s *openapi3.Schema) bool {
	return hasProperties(s, 0)
}

func hasProperties(s *openapi3.Schema, depth int) bool {
	if s == nil || depth > 8 {
		return false
	}
	if len(s.Properties) > 0 {
		return true
	}
	for _, sub := range s.AllOf {
		if sub != nil && hasProperties(sub.Value, depth+1) {
			return true
		}
	}
	return false
}

func isScalar(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	if s.Type == nil || len(s.Type.Slice()) == 0 {
		return len(s.Properties) == 0 && s.Items == nil && len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0
	}
	return s.Type.Includes("string") || s.Type.Includes("integer") || s.Type.Includes("number")
}

func isObject(s *openapi3.Schema) bool {
	return s != nil && (len(s.Properties) > 0 || len(s.AllOf) > 0) && (s.Type == nil || s.Type.Includes("object") || len(s.Type.Slice()) == 0)
}

// scalarProp finds a scalar property whose normalised name is want.
func (x *schemaIndex) scalarProp(s *openapi3.Schema, want string) (string, bool) {
	name, p, ok := x.named(s, want)
	if !ok || !isScalar(p) {
		return "", false
	}
	return name, true
}

// findField looks for a scalar property named want (normalised) at the
// top of an object schema, then inside one wrapper object (data, result,
// item or the resource's own name).
func (x *schemaIndex) findField(s *openapi3.Schema, res, want string) (string, bool) {
	if !isObject(s) {
		return "", false
	}
	if p, ok := x.scalarProp(s, want); ok {
		return JoinPointer(p), true
	}
	for _, w := range []string{norm(res), "data", "result", "item", "resource"} {
		name, obj, ok := x.named(s, w)
		if !ok || !isObject(obj) {
			continue
		}
		if p, ok := x.scalarProp(obj, want); ok {
			return JoinPointer(name, p), true
		}
	}
	return "", false
}

// fieldFor finds the field of an answer that holds the value of a
// parameter named name, whose resource is res: the same name first
// (silenceID ↔ silenceID, pet_id ↔ petId), then the resource's own field
// for a parameter named after it (petId ↔ id, issue_number ↔ number), or
// the resource-named field for a bare one (id ↔ petId).
func (x *schemaIndex) fieldFor(s *openapi3.Schema, name, res string) (string, bool) {
	nn, r := norm(name), norm(singular(strings.ToLower(res)))
	cands := []string{nn}
	if nn == "username" || (r == "user" && nn == "name") {
		// A user's name in a path is its login; "name" is often the
		// name a person displays.
		cands = append(cands, "login")
	}
	for _, suf := range idSuffixes {
		if nn == r+suf {
			cands = append(cands, suf)
		}
		if nn == suf {
			cands = append(cands, r+suf)
		}
	}
	if nn == r {
		cands = append(cands, "name", "slug", "key")
	}
	for _, c := range cands {
		if ptr, ok := x.findField(s, r, c); ok {
			return ptr, true
		}
	}
	return "", false
}

// listItems returns the schema of a list answer's items and the pointer
// of the first one: a top-level array ("/0"), or the array property of an
// object ("/items/0").
func (x *schemaIndex) listItems(s *openapi3.Schema, res string) (*openapi3.Schema, string, bool) {
	if s == nil {
		return nil, "", false
	}
	if s.Type != nil && s.Type.Includes("array") && s.Items != nil && isObject(s.Items.Value) {
		return s.Items.Value, "/0", true
	}
	props := x.properties(s)
	var arrays []string
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p := props[name]
		if p.Type != nil && p.Type.Includes("array") && p.Items != nil && isObject(p.Items.Value) {
			arrays = append(arrays, name)
		}
	}
	r := norm(res)
	for _, want := range []string{"items", "data", "results", "values", "content", "entries", "records", "list", "elements", plural(r), r + "s"} {
		for _, name := range arrays {
			if norm(name) == want {
				return props[name].Items.Value, JoinPointer(name, "0"), true
			}
		}
	}
	if len(arrays) == 1 {
		return props[arrays[0]].Items.Value, JoinPointer(arrays[0], "0"), true
	}
	return nil, "", false
}
