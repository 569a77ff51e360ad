package cli

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's table of codes stands between these lines.
const (
	codesStart = "<!-- check's codes: internal/cli/rules.go (go test ./internal/cli -update writes this table) -->\n"
	codesEnd   = "<!-- end of check's codes -->\n"
)

// TestREADMECodes: the README's table of codes is check's rule table.
func TestREADMECodes(t *testing.T) {
	var b strings.Builder
	b.WriteString("| code | level | finding |\n|---|---|---|\n")
	for _, r := range rules {
		b.WriteString("| `" + r.Code + "` | " + r.Level + " | " + r.Summary + " |\n")
	}
	const readme = "../../README.md"
	data, err := os.ReadFile(readme)
	require.NoError(t, err)
	s := string(data)
	start, end := strings.Index(s, codesStart), strings.Index(s, codesEnd)
	require.True(t, start >= 0 && end > start, "README.md has no table of codes between %q and %q", codesStart, codesEnd)
	got, want := s[start+len(codesStart):end], b.String()
	// -update is the flag of the package's golden tests (cli_test.go).
	if update := flag.Lookup("update"); update != nil && update.Value.String() == "true" && got != want {
		require.NoError(t, os.WriteFile(readme, []byte(s[:start+len(codesStart)]+want+s[end:]), 0o644))
		got = want
	}
	assert.Equal(t, want, got, "run go test ./internal/cli -update")
}

// TestRuleTable: the codes are unique and in order, each with a level and
// a summary; every rule but E0000 has its check; and check --help lists
// every code.
func TestRuleTable(t *testing.T) {
	help := codeList()
	for i, r := range rules {
		assert.Contains(t, []string{"error", "warning"}, r.Level, r.Code)
		assert.Equal(t, r.Level == "warning", r.Code[0] == 'W', "%s: a warning's code begins with W", r.Code)
		assert.NotEmpty(t, r.Summary, r.Code)
		assert.Equal(t, r.Code == "E0000", r.check == nil, "%s: only E0000 has no check", r.Code)
		if i > 0 {
			assert.Less(t, rules[i-1].Code[1:], r.Code[1:], "rules are in the order of their codes")
		}
		assert.Contains(t, help, "\n  "+r.Code+" ", "check --help lists %s", r.Code)
	}
}
