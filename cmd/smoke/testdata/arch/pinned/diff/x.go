package diff

import _ "github.com/go-resty/resty/v2" // resty belongs to runner
