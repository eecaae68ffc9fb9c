package generator

import _ "github.com/smoke-dev/smoke/internal/testenv" // test helpers are for tests
