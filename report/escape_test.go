package report

import (
	"strings"
	"testing"
)

func TestEscapeTerminal(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":                        "plain text",
		"":                                  "",
		"\x1b]0;owned\x07 title":            `\x1b]0;owned\x07 title`,
		"\x1b[31mred\x1b[0m":                `\x1b[31mred\x1b[0m`,
		"over\rwrite":                       "over write",
		"two\n\nlines\t tab ":               "two lines tab",
		"bad \xff byte":                     `bad \xff byte`,
		"c1 \u009b control":                 `c1 \u009b control`,
		"trojan \u202esource\u2066":         `trojan \u202esource\u2066`,
		"nel\u0085and\u2028line separators": "nel and line separators",
		"é ✓ \u00a0kept":                    "é ✓ kept",
		"del\x7f":                           `del\x7f`,
	} {
		if got := EscapeTerminal(in); got != want {
			t.Errorf("EscapeTerminal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMdEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain",
		"\n\n## Injected [link](https://evil.test)": `## Injected \[link\](https://evil.test)`,
		"![img](x)":                `!\[img\](x)`,
		"a | b":                    `a \| b`,
		`a\|b`:                     `a\\\|b`, // an escaped backslash must not free the pipe
		"<script>&amp;":            "&lt;script&gt;&amp;amp;",
		"*bold* _it_ ~~s~~ `code`": "\\*bold\\* \\_it\\_ \\~\\~s\\~\\~ \\`code\\`",
		"\x1b[2J":                  `\\x1b\[2J`,
	} {
		if got := mdEscape(in); got != want {
			t.Errorf("mdEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMdCode(t *testing.T) {
	for in, want := range map[string]string{
		"GET /pets":   "`GET /pets`",
		"a`b":         "``a`b``",
		"```x```":     "```` ```x``` ````",
		"`start":      "`` `start ``",
		" both ":      "`both`",
		"line\nbreak": "`line break`",
		"":            "`  `",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
	if got, want := mdCellCode("a|b`c"), "``a\\|b`c``"; got != want {
		t.Errorf("mdCellCode(%q) = %q, want %q", "a|b`c", got, want)
	}
}

// TestMdFence checks that a code block cannot be closed from inside: an
// example with three backticks used to end the reproduce block early.
func TestMdFence(t *testing.T) {
	got := mdFence("curl --data-raw $'```\\n# heading'\n```\n# not a heading", "sh")
	lines := strings.Split(got, "\n")
	if lines[0] != "````sh" || lines[len(lines)-1] != "````" {
		t.Fatalf("mdFence() = %q, want a fence of four backticks", got)
	}
	for _, l := range lines[1 : len(lines)-1] {
		if strings.HasPrefix(l, "````") {
			t.Errorf("mdFence() body line %q closes the fence", l)
		}
	}
	if got := mdFence("x\x1b[2Jy", ""); got != "```\n"+`x\x1b[2Jy`+"\n```" {
		t.Errorf("mdFence() with ESC = %q", got)
	}
}

func TestHTMLEscape(t *testing.T) {
	if got, want := htmlEscape("GET /a\n\n<b onload='x'>&\""), "GET /a &lt;b onload=&#39;x&#39;&gt;&amp;&#34;"; got != want {
		t.Errorf("htmlEscape() = %q, want %q", got, want)
	}
}

func TestXMLText(t *testing.T) {
	if got, want := xmlText("a\tb\nc\x1b[0m\x00\xff\uffff"), "a\tb\nc"+`\x1b[0m\x00\xff\uffff`; got != want {
		t.Errorf("xmlText() = %q, want %q", got, want)
	}
}
