package config

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Settings are checked where they are used, together with the flags and
// environment variables that can replace them; the file only remembers
// where each key stands, so that an error names file:line.

// indexLines maps every key path of a YAML document to its line: mapping
// keys joined with ".", sequence items by index ("diff.rules.0.reason").
func indexLines(data []byte) map[string]int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return nil
	}
	lines := map[string]int{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := n.Content[i].Value
				if path != "" {
					p = path + "." + p
				}
				lines[p] = n.Content[i].Line
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := path + "." + strconv.Itoa(i)
				lines[p] = c.Line
				walk(c, p)
			}
		}
	}
	walk(&root, "")
	return lines
}

// Has reports whether the file sets key, a path such as "run.rate" or
// "operations.GET /pets.latency_ms".
func (c *Config) Has(key string) bool {
	if c == nil {
		return false
	}
	_, ok := c.lines[key]
	return ok
}

// Line returns the line of key in the file, 0 when it is not set.
func (c *Config) Line(key string) int {
	if c == nil {
		return 0
	}
	return c.lines[key]
}

// Where names the place of key for messages: "smoke.yaml:12", or the
// file alone when the key is not in it.
func (c *Config) Where(key string) string {
	name := "smoke.yaml"
	if c != nil && c.File != "" {
		name = c.File
	}
	if l := c.Line(key); l > 0 {
		return fmt.Sprintf("%s:%d", name, l)
	}
	return name
}
