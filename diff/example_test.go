package diff_test

import (
	"fmt"
	"net/http"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// Compare classifies samples taken from OLD and NEW: the request id
// differs on every answer and is ignored, the uptime differs between two
// OLD samples and is noise, the lost "region" field is a regression.
func ExampleCompare() {
	check := generator.Check{ID: "status", Method: "GET", Path: "/status"}
	answer := func(uptime int, body string) diff.Sample {
		return diff.Sample{Response: &runner.Response{
			StatusCode: 200,
			Header:     http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {fmt.Sprint(uptime)}},
			Body:       fmt.Appendf(nil, `{"uptime":%d,%s}`, uptime, body),
		}}
	}
	old := []diff.Sample{answer(100, `"region":"eu"`), answer(101, `"region":"eu"`)}
	new := []diff.Sample{answer(5, `"zone":"a"`), answer(6, `"zone":"a"`)}

	rep, err := diff.Compare([]diff.Samples{{Check: check, Old: old, New: new}}, diff.Options{Rounds: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	op := rep.Operations[0]
	fmt.Println(op.Method, op.Path, op.Verdict)
	for _, d := range op.Differences {
		fmt.Printf("  %s %s %s old=%s new=%s\n", d.Class, d.Kind, d.Location(), d.Old, d.New)
	}
	fmt.Println("fail the build:", rep.Findings(diff.FailOnRegression))
	// Output:
	// GET /status regression
	//   regression missing /region old="eu" new=
	//   addition added /zone old= new="a"
	//   noise changed /uptime old=100 new=5
	// fail the build: true
}
