// rules-check validates Prometheus rule files as `promtool check rules` does: each file is parsed by
// Prometheus' own rule-file parser (YAML shape, PromQL of every expr, label and annotation templates),
// and every rule is counted. Exit status 1 names each problem.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rules-check FILE...")
		os.Exit(2)
	}
	failed := false
	// promtool's own parser options (the defaults) and a logger for its warnings.
	p := parser.NewParser(parser.Options{})
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	for _, file := range os.Args[1:] {
		groups, errs := rulefmt.ParseFile(file, false, model.UTF8Validation, p, logger)
		if len(errs) > 0 {
			failed = true
			for _, err := range errs {
				fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			}
			continue
		}
		n := 0
		for _, g := range groups.Groups {
			n += len(g.Rules)
		}
		fmt.Printf("%s: SUCCESS: %d rules found\n", file, n)
	}
	if failed {
		os.Exit(1)
	}
}
