// Command benchtable reads `go test -bench BenchmarkHandle` output (any
// -count) and prints, per case, the median time of the macro beside its two
// floors, (a) encoding/json into map[string]any and back and (b) copying the
// payload, the macro's ratio to each, and its cost and allocations per
// method.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

type sample struct{ ns, perMethod, bytes, allocs float64 }

func main() {
	samples := map[string][]sample{} // "case/side" -> samples
	var cases []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[0], "BenchmarkHandle/") {
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
			}
		}
		c, _, _ := strings.Cut(name, "/")
		if !seen[c] {
			seen[c] = true
			cases = append(cases, c)
		}
		samples[name] = append(samples[name], s)
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
	}
}
