package cfn_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the README's table of destination kinds")

// The README's table of destination kinds stands between these lines.
const (
	destinationsStart = "<!-- The kinds of destination: internal/cfn/destinations.go (go test ./internal/cfn -update writes this table) -->\n"
	destinationsEnd   = "<!-- end of the kinds of destination -->\n"
)

// destinationsTable is the README's table of destination kinds, made from
// cfn.DestinationKinds.
func destinationsTable() string {
	code := func(s []string) string { return "`" + strings.Join(s, "`, `") + "`" }
	var b strings.Builder
	b.WriteString("| destination | write it as | SAM `Type` | the execution role is allowed | and on the KMS key that encrypts it | it receives |\n|---|---|---|---|---|---|\n")
	for _, k := range cfn.DestinationKinds {
		what := k.What
		if k.FIFO {
			what += " (not FIFO)"
		}
		var actions []string
		for _, a := range k.Actions {
			if a.Suffix != "" {
				actions = append(actions, a.Action+"` on `ARN"+a.Suffix)
			} else {
				actions = append(actions, a.Action)
			}
		}
		key := "none"
		if len(k.KeyActions) > 0 {
			key = code(k.KeyActions)
		}
		records := "on-failure and on-success records"
		if k.OnFailureOnly {
			records = "on-failure records only"
		}
		b.WriteString("| " + what + " | `" + k.Example + "` | `" + k.Type + "` | " + code(actions) + " | " + key + " | " + records + ", each as " + k.Record + " |\n")
	}
	return b.String()
}

// TestREADMEDestinations: the README lists the kinds of destination as the
// table that the macro and the local server read them from says.
func TestREADMEDestinations(t *testing.T) {
	const readme = "../../README.md"
	data, err := os.ReadFile(readme)
	require.NoError(t, err)
	s := string(data)
	start, end := strings.Index(s, destinationsStart), strings.Index(s, destinationsEnd)
	require.True(t, start >= 0 && end > start, "README.md has no table of destination kinds between %q and %q", destinationsStart, destinationsEnd)
	got, want := s[start+len(destinationsStart):end], destinationsTable()
	if *update && got != want {
		s = s[:start+len(destinationsStart)] + want + s[end:]
		require.NoError(t, os.WriteFile(readme, []byte(s), 0o644))
		got = want
	}
	assert.Equal(t, want, got, "run go test ./internal/cfn -update")
}
