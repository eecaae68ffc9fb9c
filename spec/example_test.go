package spec_test

import (
	"context"
	"fmt"

	"github.com/smoke-dev/smoke/spec"
)

func ExampleLoad() {
	doc, err := spec.Load(context.TODO(), "testdata/external/api.yaml", spec.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, op := range doc.Operations() {
		fmt.Println(op.Method, op.Path)
	}
	// Output: GET /pets/{id}
}
