package generator

import "testing"

func TestSelectorMatch(t *testing.T) {
	type op struct{ method, path, id string }
	get := op{"GET", "/pets/{petId}", "showPetById"}
	noID := op{"DELETE", "/pets/{petId}", ""}
	tests := []struct {
		sel  Selector
		op   op
		want bool
	}{
		{"", get, true},
		{"*", get, true},
		{"  ", get, true},
		{"GET /pets/{petId}", get, true},
		{"get /pets/{petId}", get, true},
		{"GET  /pets/{petId} ", get, true},
		{"GET /pets/*", get, true},
		{"GET /*", get, false}, // a glob's * stays within one segment
		{"/pets/{petId}", get, true},
		{"/pets/*", noID, true},
		{"showPetById", get, true},
		{"showpetbyid", get, false}, // operationIds are case-sensitive
		{"POST /pets/{petId}", get, false},
		{"/pets", get, false},
		{"listPets", get, false},
		{"", noID, true},
		{"showPetById", noID, false},
	}
	for _, tt := range tests {
		if got := tt.sel.Match(tt.op.method, tt.op.path, tt.op.id); got != tt.want {
			t.Errorf("Selector(%q).Match(%s %s %q) = %v, want %v", tt.sel, tt.op.method, tt.op.path, tt.op.id, got, tt.want)
		}
	}
	c := Check{Method: "GET", Path: "/pets/{petId}", OperationID: "showPetById"}
	if !Selector("GET /pets/*").MatchCheck(c) || Selector("listPets").MatchCheck(c) {
		t.Error("MatchCheck does not agree with Match")
	}
}

func TestSelectorValidate(t *testing.T) {
	for sel, wantErr := range map[Selector]string{
		"":                  "",
		"GET /pets/{petId}": "",
		"/status":           "",
		"listPets":          "",
		"GET pets":          `operation must be "METHOD /path", a path or an operationId`,
		" /pets":            "",
		"GET /pets/[":       "operation path: syntax error in pattern",
		"/pets/[":           "operation path: syntax error in pattern",
	} {
		err := sel.Validate()
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("Selector(%q).Validate() = %v, want nil", sel, err)
		case wantErr != "" && (err == nil || err.Error() != wantErr):
			t.Errorf("Selector(%q).Validate() = %v, want %q", sel, err, wantErr)
		}
	}
}
