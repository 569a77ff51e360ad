// Command benchtable reads `go test -bench` output of BenchmarkHandle and
// BenchmarkFloor and prints, per case, the transformation's cost as a ratio
// to the floor (decode and encode only) and its cost per method.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

type result struct{ ns, perMethod, bytes, allocs float64 }

func main() {
	handle, floor := map[string]result{}, map[string]result{}
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name, cpu, _ := strings.Cut(strings.TrimPrefix(f[0], "Benchmark"), "/")
		c := cpu[:max(strings.LastIndex(cpu, "-"), 0)]
		if c == "" {
			c = cpu
		}
		var r result
		for i := 2; i+1 < len(f); i += 2 {
			v, _ := strconv.ParseFloat(f[i], 64)
			switch f[i+1] {
			case "ns/op":
				r.ns = v
			case "ns/method":
				r.perMethod = v
			case "B/op":
				r.bytes = v
			case "allocs/op":
				r.allocs = v
			}
		}
		switch name {
		case "Handle":
			handle[c] = r
			order = append(order, c)
		case "Floor":
			floor[c] = r
		}
	}
	fmt.Printf("\n| case | macro (ms) | floor (ms) | ratio to floor | µs per method | allocs | MB allocated |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range order {
		h, fl := handle[c], floor[c]
		ratio := 0.0
		if fl.ns > 0 {
			ratio = h.ns / fl.ns
		}
		fmt.Printf("| %s | %.2f | %.2f | %.2fx | %.1f | %.0f | %.1f |\n", c, h.ns/1e6, fl.ns/1e6, ratio, h.perMethod/1e3, h.allocs, h.bytes/1e6)
	}
}
