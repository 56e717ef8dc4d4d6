package rest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
	"github.com/hearth-chat/hearth/internal/topic"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// testDeps wires the real services over a fresh SQLite store for in-package
// tests that call the gateway or its handlers directly.
func testDeps(tb testing.TB, appID uint64, key string) Deps {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "hearth.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	accounts := account.NewService(db, []string{"administrator"}, nil)
	if err := accounts.EnsureAdmins(context.Background()); err != nil {
		tb.Fatal(err)
	}
	groups := group.NewService(db, db, nil, nil, group.WithGrants(permgroup.NewGrants(db, topic.NewReader(db, nil), nil)))
	topics := topic.NewService(db, groups, nil, nil)
	return Deps{
		PermGroups: permgroup.NewService(db, groups, topics, nil, nil),
		Messages:   message.NewService(db, groups, topics, nil, nil),
		C2C:        message.NewC2C(db, db, nil, nil),
		SDKAppID:   appID,
		Verifier:   usersig.NewVerifier(appID, key),
		Accounts:   accounts,
		Groups:     groups,
		Topics:     topics,
	}
}
