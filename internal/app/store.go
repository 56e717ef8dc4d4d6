package app

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/hearth-chat/hearth/internal/store"
	"github.com/hearth-chat/hearth/internal/store/postgres"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
)

// Store is every domain's storage, as one store implements them all.
type Store = store.Store

// openStore opens PostgreSQL when url is set, else SQLite in dataDir. The
// returned close function releases it.
func openStore(ctx context.Context, url, dataDir string) (Store, func(), string, error) {
	if url != "" {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			return nil, nil, "", fmt.Errorf("open PostgreSQL (check --store and that the server is up): %w", err)
		}
		return db, func() { db.Close() }, "PostgreSQL", nil
	}
	if err := prepareDataDir(dataDir); err != nil {
		return nil, nil, "", err
	}
	path := filepath.Join(dataDir, "hearth.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, nil, "", sqliteOpenError(dataDir, path, err)
	}
	return db, func() { db.Close() }, "SQLite " + path, nil
}
