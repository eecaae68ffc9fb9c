package config_test

import (
	"fmt"
	"strings"

	"github.com/smoke-dev/smoke/config"
)

func ExampleParse() {
	cfg, err := config.Parse("smoke.yaml", strings.NewReader("service: orders\nheaders: {X-Env: staging}\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Service, cfg.Headers["X-Env"])
	_, err = config.Parse("smoke.yaml", strings.NewReader("servise: orders\n"))
	fmt.Println(err)
	// Output:
	// orders staging
	// config smoke.yaml:1: unknown key "servise"
}
