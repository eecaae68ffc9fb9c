package spec

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// normalise rewrites, before kin-openapi reads a document, two constructs
// it misreads:
//
//   - YAML merge keys (<<: *commonErrors), which kin-openapi's Swagger 2.0
//     reader keeps as a member named "<<" (a response status "<<"): they
//     are expanded as YAML 1.1 defines, explicit keys winning and earlier
//     sources winning among merged ones;
//   - with tuples set, "items" written as a list (the tuple form of JSON
//     Schema drafts 4 to 7, invalid in every OpenAPI version), which makes
//     kin-openapi refuse the whole document: it becomes prefixItems in
//     OpenAPI 3.1, items: {anyOf: [...]} in 3.0, and in Swagger 2.0 (no
//     anyOf) the one schema the list holds, or any value. Each rewrite is
//     a warning naming where it happened.
//
// A byte scan decides whether either can occur, so a document without
// them is returned as it is, unparsed: GitHub's 13 MB description must not
// pay for a second parse. The document is re-encoded only when something
// changed; its line numbers then move (kin-openapi's messages name JSON
// pointers, which do not).
func normalise(data []byte, version string, tuples bool) ([]byte, []string, error) {
	json := isJSON(data)
	merges := !json && bytes.Contains(data, []byte("<<")) && mergeKeyRe.Match(data)
	tuples = tuples && tupleItemsRe.Match(data)
	if !merges && !tuples {
		return data, nil, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		// kin-openapi reports the syntax error (or reads it as JSON).
		return data, nil, nil
	}
	n := &normaliser{version: version}
	if merges {
		n.renameAnchors(&root)
		n.expandMerges(&root, map[*yaml.Node]bool{})
		if n.err != nil {
			return nil, nil, n.err
		}
	}
	if tuples {
		n.tupleItems(&root, nil, false)
	}
	if !n.changed {
		return data, nil, nil
	}
	out, err := yaml.Marshal(&root)
	if err != nil {
		return nil, nil, fmt.Errorf("re-encode after expanding merge keys: %w", err)
	}
	return out, n.warnings, nil
}

var (
	// mergeKeyRe finds a plain << used as a mapping key, block or flow.
	mergeKeyRe = regexp.MustCompile(`(?m)(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)<<[ \t]*:`)
	// tupleItemsRe finds "items" followed by a list, in JSON or YAML
	// (flow or block, comments between).
	tupleItemsRe = regexp.MustCompile(`["']?\bitems["']?[ \t]*:[ \t]*(?:#[^\n]*)?(?:\[|\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*-[ \t\r\n])`)
)

func isJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) > 0 && t[0] == '{'
}

// maxMergedPairs bounds how many key/value pairs merge keys may bring in
// all: a thousand merges of a thousand-key mapping fit in a 60 KB document
// and expand to a million pairs (kin-openapi would build each as an
// object). Past the cap the document is refused.
const maxMergedPairs = 1 << 20

type normaliser struct {
	version  string
	changed  bool
	warnings []string
	anchors  int
	done     map[*yaml.Node]bool
	merged   int
	err      error
}

// renameAnchors gives every anchor a unique name, and its aliases with
// it: YAML lets a document define one name twice, and the merge expansion
// refers to merged values by alias.
func (n *normaliser) renameAnchors(node *yaml.Node) {
	seen := map[*yaml.Node]bool{}
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		if x == nil || seen[x] {
			return
		}
		seen[x] = true
		if x.Anchor != "" {
			n.anchors++
			x.Anchor = "a" + strconv.Itoa(n.anchors)
		}
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(node)
	var aliases func(*yaml.Node)
	done := map[*yaml.Node]bool{}
	aliases = func(x *yaml.Node) {
		if x == nil || done[x] {
			return
		}
		done[x] = true
		if x.Kind == yaml.AliasNode && x.Alias != nil {
			x.Value = x.Alias.Anchor
		}
		for _, c := range x.Content {
			aliases(c)
		}
	}
	aliases(node)
}

// isMergeKey reports whether k is a merge key: a plain <<, as YAML
// resolves it (a quoted "<<" is an ordinary key).
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || (k.Style == 0 && (k.Tag == "" || k.Tag == "!!str")))
}

// expandMerges replaces, depth first, every merge key by the pairs it
// brings. A merged value is referred to by alias, not copied, so the
// re-encoded document stays the size of the original whatever the number
// of merges.
func (n *normaliser) expandMerges(x *yaml.Node, visiting map[*yaml.Node]bool) {
	if x == nil || x.Kind == yaml.AliasNode || visiting[x] || n.err != nil {
		return
	}
	if n.done == nil {
		n.done = map[*yaml.Node]bool{}
	}
	if n.done[x] {
		return
	}
	visiting[x] = true
	defer delete(visiting, x)
	for _, c := range x.Content {
		n.expandMerges(c, visiting)
	}
	n.done[x] = true
	if x.Kind != yaml.MappingNode {
		return
	}
	has := false
	for i := 0; i+1 < len(x.Content); i += 2 {
		if isMergeKey(x.Content[i]) {
			has = true
			break
		}
	}
	if !has {
		return
	}
	explicit := map[string]bool{}
	for i := 0; i+1 < len(x.Content); i += 2 {
		if k := x.Content[i]; !isMergeKey(k) {
			explicit[keyOf(k)] = true
		}
	}
	var out []*yaml.Node
	for i := 0; i+1 < len(x.Content); i += 2 {
		k, v := x.Content[i], x.Content[i+1]
		if !isMergeKey(k) {
			out = append(out, k, v)
			continue
		}
		for _, pair := range n.mergeSources(v, visiting) {
			key := keyOf(pair[0])
			if explicit[key] {
				continue
			}
			explicit[key] = true
			if n.merged++; n.merged > maxMergedPairs {
				if n.err == nil {
					n.err = fmt.Errorf("line %d: merge keys (<<) bring in more than %d entries", k.Line, maxMergedPairs)
				}
				return
			}
			out = append(out, pair[0], pair[1])
		}
	}
	x.Content = out
	n.changed = true
}

// mergeSources returns the pairs a merge key's value brings: a mapping
// (by alias or inline) or a list of them, earlier first. Values of an
// aliased mapping come back as aliases.
func (n *normaliser) mergeSources(v *yaml.Node, visiting map[*yaml.Node]bool) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	switch v.Kind {
	case yaml.SequenceNode:
		for _, e := range v.Content {
			out = append(out, n.mergeSources(e, visiting)...)
		}
	case yaml.AliasNode:
		m := v.Alias
		if m == nil || m.Kind != yaml.MappingNode || visiting[m] {
			return nil
		}
		n.expandMerges(m, visiting)
		for i := 0; i+1 < len(m.Content); i += 2 {
			out = append(out, [2]*yaml.Node{copyKey(m.Content[i]), n.aliasTo(m.Content[i+1])})
		}
	case yaml.MappingNode:
		n.expandMerges(v, visiting)
		for i := 0; i+1 < len(v.Content); i += 2 {
			out = append(out, [2]*yaml.Node{v.Content[i], v.Content[i+1]})
		}
	}
	return out
}

// aliasTo returns an alias of x, anchoring x when it has no anchor yet. x
// precedes the merge site in the document (a merge names an earlier
// anchor), so the alias always follows its anchor.
func (n *normaliser) aliasTo(x *yaml.Node) *yaml.Node {
	if x.Kind == yaml.AliasNode {
		return x
	}
	if x.Kind == yaml.ScalarNode && len(x.Value) < 64 && x.Anchor == "" {
		return x // cheaper to repeat than to alias
	}
	if x.Anchor == "" {
		n.anchors++
		x.Anchor = "a" + strconv.Itoa(n.anchors)
	}
	return &yaml.Node{Kind: yaml.AliasNode, Value: x.Anchor, Alias: x}
}

// copyKey returns a key to repeat in another mapping: a scalar without
// the anchor the original may carry (an anchor is defined once), and with
// an alias key resolved (kin-openapi reads keys by value).
func copyKey(k *yaml.Node) *yaml.Node {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return k
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: k.Tag, Value: k.Value, Style: k.Style}
}

func keyOf(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	return k.Tag + "\x00" + k.Value
}

// literalKeys hold values, not schemas: a list under "items" there is data.
var literalKeys = map[string]bool{"example": true, "examples": true, "default": true, "enum": true, "const": true, "x-example": true}

// nameKeys hold maps whose keys are names (a property may be called
// "items"), not keywords.
var nameKeys = map[string]bool{
	"properties": true, "patternProperties": true, "definitions": true, "$defs": true, "dependentSchemas": true,
	"schemas": true, "parameters": true, "responses": true, "headers": true, "paths": true, "securityDefinitions": true,
	"securitySchemes": true, "requestBodies": true, "callbacks": true, "links": true, "content": true, "encoding": true,
	"variables": true, "webhooks": true, "pathItems": true,
}

// tupleItems rewrites "items" lists below x. path names x for warnings;
// names is true when x's keys are names rather than keywords.
func (n *normaliser) tupleItems(x *yaml.Node, path []string, names bool) {
	switch x.Kind {
	case yaml.DocumentNode:
		for _, c := range x.Content {
			n.tupleItems(c, path, false)
		}
	case yaml.SequenceNode:
		for i, c := range x.Content {
			n.tupleItems(c, append(path, strconv.Itoa(i)), false)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(x.Content); i += 2 {
			k, v := x.Content[i], x.Content[i+1]
			if !names && (literalKeys[k.Value] || strings.HasPrefix(k.Value, "x-")) {
				continue
			}
			if !names && k.Value == "items" && v.Kind == yaml.SequenceNode {
				n.rewriteTuple(x, i, append(path, k.Value))
			}
			n.tupleItems(x.Content[i+1], append(path, k.Value), !names && nameKeys[k.Value])
		}
	}
}

// rewriteTuple replaces the list under x.Content[i] ("items").
func (n *normaliser) rewriteTuple(x *yaml.Node, i int, path []string) {
	list := x.Content[i+1]
	where := strings.Join(path, ".")
	n.changed = true
	switch {
	case strings.HasPrefix(n.version, "3.1"):
		x.Content[i].Value = "prefixItems"
		for j := 0; j+1 < len(x.Content); j += 2 {
			if x.Content[j].Value == "additionalItems" {
				x.Content[j].Value = "items"
			}
		}
		n.warnings = append(n.warnings, fmt.Sprintf("%s: a list (the tuple form of JSON Schema draft 4-7) read as prefixItems", where))
	case len(list.Content) == 0:
		x.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		n.warnings = append(n.warnings, fmt.Sprintf("%s: an empty list read as items of any type", where))
	case len(list.Content) == 1 || allEqual(list.Content):
		x.Content[i+1] = list.Content[0]
		n.warnings = append(n.warnings, fmt.Sprintf("%s: a list (the tuple form of JSON Schema, invalid in OpenAPI) read as its one schema", where))
	case strings.HasPrefix(n.version, "3"):
		x.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "anyOf"}, list,
		}}
		n.warnings = append(n.warnings, fmt.Sprintf("%s: a list of %d schemas (the tuple form of JSON Schema, invalid in OpenAPI 3.0) read as items: {anyOf: [...]}", where, len(list.Content)))
	default:
		x.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		n.warnings = append(n.warnings, fmt.Sprintf("%s: a list of %d schemas (the tuple form of JSON Schema, invalid in Swagger 2.0, which has no anyOf) read as items of any type", where, len(list.Content)))
	}
}

func allEqual(nodes []*yaml.Node) bool {
	for _, x := range nodes[1:] {
		if !sameNode(nodes[0], x) {
			return false
		}
	}
	return true
}

func sameNode(a, b *yaml.Node) bool {
	if a.Kind == yaml.AliasNode && a.Alias != nil {
		a = a.Alias
	}
	if b.Kind == yaml.AliasNode && b.Alias != nil {
		b = b.Alias
	}
	if a == b {
		return true
	}
	if a.Kind != b.Kind || a.Value != b.Value || a.ShortTag() != b.ShortTag() || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}
