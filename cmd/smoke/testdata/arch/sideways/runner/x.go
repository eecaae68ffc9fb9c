package runner

import _ "github.com/smoke-dev/smoke/synthetics" // sideways: runner never imports synthetics
