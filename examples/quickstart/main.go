// Command quickstart is a two-minute tour of sdeml: each part exercises one package on a
// small real problem and adds rows to one results table, printed at the end.
//
//	go run ./examples/quickstart            # the whole tour
//	go run ./examples/quickstart -only mnist,sde
//
// Every part is seeded, so two runs print the same table (the ms/step timings aside). The
// table is also written to -out/results.csv.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sdeml/sdeml/internal/atomicfile"
)

// row is one line of the results table.
type row struct {
	part, quantity, value, reference string
}

// part is one stop of the tour.
type part struct {
	name string
	run  func(seed uint64) ([]row, error)
}

var parts = []part{
	{"mnist", runMNIST},
	{"msharpness", runMSharpness},
	{"sgn", runSGN},
	{"sde", runSDE},
	{"reflected", runReflected},
	{"meanfield", runMeanfield},
}

func main() {
	only := flag.String("only", "", "comma-separated parts to run (default all): "+partNames())
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("out", "out/quickstart", "output folder for results.csv (empty: no file)")
	flag.Parse()
	want := map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		if p != "" {
			want[p] = true
		}
	}
	var rows []row
	start := time.Now()
	for _, p := range parts {
		if len(want) > 0 && !want[p.name] {
			continue
		}
		t0 := time.Now()
		fmt.Fprintf(os.Stderr, "[%6.1fs] %s ...\n", time.Since(start).Seconds(), p.name)
		r, err := p.run(*seed)
		if err != nil {
			fmt.Fprintf(os.Stderr, "quickstart: %s: %v\n", p.name, err)
			os.Exit(1)
		}
		rows = append(rows, r...)
		fmt.Fprintf(os.Stderr, "[%6.1fs] %s done in %.1fs\n", time.Since(start).Seconds(), p.name, time.Since(t0).Seconds())
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "part\tquantity\tvalue\treference")
	fmt.Fprintln(tw, "----\t--------\t-----\t---------")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.part, r.quantity, r.value, r.reference)
	}
	tw.Flush()
	fmt.Printf("\ntotal time %.1fs\n", time.Since(start).Seconds())
	if *out != "" {
		if err := writeCSV(filepath.Join(*out, "results.csv"), rows); err != nil {
			fmt.Fprintf(os.Stderr, "quickstart: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s\n", filepath.Join(*out, "results.csv"))
	}
}

// writeCSV writes the results table as CSV, creating the folder if needed.
func writeCSV(path string, rows []row) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, 0, func(f io.Writer) error {
		w := csv.NewWriter(f)
		w.Write([]string{"part", "quantity", "value", "reference"})
		for _, r := range rows {
			w.Write([]string{r.part, r.quantity, r.value, r.reference})
		}
		w.Flush()
		return w.Error()
	})
}

func partNames() string {
	var s []string
	for _, p := range parts {
		s = append(s, p.name)
	}
	return strings.Join(s, ",")
}
