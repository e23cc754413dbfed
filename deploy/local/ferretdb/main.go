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
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to listen on")
	pgURL := flag.String("postgresql-url", "postgres://taskyard@127.0.0.1:54329/taskyard", "PostgreSQL URL")
	flag.Parse()

	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

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
