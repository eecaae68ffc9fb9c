package synthetics_test

import (
	"encoding/json"
	"fmt"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/synthetics"
)

func Example() {
	checks := []generator.Check{{
		ID: generator.CheckID("orders", "GET", "/orders"), Method: "GET", Path: "/orders", Safe: true,
		Request: generator.Request{URL: "/orders?limit=10"},
		Expect:  generator.Expect{Status: []string{"200"}},
	}}
	tests, err := synthetics.Map(checks, synthetics.Options{Service: "Order Service", BaseURL: "https://api.example.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := json.Marshal(tests[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	var p struct {
		Name    string
		Tags    []string
		Options struct {
			TickEvery int `json:"tick_every"`
		}
		Config struct {
			Request struct{ URL string }
		}
	}
	if err := json.Unmarshal(b, &p); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Name)
	fmt.Println(p.Config.Request.URL)
	fmt.Println(p.Tags)
	fmt.Println(p.Options.TickEvery, "s,", tests[0].RunsPerMonth(), "runs a month")
	// Output:
	// [Order Service] GET /orders
	// https://api.example.com/orders?limit=10
	// [managed-by:smoke smoke-service:order_service smoke-check:e22b09099c34]
	// 300 s, 8640 runs a month
}

// Secrets become Datadog global variables, under names Datadog accepts.
func ExampleVariableName() {
	for _, env := range []string{"SMOKE_TOKEN", "_tok", "PW"} {
		name, err := synthetics.VariableName(env)
		fmt.Println(env, "→", name, err)
	}
	// Output:
	// SMOKE_TOKEN → SMOKE_TOKEN <nil>
	// _tok → TOK <nil>
	// PW → SMOKE_PW <nil>
}

// Tags are compared as Datadog stores them.
func ExampleNormalizeTag() {
	fmt.Println(synthetics.NormalizeTag("smoke-service:Pet Store"))
	fmt.Println(synthetics.NormalizeTag("Team:Payments/EU"))
	// Output:
	// smoke-service:pet_store
	// team:payments/eu
}
