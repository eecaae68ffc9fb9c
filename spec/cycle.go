package spec

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// rawDoc is the root document as YAML nodes, parsed only when a $ref
// needs explaining (an error path, or a path item without operations):
// kin-openapi leaves a $ref cycle unresolved without saying why.
type rawDoc struct {
	data    []byte
	version string
	root    *yaml.Node
	parsed  bool
}

func (r *rawDoc) node() *yaml.Node {
	if !r.parsed {
		r.parsed = true
		var n yaml.Node
		if err := yaml.Unmarshal(r.data, &n); err == nil && len(n.Content) > 0 {
			r.root = n.Content[0]
		}
	}
	return r.root
}

// unresolved explains a $ref kin-openapi left without a value: a cycle,
// named link by link, or a target that does not exist.
func (r *rawDoc) unresolved(where, ref string) error {
	if chain := r.cycle(ref); chain != nil {
		return fmt.Errorf("%s: $ref cycle %s: the references only point at each other", where, strings.Join(chain, " → "))
	}
	return fmt.Errorf("%s: $ref %q does not resolve", where, ref)
}

// cycle follows local $refs from ref and returns the chain that comes
// back to an earlier link, or nil when the chain ends (anywhere, even on
// nothing).
func (r *rawDoc) cycle(ref string) []string {
	root := r.node()
	if root == nil {
		return nil
	}
	chain := []string{ref}
	cur := ref
	for len(chain) <= 1000 {
		n := r.lookup(cur)
		if n == nil {
			return nil
		}
		next, ok := localRef(n)
		if !ok {
			return nil
		}
		for i, c := range chain {
			if c == next {
				return append(chain[i:], next)
			}
		}
		chain = append(chain, next)
		cur = next
	}
	return nil
}

// localRef returns the $ref of a Reference object pointing inside the
// same document.
func localRef(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.MappingNode {
		return "", false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "$ref" && n.Content[i+1].Kind == yaml.ScalarNode {
			v := n.Content[i+1].Value
			return v, strings.HasPrefix(v, "#")
		}
	}
	return "", false
}

// swagger2Pointers map the component pointers of the converted document
// back to where a Swagger 2.0 document keeps them.
var swagger2Pointers = [][2]string{
	{"#/components/schemas/", "#/definitions/"},
	{"#/components/parameters/", "#/parameters/"},
	{"#/components/requestBodies/", "#/parameters/"},
	{"#/components/responses/", "#/responses/"},
}

// lookup resolves a local JSON pointer ("#/paths/~1a") in the document.
func (r *rawDoc) lookup(ref string) *yaml.Node {
	if n := pointer(r.node(), ref); n != nil || !strings.HasPrefix(r.version, "2") {
		return n
	}
	for _, m := range swagger2Pointers {
		if rest, ok := strings.CutPrefix(ref, m[0]); ok {
			return pointer(r.node(), m[1]+rest)
		}
	}
	return nil
}

func pointer(root *yaml.Node, ref string) *yaml.Node {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok || root == nil {
		return nil
	}
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	n := root
	if frag == "" {
		return n
	}
	if !strings.HasPrefix(frag, "/") {
		return nil
	}
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// pathItemRef checks a path item that came out of loading without
// operations: when the document writes it as a $ref, the chain must end
// on a path item, not loop (kin-openapi drops a cyclic path item
// silently, leaving a document that checks nothing).
func (r *rawDoc) pathItemRef(path string) error {
	paths := pointer(r.node(), "#/paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return nil
	}
	var item *yaml.Node
	for i := 0; i+1 < len(paths.Content); i += 2 {
		if paths.Content[i].Value == path {
			item = paths.Content[i+1]
		}
	}
	if item == nil {
		return nil
	}
	ref, ok := localRef(item)
	if !ok {
		return nil
	}
	where := "paths." + path
	if chain := r.cycle(ref); chain != nil {
		return fmt.Errorf("%s: $ref cycle %s: the path item never reaches its operations", where, strings.Join(chain, " → "))
	}
	if r.lookup(ref) == nil {
		return fmt.Errorf("%s: $ref %q does not resolve", where, ref)
	}
	return nil
}
