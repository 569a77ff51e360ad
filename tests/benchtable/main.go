// Command benchtable reads `go test -bench BenchmarkHandle` output (any
// -count) and prints, per case, the median time of the macro beside its two
// floors, (a) encoding/json into map[string]any and back and (b) copying the
// payload, the macro's ratio to each, and its cost and allocations per
// method. Given `go test -bench BenchmarkExpandDiff` output instead, it
// prints expand, expand --diff and the floor GNU diff -u, in time and in CPU
// time, and the ratios.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

type sample struct{ ns, perMethod, bytes, allocs, cpu float64 }

func main() {
	samples := map[string][]sample{} // "case/side" -> samples
	var cases []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[0], "BenchmarkHandle/") && !strings.HasPrefix(f[0], "BenchmarkExpandDiff/") {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkHandle/")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		var s sample
		for i := 2; i+1 < len(f); i += 2 {
			v, _ := strconv.ParseFloat(f[i], 64)
			switch f[i+1] {
			case "ns/op":
				s.ns = v
			case "ns/method":
				s.perMethod = v
			case "B/op":
				s.bytes = v
			case "allocs/op":
				s.allocs = v
			case "cpu-ns/op":
				s.cpu = v
			}
		}
		c, _, _ := strings.Cut(name, "/")
		if !seen[c] {
			seen[c] = true
			cases = append(cases, c)
		}
		samples[name] = append(samples[name], s)
	}
	if seen["BenchmarkExpandDiff"] {
		expandDiffTable(samples)
		return
	}
	fmt.Printf("\n| case | macro (ms) | (a) encoding/json (ms) | (b) copy (ms) | macro / (a) | macro / (b) | µs per method | allocations per method | MB allocated |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range cases {
		m, a, b := median(samples[c+"/macro"]), median(samples[c+"/json"]), median(samples[c+"/copy"])
		perMethodAllocs := 0.0
		if m.perMethod > 0 {
			perMethodAllocs = m.allocs * m.perMethod / m.ns
		}
		fmt.Printf("| %s | %.2f | %.2f | %.3f | %.2fx | %.0fx | %.1f | %.0f | %.1f |\n",
			c, m.ns/1e6, a.ns/1e6, b.ns/1e6, ratio(m.ns, a.ns), ratio(m.ns, b.ns), m.perMethod/1e3, perMethodAllocs, m.bytes/1e6)
	}
}

// expandDiffTable prints BenchmarkExpandDiff's medians and ratios.
func expandDiffTable(samples map[string][]sample) {
	e := median(samples["BenchmarkExpandDiff/expand"])
	d := median(samples["BenchmarkExpandDiff/diff"])
	g := median(samples["BenchmarkExpandDiff/gnudiff"])
	fmt.Printf("\n| 1.1 MB YAML template | expand | expand --diff | floor: GNU diff -u | --diff / expand | --diff / floor |\n|---|---:|---:|---:|---:|---:|\n")
	fmt.Printf("| time (ms) | %.0f | %.0f | %.1f | %.2fx | %.0fx |\n", e.ns/1e6, d.ns/1e6, g.ns/1e6, ratio(d.ns, e.ns), ratio(d.ns, g.ns))
	fmt.Printf("| CPU time (ms) | %.0f | %.0f | %.1f | %.2fx | %.0fx |\n", e.cpu/1e6, d.cpu/1e6, g.cpu/1e6, ratio(d.cpu, e.cpu), ratio(d.cpu, g.cpu))
}

func ratio(x, y float64) float64 {
	if y == 0 {
		return 0
	}
	return x / y
}

// median takes the median of each figure.
func median(s []sample) sample {
	if len(s) == 0 {
		return sample{}
	}
	pick := func(get func(sample) float64) float64 {
		v := make([]float64, len(s))
		for i := range s {
			v[i] = get(s[i])
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return sample{
		ns:        pick(func(x sample) float64 { return x.ns }),
		perMethod: pick(func(x sample) float64 { return x.perMethod }),
		bytes:     pick(func(x sample) float64 { return x.bytes }),
		allocs:    pick(func(x sample) float64 { return x.allocs }),
		cpu:       pick(func(x sample) float64 { return x.cpu }),
	}
}
