package report

import (
	"encoding/json"
	"io"
)

// WriteJSON writes v as every JSON document of smoke is written: indented
// by two spaces, one trailing newline, and <, > and & left as they are
// (the reader is a program or a terminal, not an HTML page).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
