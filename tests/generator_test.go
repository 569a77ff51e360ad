package tests

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/asyncinvoke/asyncinvoke/tests/gen"
	"github.com/asyncinvoke/asyncinvoke/tests/gen/oracle"
)

// The generator's run: make test runs the fixed seed; make soak N=5000
// SEED=... runs more, and CASE=i runs one case of a seed alone.
var (
	genN     = flag.Int("gen.n", 300, "generated templates to check")
	genSeed  = flag.Uint64("gen.seed", 33, "the generator's seed (33: each known failure shows in its first 300 templates)")
	genCase  = flag.Int("gen.case", -1, "check only this case of the seed")
	genSave  = flag.String("gen.save", "", "write each failing case, minimized, to DIR/<oracle>-<seed>-<case>.yaml")
	genMin   = flag.Duration("gen.minimize", 60*time.Second, "how long to minimize each distinct failure")
	genBrief = flag.Bool("gen.brief", false, "print each distinct failure without its template")
	genDump  = flag.String("gen.dump", "", "write each case's template, and its expansion, to DIR/<seed>-<case>.yaml and .expanded.yaml")
)

// TestGenerated checks generated templates that combine the macro's
// features (tests/gen) with oracles independent of the macro's code
// (tests/gen/oracle): no crash; on success cfn-lint adds no error or
// W1001, SAM translates it, every shorthand is still asynchronous after
// SAM, with the request and response templates Event and Accepted promise
// (rendered by velocityjs) and method responses API Gateway deploys, API
// Gateway may invoke what it invokes, execution roles may deliver to the
// destinations, expanding again changes nothing; on refusal every problem
// names a location, and says why where the README says it does. A failure listed in knownFailures is expected
// (and must still happen: a case that passes now must leave the table);
// any other is printed, minimized, with the command that reproduces it.
func TestGenerated(t *testing.T) {
	o := startOracles(t)

	first, last := 0, *genN
	if *genCase >= 0 {
		first, last = *genCase, *genCase+1
	}
	start := time.Now()
	type outcome struct {
		c *gen.Case
		r oracle.Result
	}
	results := make([]outcome, last-first)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 3 { // keeps both Python processes busy while Go expands
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := gen.Generate(*genSeed, i)
				if *genDump != "" {
					dump(t, c)
				}
				results[i-first] = outcome{c, o.Check(c.Template, expect(c))}
			}
		}()
	}
	for i := first; i < last; i++ {
		next <- i
	}
	close(next)
	wg.Wait()

	matched, failed := map[int]int{}, map[int]int{}
	passed := map[int][]string{}         // cases a known failure's predicate matched that did not fail so
	unexpected := map[string][]outcome{} // by failure signature
	var order []string
	expanded, features := 0, map[string]bool{}
	for _, res := range results {
		if res.r.Expanded {
			expanded++
		}
		for _, f := range res.c.Features {
			features[f] = true
		}
		known := knownFor(res.c)
		seen := map[string]bool{}
		explained := map[int]bool{}
		for _, f := range res.r.Failures {
			if k := explains(known, f); k != nil {
				if !explained[k.Case] {
					failed[k.Case]++
				}
				explained[k.Case] = true
				save(t, o, res.c, f, k.Case)
				continue
			}
			sig := f.Signature()
			if seen[sig] {
				continue
			}
			seen[sig] = true
			if _, ok := unexpected[sig]; !ok {
				order = append(order, sig)
			}
			unexpected[sig] = append(unexpected[sig], outcome{res.c, res.r})
			save(t, o, res.c, f, 0)
		}
		for _, k := range known {
			// A template the macro refuses for another reason cannot show
			// a failure of its expansion: it neither passes nor fails.
			if !res.r.Expanded && !explained[k.Case] {
				continue
			}
			matched[k.Case]++
			if !explained[k.Case] && len(passed[k.Case]) < 5 {
				passed[k.Case] = append(passed[k.Case], fmt.Sprint(res.c.Index))
			}
		}
	}
	t.Logf("seed %d: %d templates (%d expanded, %d refused) in %s; %d of the %d features combined",
		*genSeed, len(results), expanded, len(results)-expanded, time.Since(start).Round(time.Second), len(features), len(gen.Names()))
	for _, k := range knownFailures {
		t.Logf("known case %d: predicate matched %d templates (expanded, or failed), %d failed as expected (passed: %s)", k.Case, matched[k.Case], failed[k.Case], strings.Join(passed[k.Case], " "))
		// A predicate tells the ingredients of a failure, not every
		// template that has them fails: judge on a run of make test's size.
		if *genCase < 0 && len(results) >= 300 && matched[k.Case] > 0 && failed[k.Case] == 0 {
			t.Errorf("case %d passes now: remove it from the table (knownFailures in tests/generator_known_test.go)", k.Case)
		}
	}
	for i, sig := range order {
		cases := unexpected[sig]
		c := cases[0].c
		if i >= 10 && !*genBrief {
			t.Errorf("... and %d more distinct failures", len(order)-i)
			break
		}
		var ids []string
		for _, x := range cases[:min(len(cases), 8)] {
			ids = append(ids, fmt.Sprint(x.c.Index))
		}
		if *genBrief {
			t.Errorf("%s\n  in %d templates (cases %s)\n  features: %s", sig, len(cases), strings.Join(ids, ", "), strings.Join(c.Features, " "))
			continue
		}
		small := o.Minimize(c.Template, expect(c), sig, *genMin)
		y, _ := format.YAML(small)
		t.Errorf("%s\n  in %d templates (cases %s); reproduce with: make soak SEED=%d CASE=%d\n  features: %s\n  minimized template:\n%s",
			sig, len(cases), strings.Join(ids, ", "), c.Seed, c.Index, strings.Join(c.Features, " "), indent(string(y)))
	}
}

// expect is what the README says of a generated case.
func expect(c *gen.Case) oracle.Expect {
	return oracle.Expect{Refuse: c.Refuse, MayRefuse: c.MayRefuse, Says: c.Says}
}

// startOracles starts cfn-lint's and the SAM translator's servers for the
// test, and stops them when it ends; mapping templates are rendered with
// velocityjs.
func startOracles(t *testing.T) *oracle.Oracles {
	t.Helper()
	if testing.Short() {
		t.Skip("the generator's oracles need cfn-lint and the SAM translator")
	}
	lint, err := oracle.Start("python3", "lint")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lint.Close)
	sam, err := oracle.Start("python3", "sam")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sam.Close)
	vtl, err := oracle.NewVelocity()
	if err != nil {
		t.Fatal(err)
	}
	return &oracle.Oracles{Lint: lint, SAM: sam, VTL: vtl}
}

// TestGeneratedReproducers checks each minimized reproducer of a failure
// the generator found (tests/testdata/gen: written by -gen.save, or by
// hand) with the same oracles: every one must now pass, as a template the
// macro expands, or, when a comment line says "# want refused: <regular
// expression>", as one it refuses with every problem matching it. Its
// first comment lines say what it reproduced.
func TestGeneratedReproducers(t *testing.T) {
	o := startOracles(t)
	files, err := filepath.Glob(filepath.Join("testdata", "gen", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no reproducers in testdata/gen: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := parse.Template(data)
			if err != nil {
				t.Fatal(err)
			}
			var refuse []string
			if m := wantRefused.FindSubmatch(data); m != nil {
				// The fix is a refusal: every problem says why.
				refuse = []string{"the reproducer says so"}
				_, err := macro.Expand(tree.Clone(tmpl), nil)
				var ps macro.Problems
				if !errors.As(err, &ps) {
					t.Fatalf("want a refusal, got %v", err)
				}
				for _, p := range ps {
					if !regexp.MustCompile(string(m[1])).MatchString(p.Message) {
						t.Errorf("a problem does not say %s: %s", m[1], p.Error())
					}
				}
			}
			r := o.Check(tmpl, oracle.Expect{Refuse: refuse})
			for _, f := range r.Failures {
				t.Errorf("%s", f)
			}
			if refuse == nil && !r.Expanded && len(r.Failures) == 0 {
				t.Error("the macro refused it")
			}
		})
	}
}

// TestGoldenOracles checks every template of macro/testdata that the macro
// expands (its golden is a .golden.yaml) with the generator's oracles: the
// hand-written cases hold what the generated ones do, and the oracles read
// what the hand-written cases show.
func TestGoldenOracles(t *testing.T) {
	o := startOracles(t)
	goldens, err := filepath.Glob(filepath.Join("..", "macro", "testdata", "*.golden.yaml"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no goldens in macro/testdata: %v", err)
	}
	for _, golden := range goldens {
		in := strings.TrimSuffix(golden, ".golden.yaml") + ".yaml"
		t.Run(strings.TrimSuffix(filepath.Base(in), ".yaml"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := parse.Template(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range o.Check(tmpl, oracle.Expect{}).Failures {
				t.Errorf("%s", f)
			}
		})
	}
}

var wantRefused = regexp.MustCompile(`(?m)^# want refused: (.+)$`)

// known is a failure the generator finds that is not fixed yet.
type known struct {
	Case int    // the case number in issue 16 (>16: found by the generator, see What)
	What string // the failure, as the issue says it
	// Match tells the templates that have the failure's ingredients.
	Match func(c *gen.Case) bool
	// Fails matches the failure (oracle: detail) those templates show.
	Fails *regexp.Regexp
}

func knownFor(c *gen.Case) []*known {
	var out []*known
	for i := range knownFailures {
		if knownFailures[i].Match(c) {
			out = append(out, &knownFailures[i])
		}
	}
	return out
}

func explains(known []*known, f oracle.Failure) *known {
	for _, k := range known {
		if k.Fails.MatchString(f.String()) {
			return k
		}
	}
	return nil
}

// saved are the known cases and failure signatures already saved.
var saved = map[string]bool{}

// save writes a failing case, minimized, when -gen.save is set: the first
// of each known case and of each other failure. The reproducers of
// tests/testdata/gen come from it.
func save(t *testing.T, o *oracle.Oracles, c *gen.Case, f oracle.Failure, knownCase int) {
	key := f.Signature()
	if knownCase > 0 {
		key = fmt.Sprint(knownCase)
	}
	if *genSave == "" || saved[key] {
		return
	}
	saved[key] = true
	name := fmt.Sprintf("%s-%d-%d.yaml", f.Oracle, c.Seed, c.Index)
	if knownCase > 0 {
		name = fmt.Sprintf("case%d-%d-%d.yaml", knownCase, c.Seed, c.Index)
	}
	file := filepath.Join(*genSave, name)
	if _, err := os.Stat(file); err == nil {
		return
	}
	small := o.Minimize(c.Template, expect(c), f.Signature(), *genMin)
	y, err := format.YAML(small)
	if err != nil {
		t.Error(err)
		return
	}
	header := fmt.Sprintf("# make soak SEED=%d CASE=%d\n# %s\n", c.Seed, c.Index, strings.ReplaceAll(f.Signature(), "\n", "\n# "))
	if err := os.MkdirAll(*genSave, 0o755); err != nil {
		t.Error(err)
	}
	if err := os.WriteFile(file, append([]byte(header), y...), 0o644); err != nil {
		t.Error(err)
	}
}

// dump writes a case's template and the macro's expansion of it.
func dump(t *testing.T, c *gen.Case) {
	base := filepath.Join(*genDump, fmt.Sprintf("%d-%d", c.Seed, c.Index))
	y, _ := format.YAML(c.Template)
	expanded := tree.Clone(c.Template)
	_, err := macro.Expand(expanded, nil)
	e, _ := format.YAML(expanded)
	if err != nil {
		e = []byte(err.Error())
	}
	if os.MkdirAll(*genDump, 0o755) != nil || os.WriteFile(base+".yaml", y, 0o644) != nil || os.WriteFile(base+".expanded.yaml", e, 0o644) != nil {
		t.Error("cannot write to -gen.dump")
	}
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = "    " + lines[i]
	}
	return strings.Join(lines, "\n")
}
