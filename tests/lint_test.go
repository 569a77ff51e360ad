package tests

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addedFindings are the cfn-lint findings the expansion may add, and why.
var addedFindings = map[string]string{
	// A parameter the template uses only in the shorthand (AsyncInvoke:
	// !Ref Mode) is read by the macro and no longer referenced afterwards.
	"W2001": "a parameter used only in the shorthand",
}

// TestGoldenLint: every expanded golden template passes cfn-lint, and the
// macro adds no finding the template as written did not have (matched by
// rule and message, which name resources and paths, not lines).
func TestGoldenLint(t *testing.T) {
	goldens, err := filepath.Glob("../macro/testdata/*.golden.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, goldens)
	var inputs []string
	for _, g := range goldens {
		inputs = append(inputs, strings.TrimSuffix(g, ".golden.yaml")+".yaml")
	}
	before, after := cfnLint(t, inputs...), cfnLint(t, goldens...)
	for i, g := range goldens {
		t.Run(filepath.Base(g), func(t *testing.T) {
			had := map[string]int{}
			for _, f := range before[inputs[i]] {
				had[f.key()]++
			}
			for _, f := range after[g] {
				assert.NotEqual(t, "Error", f.Level, "cfn-lint: %s", f)
				if had[f.key()] > 0 {
					had[f.key()]--
					continue
				}
				if _, ok := addedFindings[f.Rule.ID]; !ok {
					assert.Fail(t, "the expansion adds a cfn-lint finding", "%s", f)
				}
			}
		})
	}
}

// lintFinding is one finding of cfn-lint -f json.
type lintFinding struct {
	Filename string
	Level    string
	Message  string
	Rule     struct {
		ID string `json:"Id"`
	}
	Location struct {
		Start struct{ LineNumber, ColumnNumber int }
	}
}

func (f lintFinding) key() string { return f.Rule.ID + " " + f.Message }

func (f lintFinding) String() string {
	return f.Filename + ":" + strconv.Itoa(f.Location.Start.LineNumber) + ": " + f.Rule.ID + " " + f.Message
}

// cfnLint runs cfn-lint once over files and returns its findings by file.
func cfnLint(t *testing.T, files ...string) map[string][]lintFinding {
	t.Helper()
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Fatal("cfn-lint is not installed: pip install cfn-lint (make test installs it)")
	}
	out, err := exec.Command("cfn-lint", append([]string{"-f", "json", "--"}, files...)...).Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	var findings []lintFinding
	require.NoError(t, json.Unmarshal(out, &findings), "cfn-lint -f json: %s", out)
	byFile := map[string][]lintFinding{}
	for _, f := range findings {
		byFile[f.Filename] = append(byFile[f.Filename], f)
	}
	return byFile
}
