// Command ferretdb runs FerretDB v1.24.0 embedded, with the PostgreSQL handler, for the local
// (Docker-less) stack. `go install` of FerretDB's own command panics here, so it is embedded instead.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to listen on")
	pgURL := flag.String("postgresql-url", "postgres://taskyard@127.0.0.1:54329/taskyard", "PostgreSQL URL")
	flag.Parse()

	logger := slog.New(expectedErrorsFilter{slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})})

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
		Logger:        logger,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	log.Printf("ferretdb listening on %s (postgresql handler)", *listen)
	if err := f.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// expectedErrorsFilter drops log records of errors the product causes on purpose: Taskyard decides races by
// unique inserts (a duplicate key is the loser's normal answer), and FerretDB dumps every error reply in full.
// Logged at WARN/ERROR they drowned real problems and grew the log by megabytes per test run.
type expectedErrorsFilter struct{ slog.Handler }

func (f expectedErrorsFilter) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "Response header") || strings.HasPrefix(r.Message, "Response message") {
		return nil
	}
	duplicate := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" && strings.Contains(a.Value.String(), "SQLSTATE 23505") {
			duplicate = true
			return false
		}
		return true
	})
	if duplicate {
		return nil
	}
	return f.Handler.Handle(ctx, r)
}

func (f expectedErrorsFilter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return expectedErrorsFilter{f.Handler.WithAttrs(attrs)}
}

func (f expectedErrorsFilter) WithGroup(name string) slog.Handler {
	return expectedErrorsFilter{f.Handler.WithGroup(name)}
}
